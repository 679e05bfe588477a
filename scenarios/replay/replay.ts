// Sends a read log to a target and reports it like a scenario run.
//   - Pacing: each request is due at its recorded offset from the first one divided by `speed`
//     (2: twice as fast); `max` sends as soon as a slot is free. At most `concurrency` requests
//     are in flight; a paced replay that needs more falls behind, and the lag is reported.
//   - Order: requests on one object go one after another in log order; other objects in
//     parallel. Requests in a namespace wait for the writes of that Namespace before them
//     (its create), and Namespace writes and deletecollections wait for every earlier request in
//     it, so `--speed max` does not create into a namespace not made yet or delete one still used.
//   - The figures are the load client's (ClientMetrics: per verb and resource, codes, Retry-After)
//     and the per-second series of the scenario runner (RunSampler), in a Report.
import { cpus, totalmem } from 'node:os';
import type { Clock } from '../../model/clock.js';
import type { ClientMetrics } from '../client/metrics.js';
import type { RestClient } from '../client/rest.js';
import { sleep } from '../client/sleep.js';
import { RunSampler, type ServerSample } from '../engine/sampler.js';
import { summarize } from '../engine/slo.js';
import { REPORT_FORMAT, type Json, type LatencySummary, type Report } from '../report/types.js';
import type { ClusterMap } from './clusters.js';
import type { ReplayLog, ReplayRequest } from './read.js';

export interface ReplayOptions {
  readonly log: ReplayLog;
  /** What the replay is called in the report: the log file. */
  readonly name: string;
  /** Recorded time is divided by it; 'max' ignores recorded time. */
  readonly speed: number | 'max';
  readonly concurrency: number;
  readonly mapCluster: ClusterMap;
  readonly clock: Clock;
  readonly clients: ReadonlyMap<string, RestClient>;
  readonly metrics: ClientMetrics;
  readonly scrape: () => Promise<ServerSample | null>;
  readonly target: Report['target'];
  readonly params: Readonly<Record<string, Json>>;
  readonly commit: string | null;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The target clusters the log's clusters map to that the target does not have; empty when all are there. */
export function missingClusters(log: ReplayLog, mapCluster: ClusterMap, clients: ReadonlyMap<string, RestClient>): string[] {
  const missing = new Set<string>();
  for (const r of log.requests) {
    const to = mapCluster(r.cluster);
    if (!clients.has(to)) missing.add(r.cluster === to ? to : `${to} (from ${r.cluster})`);
  }
  return [...missing].sort();
}

/** A counting semaphore whose waiters are served in arrival order. */
class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}

/** What each request must wait for, and the bookkeeping that lets later ones wait for it. */
class Ordering {
  private readonly lastOnObject = new Map<string, Promise<void>>();
  private readonly lastBarrier = new Map<string, Promise<void>>();
  private readonly inNamespace = new Map<string, Set<Promise<void>>>();

  /** Registers `r` (in cluster `cluster`) and returns what it waits for; call `track` with its promise. */
  before(cluster: string, r: ReplayRequest): Promise<unknown>[] {
    const deps: Promise<unknown>[] = [];
    const obj = r.objectKey ? this.lastOnObject.get(`${cluster}/${r.objectKey}`) : undefined;
    if (obj) deps.push(obj);
    if (r.namespace) {
      const ns = `${cluster}/${r.namespace}`;
      const barrier = this.lastBarrier.get(ns);
      if (barrier) deps.push(barrier);
      if (r.barrier) deps.push(...(this.inNamespace.get(ns) ?? []));
    }
    return deps;
  }

  track(cluster: string, r: ReplayRequest, done: Promise<void>): void {
    if (r.objectKey) {
      const key = `${cluster}/${r.objectKey}`;
      this.lastOnObject.set(key, done);
      void done.then(() => { if (this.lastOnObject.get(key) === done) this.lastOnObject.delete(key); });
    }
    if (!r.namespace) return;
    const ns = `${cluster}/${r.namespace}`;
    if (r.barrier) {
      this.lastBarrier.set(ns, done);
      void done.then(() => { if (this.lastBarrier.get(ns) === done) this.lastBarrier.delete(ns); });
      return;
    }
    let set = this.inNamespace.get(ns);
    if (!set) this.inNamespace.set(ns, (set = new Set()));
    set.add(done);
    void done.then(() => {
      set.delete(done);
      if (set.size === 0 && this.inNamespace.get(ns) === set) this.inNamespace.delete(ns);
    });
  }
}

export async function replay(opts: ReplayOptions): Promise<Report> {
  const { log, clock, metrics } = opts;
  const startMs = clock.now();
  const startedAt = new Date().toISOString();
  const seconds = (): number => (clock.now() - startMs) / 1000;
  const sampler = new RunSampler({ clock, metrics, scrape: opts.scrape, seconds });
  await sampler.start();

  const slots = new Slots(opts.concurrency);
  const ordering = new Ordering();
  const pending = new Set<Promise<void>>();
  const lags: number[] = [];
  let ok = 0;
  let failed = 0;
  let failedAgain = 0;
  let done = 0;
  const total = log.requests.length;
  const firstAt = log.requests[0]?.atMs ?? 0;
  for (const r of log.requests) {
    const due = opts.speed === 'max' ? clock.now() : startMs + (r.atMs - firstAt) / opts.speed;
    if (due > clock.now()) await sleep(clock, due - clock.now());
    await slots.acquire();
    if (opts.speed !== 'max') lags.push(Math.max(0, clock.now() - due));
    const cluster = opts.mapCluster(r.cluster);
    const client = opts.clients.get(cluster) as RestClient;
    const deps = ordering.before(cluster, r);
    const send = async (): Promise<void> => {
      if (deps.length > 0) await Promise.all(deps);
      const res = await client.request({
        verb: r.verb, resource: r.resource, method: r.method, path: r.path, query: r.query, discardBody: true,
        ...(r.body !== undefined ? { body: r.body, contentType: r.contentType } : {}),
      });
      if (res.status >= 200 && res.status < 300) ok++;
      else if (r.recordedCode !== undefined && r.recordedCode >= 400) failedAgain++;
      else failed++;
    };
    const p = send().finally(() => {
      slots.release();
      pending.delete(p);
      opts.onProgress?.(++done, total);
    });
    pending.add(p);
    ordering.track(cluster, r, p);
  }
  await Promise.all(pending);
  await sampler.stop();

  const requests = metrics.summary();
  const responses = metrics.responses();
  const skipped = Object.entries(log.skipped).sort(([a], [b]) => a.localeCompare(b));
  const counters: Record<string, number> = {
    'log lines': log.lines,
    'logged requests': log.logged,
    replayed: total,
    succeeded: ok,
    failed,
    ...(failedAgain > 0 ? { 'failed as recorded': failedAgain } : {}),
    ...Object.fromEntries(skipped.map(([reason, n]) => [`skipped ${reason}`, n])),
    requests: requests.reduce((n, s) => n + s.count, 0),
    'http-429': responses.filter((s) => s.code === 429).reduce((n, s) => n + s.count, 0),
  };
  const peakRss = sampler.peak('memory/server RSS');
  if (peakRss !== null) counters['server-peak-rss-mb'] = Math.round(peakRss);
  const recorded = log.requests.flatMap((r) => (r.recordedMs !== undefined ? [r.recordedMs] : []));
  const timings: Record<string, LatencySummary> = {};
  if (recorded.length > 0) timings['recorded latency'] = summarize(recorded);
  if (lags.length > 0) timings['behind schedule'] = summarize(lags);
  const duration = seconds();
  return {
    format: REPORT_FORMAT,
    scenario: { name: opts.name, description: `replay of ${opts.name}: ${total} requests at speed ${opts.speed}`, scale: 1, params: opts.params },
    target: opts.target,
    clock: 'real',
    startedAt,
    durationSeconds: duration,
    machine: { cores: cpus().length, memoryBytes: totalmem(), node: process.version, commit: opts.commit },
    steps: [{
      name: 'replay', startSeconds: 0, endSeconds: duration,
      phases: [{ name: 'replay', action: 'replay', count: total, succeeded: ok, failed: failed + failedAgain, startSeconds: 0, endSeconds: duration }],
    }],
    requests, responses,
    rejections: sampler.server()?.rejected ?? [],
    retryAfter: metrics.retryAfterStats(),
    counters, timings,
    series: sampler.build(),
    slos: [],
    // Requests that failed on the first server too are no surprise; others mean the target differs.
    verdict: failed > 0 ? 'fail' : 'pass',
  };
}
