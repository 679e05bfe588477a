// client-go's rate-limiting work queue (util/workqueue queue.go, delaying_queue.go,
// rate_limiting_queue.go) on the injected Clock:
// - fair: items are handed out in the order they became ready;
// - stingy: an item added again before a worker takes it is queued once (the dirty set), and
//   an item a worker holds is never handed to a second worker (the processing set); added
//   while held, it is handed out again after done();
// - delayed adds wait in a heap under one Clock timer; rate-limited adds wait as the
//   RateLimiter says.
// get() returns a Promise instead of blocking a goroutine; the item is marked processing the
// moment it is handed over, so awaiting workers cannot race for it.
import type { Clock } from '../clock.js';
import { Fifo } from './fifo.js';
import { noopWorkqueueMetrics, type QueueMetrics, type UnfinishedWork, type WorkqueueMetricsProvider } from './metrics.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiters.js';
import { Waiting } from './waiting.js';

export interface RateLimitingQueueOptions<T> {
  /** The `name` label of the queue's metrics. */
  readonly name: string;
  readonly clock: Clock;
  /** For addRateLimited; defaultControllerRateLimiter(clock) when not given, as controllers use. */
  readonly rateLimiter?: RateLimiter<T>;
  readonly metrics?: WorkqueueMetricsProvider;
  /**
   * The most items the queue holds, ready plus delayed; adds beyond it are refused and counted.
   * Unbounded by default, as client-go's queue is: dedup already bounds it by the number of
   * distinct items (object keys, themselves bounded by the store), and depth and peak depth are
   * metered so a report shows when that bound is large.
   */
  readonly maxDepth?: number;
}

export type GetResult<T> =
  | { readonly item: T; readonly shutdown: false }
  | { readonly item: undefined; readonly shutdown: true };

const SHUTDOWN: GetResult<never> = Object.freeze({ item: undefined, shutdown: true });

export class RateLimitingQueue<T> {
  readonly name: string;
  readonly maxDepth: number;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<T>;
  private readonly metrics: QueueMetrics;
  /** Ready items in order; each is also in dirty and not in processing. */
  private readonly ready = new Fifo<T>();
  /** Items waiting for a worker (ready, or re-added while processing), with when they became dirty. */
  private readonly dirty = new Map<T, number>();
  /** Items a worker holds, with when it took them. */
  private readonly processing = new Map<T, number>();
  private readonly waiting: Waiting<T>;
  private readonly getters = new Fifo<(r: GetResult<T>) => void>();
  private drainers: (() => void)[] = [];
  private shutdown = false;

  constructor(opts: RateLimitingQueueOptions<T>) {
    const maxDepth = opts.maxDepth ?? Infinity;
    if (!(maxDepth >= 1)) throw new RangeError(`workqueue maxDepth must be >= 1, got ${maxDepth}`);
    this.name = opts.name;
    this.maxDepth = maxDepth;
    this.clock = opts.clock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(opts.clock);
    this.metrics = (opts.metrics ?? noopWorkqueueMetrics).queue(opts.name, () => this.unfinished());
    this.waiting = new Waiting<T>(opts.clock, (item) => this.add(item));
  }

  /**
   * Queues item unless it is already waiting for a worker. False when refused: the queue is
   * shutting down, or full.
   */
  add(item: T): boolean {
    if (this.shutdown) return false;
    if (this.dirty.has(item)) return true;
    if (this.full()) return false;
    this.metrics.add();
    this.dirty.set(item, this.clock.now());
    if (!this.processing.has(item)) this.push(item);
    return true;
  }

  /**
   * Adds item after ms; an item already delayed keeps the earlier deadline. Counted as a retry,
   * as client-go's AddAfter counts it.
   */
  addAfter(item: T, ms: number): boolean {
    if (this.shutdown) return false;
    this.metrics.retry();
    if (ms <= 0) return this.add(item);
    if (!this.waiting.has(item) && this.full()) return false;
    this.waiting.schedule(item, this.clock.now() + ms);
    return true;
  }

  /** Adds item when the rate limiter allows: its when(item) also records the failure. */
  addRateLimited(item: T): boolean {
    return this.addAfter(item, this.limiter.when(item));
  }

  /** Stops tracking item's failures (call on success, or when giving up on it). */
  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }

  /**
   * The next ready item, waiting for one if none is ready. After shutDown, the items still
   * queued are handed out, then every get resolves {shutdown: true}.
   */
  get(): Promise<GetResult<T>> {
    if (this.ready.length > 0) return Promise.resolve(this.take());
    if (this.shutdown) return Promise.resolve(SHUTDOWN);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** A worker is finished with item; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    const started = this.processing.get(item);
    if (started === undefined) return;
    this.metrics.done((this.clock.now() - started) / 1000);
    this.processing.delete(item);
    if (this.dirty.has(item)) this.push(item);
    if (this.processing.size === 0) this.releaseDrainers();
  }

  /** Items ready for a worker. */
  len(): number {
    return this.ready.length;
  }

  /** Items waiting for their addAfter deadline. */
  delayed(): number {
    return this.waiting.size;
  }

  /** Refuses new adds, drops delayed items, and wakes idle workers with {shutdown: true}. */
  shutDown(): void {
    this.stop();
    // As in client-go, a plain shutdown ends any drain in progress.
    this.releaseDrainers();
  }

  /**
   * Like shutDown, then resolves once no worker holds an item. Items still queued are handed to
   * workers that ask, but only held items are waited for, as in client-go's ShutDownWithDrain.
   */
  shutDownWithDrain(): Promise<void> {
    this.stop();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  shuttingDown(): boolean {
    return this.shutdown;
  }

  private stop(): void {
    this.shutdown = true;
    this.waiting.clear();
    // Waiting getters mean nothing is ready, and nothing can be added any more.
    while (this.getters.length > 0) this.getters.shift()(SHUTDOWN);
  }

  /** True, and counted, when one more item would exceed maxDepth. */
  private full(): boolean {
    if (this.dirty.size + this.waiting.size < this.maxDepth) return false;
    this.metrics.refused();
    return true;
  }

  /** Makes item ready, handing it straight to the longest-waiting worker if there is one. */
  private push(item: T): void {
    this.ready.push(item);
    if (this.getters.length > 0) this.getters.shift()(this.take());
  }

  private take(): GetResult<T> {
    const item = this.ready.shift();
    const now = this.clock.now();
    this.metrics.get((now - (this.dirty.get(item) ?? now)) / 1000);
    this.dirty.delete(item);
    this.processing.set(item, now);
    return { item, shutdown: false };
  }

  private releaseDrainers(): void {
    const drainers = this.drainers;
    this.drainers = [];
    for (const d of drainers) d();
  }

  private unfinished(): UnfinishedWork {
    const now = this.clock.now();
    let seconds = 0;
    let longestSeconds = 0;
    for (const started of this.processing.values()) {
      const age = (now - started) / 1000;
      seconds += age;
      longestSeconds = Math.max(longestSeconds, age);
    }
    return { seconds, longestSeconds };
  }
}
