// The once-a-second sample of a run, shared by `kemu run` and `kemu replay`: the client's request
// rates and latencies, the target's /metrics (in-flight, 429s by reason, memory, CPU) and any
// gauges the caller adds (workqueue depths), pushed as one row of the report's series.
import type { Clock } from '../../model/clock.js';
import type { ClientMetrics } from '../client/metrics.js';
import type { Rejection, Series } from '../report/types.js';
import { SeriesBuilder } from './series.js';

/** What the target's /metrics said at one moment; every field may be missing on a real server. */
export interface ServerSample {
  /** Requests or seats executing now, by request kind or priority level. */
  readonly inflight: Readonly<Record<string, number>>;
  /** Cumulative 429s by reason (APF reason, or max-in-flight request kind). */
  readonly rejected: readonly Rejection[];
  readonly rssBytes: number | null;
  readonly cpuSeconds: number | null;
}

export interface SamplerOptions {
  readonly clock: Clock;
  readonly metrics: ClientMetrics;
  /** Reads the target's /metrics; null when it has none or refuses. */
  readonly scrape: () => Promise<ServerSample | null>;
  /** Seconds since the run started, the series' time axis. */
  readonly seconds: () => number;
  /** Adds the caller's own gauges to a row. */
  readonly extra?: (row: Record<string, number | null>) => void;
  /** Units of the caller's own groups, besides the standard ones. */
  readonly units?: Readonly<Record<string, string>>;
}

const UNITS = { requests: 'req/s', latency: 'ms', inflight: 'requests', rejections: '429/s', memory: 'MB', cpu: '% of a core' };

export class RunSampler {
  private readonly series: SeriesBuilder;
  private lastServer: ServerSample | null = null;
  private lastCpu: { at: number; seconds: number } | null = null;
  // A verb seen once reads 0 in later quiet seconds, so its rate line drops instead of breaking off.
  private readonly verbsSeen = new Set<string>();
  private sampling = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SamplerOptions) {
    this.series = new SeriesBuilder({ ...UNITS, ...opts.units });
  }

  /** Takes the first sample, then one every second until stop(). */
  async start(): Promise<void> {
    await this.sampleOnce();
    this.sampling = true;
    this.opts.clock.setTimeout(this.tick, 1000);
  }

  /** Stops the ticks and takes the closing sample. */
  async stop(): Promise<void> {
    this.sampling = false;
    await this.pending;
    await this.sampleOnce();
  }

  /** The last answer of the target's /metrics, null when it never answered. */
  server(): ServerSample | null {
    return this.lastServer;
  }

  peak(name: string): number | null {
    return this.series.peak(name);
  }

  build(): Series {
    return this.series.build();
  }

  private readonly tick = (): void => {
    if (!this.sampling) return;
    this.pending = this.sampleOnce().finally(() => { if (this.sampling) this.opts.clock.setTimeout(this.tick, 1000); });
  };

  private async sampleOnce(): Promise<void> {
    const { opts } = this;
    const t = opts.seconds();
    const c = opts.metrics.sample();
    const row: Record<string, number | null> = {};
    for (const verb of Object.keys(c.requestsPerSecond)) this.verbsSeen.add(verb);
    for (const verb of this.verbsSeen) row[`requests/${verb}`] = c.requestsPerSecond[verb] ?? 0;
    row['latency/p50'] = c.p50Ms;
    row['latency/p99'] = c.p99Ms;
    row['rejections/seen by client'] = c.throttledPerSecond;
    opts.extra?.(row);
    const s = await opts.scrape();
    if (s) {
      for (const [k, v] of Object.entries(s.inflight)) row[`inflight/${k}`] = v;
      const prev = new Map((this.lastServer?.rejected ?? []).map((r) => [`${r.priorityLevel ?? ''}/${r.reason}`, r.count]));
      for (const r of s.rejected) {
        const key = `rejections/${r.priorityLevel ? `${r.priorityLevel} ` : ''}${r.reason}`;
        row[key] = (r.count - (prev.get(`${r.priorityLevel ?? ''}/${r.reason}`) ?? 0)) / c.intervalSeconds;
      }
      if (s.rssBytes !== null) row['memory/server RSS'] = s.rssBytes / 1e6;
      if (s.cpuSeconds !== null) {
        const now = opts.clock.now();
        if (this.lastCpu) row['cpu/server'] = (100 * (s.cpuSeconds - this.lastCpu.seconds)) / Math.max(1e-3, (now - this.lastCpu.at) / 1000);
        this.lastCpu = { at: now, seconds: s.cpuSeconds };
      }
      this.lastServer = s;
    }
    this.series.push(t, row);
  }
}
