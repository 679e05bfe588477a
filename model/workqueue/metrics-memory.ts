// Per-queue figures kept in memory for a scenario's report (and for tests): the same events the
// Prometheus provider counts, plus peak depth and duration percentiles.
import { build, type Histogram } from 'hdr-histogram-js';
import type { QueueMetrics, UnfinishedWork, WorkqueueMetricsProvider } from './metrics.js';

export interface DurationFigures {
  readonly count: number;
  /** Seconds; 0 when count is 0. */
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface QueueFigures {
  readonly name: string;
  readonly depth: number;
  readonly peakDepth: number;
  readonly adds: number;
  readonly retries: number;
  readonly refused: number;
  /** Time from becoming dirty to a worker's get (workqueue_queue_duration_seconds). */
  readonly queueSeconds: DurationFigures;
  /** Time from get to done (workqueue_work_duration_seconds). */
  readonly workSeconds: DurationFigures;
  readonly unfinishedSeconds: number;
  readonly longestRunningSeconds: number;
}

/** Durations in microseconds with two significant digits: 1% error is plenty for a report. */
class Durations {
  private hist: Histogram | undefined;
  private count = 0;
  private sum = 0;
  private max = 0;

  record(seconds: number): void {
    this.hist ??= build({ lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 2, autoResize: true });
    this.hist.recordValue(Math.max(0, Math.round(seconds * 1e6)));
    this.count++;
    this.sum += seconds;
    this.max = Math.max(this.max, seconds);
  }

  figures(): DurationFigures {
    const at = (p: number) => (this.hist ? this.hist.getValueAtPercentile(p) / 1e6 : 0);
    return { count: this.count, mean: this.count ? this.sum / this.count : 0, p50: at(50), p90: at(90), p99: at(99), max: this.max };
  }
}

interface QueueState {
  depth: number;
  peakDepth: number;
  adds: number;
  retries: number;
  refused: number;
  readonly queued: Durations;
  readonly work: Durations;
  readonly unfinished: (() => UnfinishedWork)[];
}

export class MemoryWorkqueueMetrics implements WorkqueueMetricsProvider {
  private readonly queues = new Map<string, QueueState>();

  queue(name: string, unfinished: () => UnfinishedWork): QueueMetrics {
    let s = this.queues.get(name);
    if (!s) {
      s = { depth: 0, peakDepth: 0, adds: 0, retries: 0, refused: 0, queued: new Durations(), work: new Durations(), unfinished: [] };
      this.queues.set(name, s);
    }
    const st = s;
    st.unfinished.push(unfinished);
    return {
      add: () => { st.adds++; st.depth++; st.peakDepth = Math.max(st.peakDepth, st.depth); },
      get: (sec) => { st.depth--; st.queued.record(sec); },
      done: (sec) => st.work.record(sec),
      retry: () => { st.retries++; },
      refused: () => { st.refused++; },
    };
  }

  /** The figures of the queue(s) called name, or undefined if none was made. */
  figures(name: string): QueueFigures | undefined {
    const s = this.queues.get(name);
    if (!s) return undefined;
    let unfinishedSeconds = 0;
    let longestRunningSeconds = 0;
    for (const u of s.unfinished) {
      const w = u();
      unfinishedSeconds += w.seconds;
      longestRunningSeconds = Math.max(longestRunningSeconds, w.longestSeconds);
    }
    return {
      name, depth: s.depth, peakDepth: s.peakDepth, adds: s.adds, retries: s.retries, refused: s.refused,
      queueSeconds: s.queued.figures(), workSeconds: s.work.figures(), unfinishedSeconds, longestRunningSeconds,
    };
  }

  /** Every queue's figures, by name. */
  all(): QueueFigures[] {
    return [...this.queues.keys()].sort().flatMap((n) => this.figures(n) ?? []);
  }
}
