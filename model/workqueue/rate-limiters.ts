// client-go's workqueue rate limiters (util/workqueue/default_rate_limiters.go): how long an
// item waits before it is queued again. Durations are milliseconds on the injected Clock.
// The per-item limiters remember failures until forget(item), as client-go's do, so a caller
// must forget every item it stops retrying or the failure map grows with its key space.
import type { Clock } from '../clock.js';
import { DEFAULTS } from '../defaults.js';
import { TokenBucketRateLimiter } from './token-bucket.js';

export interface RateLimiter<T> {
  /** Records a failure of item; returns how many ms it should wait before its next try. */
  when(item: T): number;
  /** Drops item's failure history: it succeeded, or is given up on. */
  forget(item: T): void;
  /** Failures recorded for item since it was last forgotten. */
  numRequeues(item: T): number;
}

/** baseMs * 2^failures, capped at maxMs (ItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(readonly baseMs: number, readonly maxMs: number) {}

  when(item: T): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    // 2^exp overflows to Infinity long before a failure count could, and min() caps that too.
    return Math.min(this.baseMs * 2 ** exp, this.maxMs);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** fastMs for the first maxFastAttempts failures, slowMs after (ItemFastSlowRateLimiter). */
export class ItemFastSlowRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(readonly fastMs: number, readonly slowMs: number, readonly maxFastAttempts: number) {}

  when(item: T): number {
    const n = (this.failures.get(item) ?? 0) + 1;
    this.failures.set(item, n);
    return n <= this.maxFastAttempts ? this.fastMs : this.slowMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** One token bucket shared by all items (BucketRateLimiter): keeps no per-item state. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  constructor(readonly limiter: TokenBucketRateLimiter) {}

  when(_item: T): number {
    return this.limiter.reserve();
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/**
 * The longest wait of several limiters (MaxOfRateLimiter). Every limiter sees every failure,
 * so the bucket spends a token even when the backoff wins, as in client-go.
 */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** DefaultControllerRateLimiter: per-item exponential backoff, and an overall token bucket. */
export function defaultControllerRateLimiter<T>(clock: Clock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(DEFAULTS.workqueueBaseDelayMs, DEFAULTS.workqueueMaxDelayMs),
    new BucketRateLimiter<T>(new TokenBucketRateLimiter(DEFAULTS.workqueueQps, DEFAULTS.workqueueBurst, clock)),
  );
}
