// The Retry-After a rejected request is told, per priority level, as
// staging/src/k8s.io/apiserver/pkg/util/flowcontrol/dropped_requests_tracker.go computes it:
// it starts at 1 s, doubles (at most every retryAfter seconds, up to 32) while at least
// 3*retryAfter requests were dropped in the last retryAfter seconds, and shrinks by one second
// when fewer than retryAfter were, like TCP's congestion window.

/** dropped_requests_tracker.go maxRetryAfter. */
const MAX_RETRY_AFTER_SECONDS = 32;

interface SecondCount {
  readonly second: number;
  readonly count: number;
}

class DroppedRequestsStats {
  /** Completed seconds, oldest first, trimmed to what the next decision can look at. */
  private history: SecondCount[] = [];
  private currentSecond = 0;
  private currentCount = 0;
  retryAfter = 1;
  private lastIncrease = 0;

  record(second: number): void {
    if (second === this.currentSecond) {
      this.currentCount++;
      return;
    }
    this.pushHistory(this.currentSecond, this.currentCount);
    this.currentSecond = second;
    this.currentCount = 1;
    // The decision looks at the seconds before this one, as the current one has just begun.
    this.adjust(second);
  }

  private pushHistory(second: number, count: number): void {
    this.history.push({ second, count });
    const keep = Math.min(2 * this.retryAfter, MAX_RETRY_AFTER_SECONDS);
    let start = 0;
    while (start < this.history.length && second - this.history[start].second > keep) start++;
    if (start > 0) this.history = this.history.slice(start);
  }

  private adjust(now: number): void {
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i];
      if (now - h.second > this.retryAfter) break;
      if (h.second < now) dropped += h.count;
    }
    if (now - this.lastIncrease >= this.retryAfter && dropped >= 3 * this.retryAfter) {
      this.retryAfter = Math.min(2 * this.retryAfter, MAX_RETRY_AFTER_SECONDS);
      this.lastIncrease = now;
    } else if (dropped < this.retryAfter && this.retryAfter > 1) {
      this.retryAfter--;
    }
  }
}

export class DroppedRequestsTracker {
  private readonly levels = new Map<string, DroppedRequestsStats>();

  /** Notes a rejection at `nowMs` and returns the Retry-After, in seconds, to send with it. */
  recordAndGet(priorityLevel: string, nowMs: number): number {
    let stats = this.levels.get(priorityLevel);
    if (stats === undefined) {
      stats = new DroppedRequestsStats();
      this.levels.set(priorityLevel, stats);
    }
    stats.record(Math.floor(nowMs / 1000));
    return stats.retryAfter;
  }

  /** Forgets levels that no longer exist, so the map stays bounded by the configuration. */
  retain(priorityLevels: ReadonlySet<string>): void {
    for (const name of this.levels.keys()) if (!priorityLevels.has(name)) this.levels.delete(name);
  }
}
