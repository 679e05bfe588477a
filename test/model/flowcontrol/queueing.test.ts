import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapConfiguration } from '../../../model/flowcontrol/bootstrap.js';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import type { Admission, Admitted, Rejected } from '../../../model/flowcontrol/types.js';
import { level, resourceRequest, schemaForUsers, settle, user, VirtualClock } from './helpers.js';

const bob = user('bob');
const get = resourceRequest(bob, 'get', 'pods');

/** Level 'one': a single queue of length 2 and one seat (ceil(0.95 * 1)). */
function oneSeat(clock: VirtualClock): FlowController {
  const fc = new FlowController({ clock, serverConcurrencyLimit: 1 });
  fc.setConfiguration([schemaForUsers('one', 'one', 100, ['bob'])], [level('one', 95, { queues: 1, handSize: 1, queueLengthLimit: 2 })]);
  return fc;
}

function isAdmitted(a: Admission | Promise<Admission>): Admitted {
  assert.ok(!(a instanceof Promise), 'expected an immediate answer');
  assert.ok((a as Admission).admitted);
  return a as Admitted;
}

/** Tracks a waiting request's outcome without awaiting it. */
function pending(a: Admission | Promise<Admission>): { outcome: Admission | undefined } {
  assert.ok(a instanceof Promise, 'expected the request to wait');
  const box: { outcome: Admission | undefined } = { outcome: undefined };
  void (a as Promise<Admission>).then((o) => { box.outcome = o; });
  return box;
}

test('queue-full is immediate; time-out comes after the 15 s wait limit', async () => {
  const clock = new VirtualClock();
  const fc = oneSeat(clock);
  const running = isAdmitted(fc.begin(get));
  const second = pending(fc.begin(get));
  const third = pending(fc.begin(get));
  const full = fc.begin(get) as Rejected;
  assert.equal([full.admitted, full.reason, full.retryAfterSeconds], [false, 'queue-full', 1]);
  assert.equal(full.status.toJSON(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too many requests, please try again later.',
    reason: 'TooManyRequests', details: { retryAfterSeconds: 1 }, code: 429,
  });
  assert.equal([full.flowSchema?.uid, full.priorityLevel?.uid], ['uid-fs-one', 'uid-pl-one']);

  // Without a deadline of its own a request may wait RequestTimeout/4 = 15 s.
  await clock.advance(14_999);
  assert.equal([second.outcome, third.outcome], [undefined, undefined]);
  await clock.advance(1);
  assert.equal([(second.outcome as Rejected).reason, (third.outcome as Rejected).reason], ['time-out', 'time-out']);
  running.finish();
});

test('a request with a deadline waits a quarter of it, at most a minute', async () => {
  const clock = new VirtualClock();
  const fc = oneSeat(clock);
  isAdmitted(fc.begin(get));
  const short = pending(fc.begin(get, undefined, 8_000));
  const long = pending(fc.begin(get, undefined, 600_000));
  await clock.advance(1_999);
  assert.is(short.outcome, undefined);
  await clock.advance(1);
  assert.is((short.outcome as Rejected).reason, 'time-out');
  await clock.advance(57_999);
  assert.is(long.outcome, undefined);
  await clock.advance(1);
  assert.is((long.outcome as Rejected).reason, 'time-out');
});

test('a waiting request runs when a seat frees, and its client leaving takes it out of the queue', async () => {
  const clock = new VirtualClock();
  const fc = oneSeat(clock);
  const running = isAdmitted(fc.begin(get));
  const abort = new AbortController();
  const leaving = pending(fc.begin(get, abort.signal));
  const next = pending(fc.begin(get));
  abort.abort();
  await settle();
  assert.is((leaving.outcome as Rejected).reason, 'time-out');
  await clock.advance(100);
  running.finish();
  await settle();
  const admitted = next.outcome as Admitted;
  assert.ok(admitted.admitted);
  const flow = [...fc.flowStats()].find((s) => s.flowSchema === 'one');
  assert.equal([flow?.executing, flow?.waiting, flow?.dispatched, flow?.rejectedTimeOut], [1, 0, 2, 1]);
  admitted.finish();
  admitted.finish();
  assert.is(flow?.executing, 0);
});

test('an already aborted request is rejected at once', () => {
  const fc = oneSeat(new VirtualClock());
  isAdmitted(fc.begin(get));
  const abort = new AbortController();
  abort.abort();
  assert.is((fc.begin(get, abort.signal) as Rejected).reason, 'time-out');
});

test('a Reject level answers concurrency-limit beyond its seats', () => {
  // Only the mandatory levels: catch-all holds all 5 shares, so all 2 seats.
  const fc = new FlowController({ clock: new VirtualClock(), serverConcurrencyLimit: 2 });
  const a = isAdmitted(fc.begin(get));
  isAdmitted(fc.begin(get));
  const rejected = fc.begin(get) as Rejected;
  assert.equal([rejected.reason, rejected.retryAfterSeconds, rejected.priorityLevel?.name], ['concurrency-limit', 1, 'catch-all']);
  a.finish();
  isAdmitted(fc.begin(get));
});

test('Retry-After doubles while a level keeps dropping requests and shrinks when it stops', async () => {
  const clock = new VirtualClock();
  const fc = new FlowController({ clock, serverConcurrencyLimit: 1 });
  isAdmitted(fc.begin(get));
  const retryAfter = (): number => (fc.begin(get) as Rejected).retryAfterSeconds;
  const seen: number[] = [];
  for (let second = 0; second < 4; second++) {
    for (let i = 0; i < 9; i++) retryAfter();
    seen.push(retryAfter());
    await clock.advance(1000);
  }
  await clock.advance(6000);
  seen.push(retryAfter());
  // 10 drops a second: >= 3*1 in the last second doubles to 2, then >= 3*2 in the last 2 s
  // (and 2 s since the last raise) doubles to 4; a quiet spell then takes one second off.
  assert.equal(seen, [1, 2, 2, 4, 3]);
});

test('system:masters is exempt: never queued nor rejected, however many requests', () => {
  const fc = new FlowController({ clock: new VirtualClock(), serverConcurrencyLimit: 10 });
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  fc.setConfiguration(flowSchemas, priorityLevels);
  const admin = user('admin', 'system:masters');
  const held = Array.from({ length: 1000 }, () => isAdmitted(fc.begin(resourceRequest(admin, 'create', 'configmaps'))));
  const exempt = [...fc.priorityLevels()].find((l) => l.name === 'exempt');
  assert.equal([exempt?.queues.executing, exempt?.queues.waiting, exempt?.nominalCL], [1000, 0, 0]);
  for (const a of held) a.finish();
  assert.ok(exempt?.queues.idle);
});

test.run();
