import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MaxInFlightLimiter } from '../../../model/flowcontrol/max-in-flight.js';
import type { Admitted, Rejected } from '../../../model/flowcontrol/types.js';
import { nonResourceRequest, resourceRequest, user, VirtualClock } from './helpers.js';

const bob = user('bob');

test('read-only and mutating requests have separate limits: 400 and 200 by default', () => {
  const limiter = new MaxInFlightLimiter({ clock: new VirtualClock() });
  const reads = Array.from({ length: 400 }, () => limiter.begin(resourceRequest(bob, 'get', 'pods')));
  assert.ok(reads.every((a) => a.admitted));
  const overRead = limiter.begin(resourceRequest(bob, 'list', 'pods')) as Rejected;
  assert.equal([overRead.admitted, overRead.reason, overRead.retryAfterSeconds, overRead.status.code], [false, 'max-in-flight', 1, 429]);
  assert.is(overRead.status.message, 'Too many requests, please try again later.');
  assert.equal([overRead.flowSchema, overRead.priorityLevel], [undefined, undefined]);

  // The mutating limit is untouched by the reads.
  const writes = Array.from({ length: 200 }, () => limiter.begin(resourceRequest(bob, 'create', 'configmaps')));
  assert.ok(writes.every((a) => a.admitted));
  assert.is(limiter.begin(resourceRequest(bob, 'delete', 'configmaps')).admitted, false);
  // Every verb outside get/list/watch is mutating, non-resource ones included.
  assert.is(limiter.begin(nonResourceRequest(bob, 'post', '/api')).admitted, false);

  (reads[0] as Admitted).finish();
  (reads[0] as Admitted).finish();
  assert.is(limiter.begin(resourceRequest(bob, 'get', 'pods')).admitted, true);
  assert.is(limiter.begin(resourceRequest(bob, 'get', 'pods')).admitted, false);
});

test('watches and other long-running requests are not limited', () => {
  const limiter = new MaxInFlightLimiter({ clock: new VirtualClock(), maxRequestsInflight: 1, maxMutatingRequestsInflight: 1 });
  limiter.begin(resourceRequest(bob, 'get', 'pods'));
  limiter.begin(resourceRequest(bob, 'create', 'pods'));
  assert.is(limiter.begin(resourceRequest(bob, 'watch', 'pods')).admitted, true);
  for (const sub of ['exec', 'attach', 'log', 'portforward', 'proxy']) {
    assert.is(limiter.begin(resourceRequest(bob, 'create', 'pods', { subresource: sub, name: 'p' })).admitted, true, sub);
  }
  assert.is(limiter.begin(nonResourceRequest(bob, 'get', '/debug/pprof/profile')).admitted, true);
  assert.is(limiter.begin(resourceRequest(bob, 'get', 'pods')).admitted, false);
});

test('system:masters is served over the limit, without taking a slot', () => {
  const limiter = new MaxInFlightLimiter({ clock: new VirtualClock(), maxRequestsInflight: 1 });
  limiter.begin(resourceRequest(bob, 'get', 'pods'));
  assert.is(limiter.begin(resourceRequest(user('admin', 'system:masters'), 'get', 'pods')).admitted, true);
  assert.is(limiter.inflight.executing.readOnly, 1);
});

test('a zero limit means no limit', () => {
  const limiter = new MaxInFlightLimiter({ clock: new VirtualClock(), maxMutatingRequestsInflight: 0 });
  assert.ok(Array.from({ length: 1000 }, () => limiter.begin(resourceRequest(bob, 'create', 'pods'))).every((a) => a.admitted));
});

test('the in-flight gauge reports the highest count of the last whole second', async () => {
  const clock = new VirtualClock();
  const limiter = new MaxInFlightLimiter({ clock });
  const held = Array.from({ length: 5 }, () => limiter.begin(resourceRequest(bob, 'get', 'pods')) as Admitted);
  held.slice(0, 3).forEach((a) => a.finish());
  assert.is(limiter.inflight.executingMark.readOnly.read(clock.now()), 0);
  await clock.advance(1000);
  assert.is(limiter.inflight.executingMark.readOnly.read(clock.now()), 5);
  // A second without changes reports 0, as the filter's watermark resets each period.
  await clock.advance(1000);
  assert.is(limiter.inflight.executingMark.readOnly.read(clock.now()), 0);
});

test.run();
