import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import { deal, hashFlowID } from '../../../model/flowcontrol/shuffle-shard.js';
import type { RequestDigest } from '../../../model/flowcontrol/types.js';
import { level, resourceRequest, schemaForUsers, user, VirtualClock } from './helpers.js';

interface Counts {
  completed: number;
  rejected: number;
  maxWaitMs: number;
}

/**
 * One level 'test' taking 95 of 100 shares (the imagined catch-all has 5), no lending: its
 * concurrency limit is ceil(0.95 * serverConcurrencyLimit) and stays there.
 */
function controller(clock: VirtualClock, serverConcurrencyLimit: number, queuing: { queues: number; handSize: number; queueLengthLimit: number }, users: string[]): FlowController {
  const fc = new FlowController({ clock, serverConcurrencyLimit });
  fc.setConfiguration([schemaForUsers('test', 'test', 100, users)], [level('test', 95, queuing)]);
  return fc;
}

/** `outstanding` clients each sending the next request when the last one finished or was rejected. */
function closedLoop(fc: FlowController, clock: VirtualClock, rd: RequestDigest, outstanding: number, serviceMs: number, untilMs: number): { counts: Counts; done: Promise<unknown> } {
  const counts: Counts = { completed: 0, rejected: 0, maxWaitMs: 0 };
  const client = async (): Promise<void> => {
    while (clock.now() < untilMs) {
      const sent = clock.now();
      const a = await fc.begin(rd);
      counts.maxWaitMs = Math.max(counts.maxWaitMs, clock.now() - sent);
      if (!a.admitted) {
        counts.rejected++;
        await clock.sleep(a.retryAfterSeconds * 1000);
        continue;
      }
      await clock.sleep(serviceMs);
      a.finish();
      if (clock.now() <= untilMs) counts.completed++;
    }
  };
  return { counts, done: Promise.all(Array.from({ length: outstanding }, client)) };
}

function hand(name: string, queues: number, handSize: number): number[] {
  return deal(hashFlowID('test', name), queues, handSize).sort((a, b) => a - b);
}

test('two backlogged flows share the seats equally although one sends four times as much (within 5%)', async () => {
  const clock = new VirtualClock();
  const queuing = { queues: 16, handSize: 4, queueLengthLimit: 100 };
  // Two flows whose hands share no queue, so each has its own queues.
  const heavyHand = hand('heavy', 16, 4);
  const lightName = Array.from({ length: 50 }, (_, i) => `light-${i}`).find((n) => hand(n, 16, 4).every((q) => !heavyHand.includes(q))) as string;
  const fc = controller(clock, 10, queuing, ['heavy', lightName]);
  assert.is([...fc.priorityLevels()].find((l) => l.name === 'test')?.currentCL, 10);

  const until = clock.now() + 30_000;
  const heavy = closedLoop(fc, clock, resourceRequest(user('heavy'), 'get', 'pods'), 40, 100, until);
  const light = closedLoop(fc, clock, resourceRequest(user(lightName), 'get', 'pods'), 10, 100, until);
  await clock.advance(31_000);
  await Promise.all([heavy.done, light.done]);

  const total = heavy.counts.completed + light.counts.completed;
  // 10 seats, 100 ms each: 100 requests a second. FIFO would give the light flow 10/50 = 20%.
  assert.ok(total >= 2950 && total <= 3000, `total ${total}`);
  const lightShare = light.counts.completed / total;
  assert.ok(Math.abs(lightShare - 0.5) <= 0.05, `light flow got ${(lightShare * 100).toFixed(1)}%`);
  assert.is(heavy.counts.rejected + light.counts.rejected, 0);
});

test('shuffle sharding isolates an elephant flow: mice on other queues are never rejected', async () => {
  const clock = new VirtualClock();
  const queuing = { queues: 8, handSize: 2, queueLengthLimit: 5 };
  const elephantHand = hand('elephant', 8, 2);
  const names = Array.from({ length: 200 }, (_, i) => `user-${i}`);
  // Mice whose hands avoid the elephant's queues, and a victim dealt exactly the elephant's queues.
  const mice = names.filter((n) => hand(n, 8, 2).every((q) => !elephantHand.includes(q))).slice(0, 3);
  const victim = names.find((n) => hand(n, 8, 2).join() === elephantHand.join()) as string;
  assert.is(mice.length, 3);
  assert.ok(victim, 'some user shares the elephant\'s hand');
  const fc = controller(clock, 2, queuing, ['elephant', victim, ...mice]);

  const until = clock.now() + 20_000;
  const elephant = closedLoop(fc, clock, resourceRequest(user('elephant'), 'list', 'pods'), 50, 1000, until);
  const mouseRuns = mice.map((m) => closedLoop(fc, clock, resourceRequest(user(m), 'get', 'pods'), 1, 100, until));
  const victimRun = closedLoop(fc, clock, resourceRequest(user(victim), 'get', 'pods'), 1, 100, until);
  await clock.advance(40_000);
  await Promise.all([elephant.done, victimRun.done, ...mouseRuns.map((r) => r.done)]);

  assert.ok(elephant.counts.rejected > 100, `elephant rejections ${elephant.counts.rejected}`);
  for (const run of mouseRuns) {
    assert.is(run.counts.rejected, 0);
    assert.ok(run.counts.completed > 20, `mouse completed ${run.counts.completed}`);
    // At worst a mouse waits for one of the elephant's 1 s requests to end, plus the other mice ahead of it.
    assert.ok(run.counts.maxWaitMs <= 1500, `mouse waited ${run.counts.maxWaitMs} ms`);
  }
  assert.ok(victimRun.counts.rejected > 0, 'the flow sharing the elephant\'s queues is squeezed out');
});

test.run();
