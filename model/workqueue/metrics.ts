// Workqueue metrics with client-go's names, help and `name` label (util/workqueue/metrics.go,
// registered by component-base/metrics/prometheus/workqueue). The queue measures durations on
// its injected Clock and hands them to a provider, so virtual time yields virtual durations.
// Unlike client-go, which refreshes the unfinished-work gauges from a goroutine every 500 ms,
// they are computed when read, so an idle queue keeps no timer.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Work held by workers right now: the sum of their ages and the oldest's age, in seconds. */
export interface UnfinishedWork {
  readonly seconds: number;
  readonly longestSeconds: number;
}

/** One queue's events, as client-go's queueMetrics sees them. */
export interface QueueMetrics {
  /** An item became dirty (client-go's depth +1, adds +1). */
  add(): void;
  /** A worker took an item that had waited queuedSeconds since it became dirty (depth -1). */
  get(queuedSeconds: number): void;
  /** A worker finished an item after workSeconds. */
  done(workSeconds: number): void;
  /** addAfter was called: client-go's delaying queue counts every AddAfter as a retry. */
  retry(): void;
  /** An add was refused because the queue was at its capacity (kemu's, not client-go's). */
  refused(): void;
}

export interface WorkqueueMetricsProvider {
  /** Called once per queue; `unfinished` is called whenever the figures are read. */
  queue(name: string, unfinished: () => UnfinishedWork): QueueMetrics;
}

export const noopWorkqueueMetrics: WorkqueueMetricsProvider = {
  queue: () => ({ add() {}, get() {}, done() {}, retry() {}, refused() {} }),
};

/** Feeds every event to each provider, e.g. Prometheus for /metrics and memory for a report. */
export function teeWorkqueueMetrics(...providers: WorkqueueMetricsProvider[]): WorkqueueMetricsProvider {
  return {
    queue(name, unfinished) {
      const all = providers.map((p) => p.queue(name, unfinished));
      return {
        add: () => { for (const m of all) m.add(); },
        get: (s) => { for (const m of all) m.get(s); },
        done: (s) => { for (const m of all) m.done(s); },
        retry: () => { for (const m of all) m.retry(); },
        refused: () => { for (const m of all) m.refused(); },
      };
    },
  };
}

/**
 * prometheus.ExponentialBuckets(10e-9, 10, 10): 1e-8 s to 10 s, computed by the same repeated
 * multiplication so the bounds are client-go's floats (9.999999999999999e-06 among them).
 */
export const WORKQUEUE_DURATION_BUCKETS: readonly number[] = (() => {
  const buckets: number[] = [];
  for (let b = 10e-9; buckets.length < 10; b *= 10) buckets.push(b);
  return buckets;
})();

/** The client-go workqueue metrics in a prom-client Registry; one instance per Registry. */
export class PromWorkqueueMetrics implements WorkqueueMetricsProvider {
  private readonly sources: { name: string; unfinished: () => UnfinishedWork }[] = [];
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly latency: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly retries: Counter<'name'>;
  private readonly refusals: Counter<'name'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['name'] as const;
    const buckets = [...WORKQUEUE_DURATION_BUCKETS];
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames, registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames, registers });
    this.latency = new Histogram({
      name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested.',
      labelNames, buckets, registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.',
      labelNames, buckets, registers,
    });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames, registers });
    this.refusals = new Counter({
      name: 'kemu_workqueue_refused_adds_total', help: 'Adds refused because the workqueue was at its capacity',
      labelNames, registers,
    });
    this.unfinishedGauge('workqueue_unfinished_work_seconds',
      'How many seconds of work has done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      (u) => u.seconds, (a, b) => a + b, registry);
    this.unfinishedGauge('workqueue_longest_running_processor_seconds',
      'How many seconds has the longest running processor for workqueue been running.',
      (u) => u.longestSeconds, Math.max, registry);
  }

  queue(name: string, unfinished: () => UnfinishedWork): QueueMetrics {
    this.sources.push({ name, unfinished });
    // Label children resolved once per queue: the hot path then skips label hashing.
    const depth = this.depth.labels({ name });
    const adds = this.adds.labels({ name });
    const latency = this.latency.labels({ name });
    const work = this.workDuration.labels({ name });
    const retries = this.retries.labels({ name });
    const refusals = this.refusals.labels({ name });
    return {
      add: () => { adds.inc(); depth.inc(); },
      get: (s) => { depth.dec(); latency.observe(s); },
      done: (s) => work.observe(s),
      retry: () => retries.inc(),
      refused: () => refusals.inc(),
    };
  }

  private unfinishedGauge(
    name: string, help: string, read: (u: UnfinishedWork) => number, combine: (a: number, b: number) => number, registry: Registry,
  ): void {
    const sources = this.sources;
    new Gauge({
      name, help, labelNames: ['name'], registers: [registry],
      collect() {
        this.reset();
        // Queues sharing a name share a series: their work adds up, their longest is the max.
        const byName = new Map<string, number>();
        for (const s of sources) {
          const v = read(s.unfinished());
          const seen = byName.get(s.name);
          byName.set(s.name, seen === undefined ? v : combine(seen, v));
        }
        for (const [n, v] of byName) this.set({ name: n }, v);
      },
    });
  }
}
