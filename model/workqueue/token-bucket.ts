// A token bucket like golang.org/x/time/rate.Limiter, which client-go's
// flowcontrol.NewTokenBucketRateLimiter (a rest client's QPS/burst) and the workqueue's
// BucketRateLimiter both wrap. Tokens are a float that refills continuously; a reservation
// takes a token even when none is there, leaving the bucket in debt, so later reservations
// queue up behind it exactly as rate.Limiter.Reserve orders them.
import type { Clock } from '../clock.js';

export class TokenBucketRateLimiter {
  private tokens: number;
  private last: number;

  /**
   * @param qps tokens per second, > 0; Infinity never limits (rate.Inf).
   * @param burst the bucket's size, an integer >= 1; the bucket starts full.
   */
  constructor(readonly qps: number, readonly burst: number, private readonly clock: Clock) {
    if (!(qps > 0)) throw new RangeError(`token bucket qps must be > 0, got ${qps}`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`token bucket burst must be an integer >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token if one is there now (rate.Limiter.Allow). */
  tryAccept(): boolean {
    if (this.qps === Infinity) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Reserves the next token; returns the ms to wait before using it (0 if available now). */
  reserve(): number {
    if (this.qps === Infinity) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  /** Resolves when a reserved token may be used. */
  wait(): Promise<void> {
    const ms = this.reserve();
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => { this.clock.setTimeout(resolve, ms); });
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that steps back (rate.Limiter.advance) refills nothing rather than draining.
    if (now <= this.last) return;
    // elapsed * qps first, then / 1000: whole-ms steps at round rates give whole tokens.
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
  }
}
