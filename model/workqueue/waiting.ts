// The delaying queue's waiting room (client-go util/workqueue/delaying_queue.go): items with a
// deadline in a min-heap, at most one entry per item, and a single Clock timer armed for the
// earliest deadline, so 60,000 delayed items cost 60,000 heap entries and one timer.
import type { Clock, TimerHandle } from '../clock.js';

interface Entry<T> {
  readonly item: T;
  at: number;
  /** Tie-break so items due at the same ms leave in the order they came. */
  readonly seq: number;
  index: number;
}

export class Waiting<T> {
  private readonly heap: Entry<T>[] = [];
  private readonly entries = new Map<T, Entry<T>>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private seq = 0;

  /** ready(item) is called when item's deadline has passed; the item has left the waiting room. */
  constructor(private readonly clock: Clock, private readonly ready: (item: T) => void) {}

  get size(): number {
    return this.heap.length;
  }

  has(item: T): boolean {
    return this.entries.has(item);
  }

  /**
   * Waits item until `at` (ms since the epoch). An item already waiting keeps the earlier of its
   * two deadlines, as delaying_queue.go's insert does.
   */
  schedule(item: T, at: number): void {
    const e = this.entries.get(item);
    if (e) {
      if (at >= e.at) return;
      e.at = at;
      this.up(e.index);
    } else {
      const n: Entry<T> = { item, at, seq: this.seq++, index: this.heap.length };
      this.entries.set(item, n);
      this.heap.push(n);
      this.up(n.index);
    }
    this.arm();
  }

  /** Forgets every waiting item and the timer (a shut-down queue adds nothing later). */
  clear(): void {
    this.heap.length = 0;
    this.entries.clear();
    this.disarm();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const e = this.pop();
      this.entries.delete(e.item);
      this.ready(e.item);
    }
    this.arm();
  }

  /** Keeps one timer at or before the earliest deadline; an early one re-arms when it fires. */
  private arm(): void {
    const top = this.heap[0];
    if (!top) return this.disarm();
    if (this.timer && this.timerAt <= top.at) return;
    this.disarm();
    this.timerAt = top.at;
    this.timer = this.clock.setTimeout(() => this.fire(), top.at - this.clock.now());
  }

  private disarm(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private pop(): Entry<T> {
    const top = this.heap[0];
    const last = this.heap.pop() as Entry<T>;
    if (last !== top) {
      this.heap[0] = last;
      last.index = 0;
      this.down(0);
    }
    return top;
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    [h[i], h[j]] = [h[j], h[i]];
    h[i].index = i;
    h[j].index = j;
  }
}
