import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenBucketRateLimiter } from '../../../model/workqueue/token-bucket.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

test('a full bucket gives its burst at once, then one token per 1/qps', () => {
  const clock = new ManualClock();
  const b = new TokenBucketRateLimiter(10, 5, clock);
  for (let i = 0; i < 5; i++) assert.ok(b.tryAccept(), `burst token ${i}`);
  assert.not.ok(b.tryAccept());
  clock.advance(99);
  assert.not.ok(b.tryAccept());
  clock.advance(1);
  assert.ok(b.tryAccept());
  assert.not.ok(b.tryAccept());
});

test('steady state: 10 qps gives 10 tokens per second of polling every ms', () => {
  const clock = new ManualClock();
  const b = new TokenBucketRateLimiter(10, 3, clock);
  while (b.tryAccept());
  let accepted = 0;
  for (let ms = 0; ms < 1000; ms++) {
    clock.advance(1);
    if (b.tryAccept()) accepted++;
  }
  assert.is(accepted, 10);
});

test('refill stops at the burst', () => {
  const clock = new ManualClock();
  const b = new TokenBucketRateLimiter(10, 4, clock);
  while (b.tryAccept());
  clock.advance(60_000);
  let n = 0;
  while (b.tryAccept()) n++;
  assert.is(n, 4);
});

test('reservations queue up behind each other, like rate.Limiter.Reserve', () => {
  const clock = new ManualClock();
  const b = new TokenBucketRateLimiter(10, 2, clock);
  assert.equal([b.reserve(), b.reserve(), b.reserve(), b.reserve(), b.reserve()], [0, 0, 100, 200, 300]);
  assert.not.ok(b.tryAccept(), 'a reserved token is gone');
  clock.advance(100);
  assert.is(b.reserve(), 300);
  clock.advance(1000);
  // Debt of 4 tokens less 11 refilled: the bucket is full again.
  assert.is(b.reserve(), 0);
});

test('wait resolves on the clock after the reserved delay', async () => {
  const clock = new ManualClock();
  const b = new TokenBucketRateLimiter(4, 1, clock);
  let first = false;
  let second = false;
  void b.wait().then(() => { first = true; });
  void b.wait().then(() => { second = true; });
  await flush();
  assert.ok(first);
  assert.not.ok(second);
  assert.is(clock.nextDue(), clock.now() + 250);
  clock.advance(249);
  await flush();
  assert.not.ok(second);
  clock.advance(1);
  await flush();
  assert.ok(second);
});

test('Infinity qps never limits; nonsense rates are refused', () => {
  const clock = new ManualClock();
  const b = new TokenBucketRateLimiter(Infinity, 1, clock);
  for (let i = 0; i < 1000; i++) assert.ok(b.tryAccept());
  assert.is(b.reserve(), 0);
  assert.throws(() => new TokenBucketRateLimiter(0, 1, clock), RangeError);
  assert.throws(() => new TokenBucketRateLimiter(5, 0, clock), RangeError);
  assert.throws(() => new TokenBucketRateLimiter(Number.NaN, 1, clock), RangeError);
});

test.run();
