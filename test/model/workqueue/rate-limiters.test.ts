import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../../../model/defaults.js';
import {
  BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter, ItemFastSlowRateLimiter, MaxOfRateLimiter,
} from '../../../model/workqueue/rate-limiters.js';
import { TokenBucketRateLimiter } from '../../../model/workqueue/token-bucket.js';
import { ManualClock } from '../../helpers/manual-clock.js';

test('exponential backoff doubles per failure up to the cap, per item', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 1000);
  const waits = Array.from({ length: 10 }, () => l.when('a'));
  assert.equal(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
  assert.is(l.numRequeues('a'), 10);
  assert.is(l.when('b'), 5, 'b has its own count');
  l.forget('a');
  assert.is(l.numRequeues('a'), 0);
  assert.is(l.when('a'), 5);
});

test('exponential backoff survives huge failure counts', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 60_000);
  let last = 0;
  for (let i = 0; i < 2000; i++) last = l.when('x');
  assert.is(last, 60_000);
});

test('fast-slow: fast for maxFastAttempts failures, then slow', () => {
  const l = new ItemFastSlowRateLimiter<string>(5, 10_000, 3);
  assert.equal([l.when('a'), l.when('a'), l.when('a'), l.when('a'), l.when('a')], [5, 5, 5, 10_000, 10_000]);
  assert.is(l.numRequeues('a'), 5);
  l.forget('a');
  assert.is(l.when('a'), 5);
});

test('bucket limiter: one bucket for all items, no per-item memory', () => {
  const clock = new ManualClock();
  const l = new BucketRateLimiter<string>(new TokenBucketRateLimiter(10, 2, clock));
  assert.equal([l.when('a'), l.when('b'), l.when('c'), l.when('a')], [0, 0, 100, 200]);
  assert.is(l.numRequeues('a'), 0);
});

test('max-of: the longest wait, the most requeues, forget reaches every limiter', () => {
  const fast = new ItemFastSlowRateLimiter<string>(1, 2, 10);
  const exp = new ItemExponentialFailureRateLimiter<string>(3, 100);
  const l = new MaxOfRateLimiter<string>(fast, exp);
  assert.equal([l.when('a'), l.when('a'), l.when('a')], [3, 6, 12]);
  fast.when('a');
  assert.is(l.numRequeues('a'), 4);
  l.forget('a');
  assert.is(fast.numRequeues('a'), 0);
  assert.is(exp.numRequeues('a'), 0);
});

test('default controller limiter: 5 ms backoff, under a 10 qps / 100 burst bucket', () => {
  assert.is(DEFAULTS.workqueueBaseDelayMs, 5);
  assert.is(DEFAULTS.workqueueMaxDelayMs, 1_000_000);
  const clock = new ManualClock();
  const l = defaultControllerRateLimiter<number>(clock);
  for (let i = 0; i < 100; i++) assert.is(l.when(i), 5, `item ${i} within the burst`);
  assert.is(l.when(100), 100, 'the bucket is empty: its 100 ms beat the 5 ms backoff');
  assert.is(l.when(101), 200);
  clock.advance(1000);
  l.forget(0);
  // The bucket has 10 tokens back less the 2 debts: item 0's 5 ms backoff wins again.
  assert.is(l.when(0), 5);
  assert.is(l.numRequeues(0), 1);
});

test('default controller limiter: one item backs off exponentially to 1000 s', () => {
  const clock = new ManualClock();
  const l = defaultControllerRateLimiter<string>(clock);
  const waits = Array.from({ length: 20 }, () => l.when('k'));
  assert.equal(waits.slice(0, 4), [5, 10, 20, 40]);
  assert.is(waits[17], 5 * 2 ** 17);
  assert.is(waits[18], 1_000_000);
  assert.is(waits[19], 1_000_000);
  assert.is(l.numRequeues('k'), 20);
});

test.run();
