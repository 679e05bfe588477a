import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRng } from '../../../model/rng.js';
import { MemoryWorkqueueMetrics } from '../../../model/workqueue/metrics-memory.js';
import { RateLimitingQueue } from '../../../model/workqueue/queue.js';
import { ItemExponentialFailureRateLimiter } from '../../../model/workqueue/rate-limiters.js';
import { ManualClock } from '../../helpers/manual-clock.js';

function queue<T = string>() {
  const clock = new ManualClock();
  const metrics = new MemoryWorkqueueMetrics();
  const q = new RateLimitingQueue<T>({ name: 'd', clock, metrics, rateLimiter: new ItemExponentialFailureRateLimiter<T>(5, 1000) });
  return { clock, metrics, q };
}

async function drain<T>(q: RateLimitingQueue<T>): Promise<T[]> {
  const out: T[] = [];
  while (q.len() > 0) {
    const r = await q.get();
    if (r.shutdown) break;
    out.push(r.item);
    q.done(r.item);
  }
  return out;
}

test('addAfter: items become ready in deadline order, each at its deadline', async () => {
  const { q, clock } = queue();
  q.addAfter('c', 300);
  q.addAfter('a', 100);
  q.addAfter('b', 200);
  assert.is(q.len(), 0);
  assert.is(q.delayed(), 3);
  clock.advance(99);
  assert.is(q.len(), 0);
  clock.advance(1);
  assert.equal(await drain(q), ['a']);
  clock.advance(100);
  assert.equal(await drain(q), ['b']);
  clock.advance(100);
  assert.equal(await drain(q), ['c']);
  assert.is(q.delayed(), 0);
  assert.is(clock.pending, 0, 'no timer left once nothing waits');
});

test('an item added again with an earlier deadline moves up; a later deadline changes nothing', async () => {
  const { q, clock } = queue();
  q.addAfter('x', 1000);
  q.addAfter('y', 500);
  q.addAfter('x', 100);
  q.addAfter('y', 5000);
  assert.is(q.delayed(), 2);
  clock.advance(100);
  assert.equal(await drain(q), ['x']);
  clock.advance(400);
  assert.equal(await drain(q), ['y']);
  clock.advance(10_000);
  assert.is(q.len(), 0, 'neither comes a second time');
});

test('items due at the same ms leave in the order they were added; addAfter(0) adds now', async () => {
  const { q, clock } = queue();
  for (const k of ['p', 'q', 'r', 's']) q.addAfter(k, 50);
  q.addAfter('now', 0);
  assert.equal(await drain(q), ['now']);
  clock.advance(50);
  assert.equal(await drain(q), ['p', 'q', 'r', 's']);
});

test('10,000 delayed items use one timer and come out in deadline order', async () => {
  const { q, clock } = queue<number>();
  const rng = seededRng(7);
  const due = new Map<number, number>();
  for (let i = 0; i < 10_000; i++) {
    const ms = 1 + Math.floor(rng.next() * 60_000);
    due.set(i, clock.now() + ms);
    q.addAfter(i, ms);
    assert.ok(clock.pending <= 1);
  }
  assert.is(clock.pending, 1);
  assert.is(q.delayed(), 10_000);
  const seen: number[] = [];
  while (clock.nextDue() !== undefined) {
    clock.advanceTo(clock.nextDue() as number);
    assert.ok(clock.pending <= 1);
    for (const i of await drain(q)) {
      assert.is(due.get(i), clock.now(), `item ${i} ready exactly at its deadline`);
      seen.push(i);
    }
  }
  assert.is(seen.length, 10_000);
  for (let k = 1; k < seen.length; k++) assert.ok((due.get(seen[k - 1]) as number) <= (due.get(seen[k]) as number));
});

test('shutDown drops delayed items and their timer', () => {
  const { q, clock } = queue();
  q.addAfter('a', 100);
  q.shutDown();
  assert.is(clock.pending, 0);
  assert.not.ok(q.addAfter('b', 10));
  clock.advance(1000);
  assert.is(q.len(), 0);
});

test('addRateLimited requeues after the limiter\'s backoff; forget resets it', async () => {
  const { q, clock, metrics } = queue();
  q.add('a');
  const r = await q.get();
  assert.is(r.item, 'a');
  q.addRateLimited('a');
  q.done('a');
  assert.is(q.numRequeues('a'), 1);
  clock.advance(4);
  assert.is(q.len(), 0);
  clock.advance(1);
  assert.equal(await drain(q), ['a']);
  q.addRateLimited('a');
  clock.advance(9);
  assert.is(q.len(), 0);
  clock.advance(1);
  assert.equal(await drain(q), ['a'], 'second failure waits 10 ms');
  q.forget('a');
  assert.is(q.numRequeues('a'), 0);
  q.addRateLimited('a');
  assert.is(clock.nextDue(), clock.now() + 5, 'back to the base delay');
  assert.is(metrics.figures('d')?.retries, 3);
});

test.run();
