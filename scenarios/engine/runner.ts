// Runs a scenario against a target: steps in order, the phases of a step in parallel, a sample
// of the client's and the server's figures every second, and at the end the report.
import { cpus, totalmem } from 'node:os';
import type { Clock } from '../../model/clock.js';
import { MemoryWorkqueueMetrics, type DurationFigures } from '../../model/workqueue/metrics-memory.js';
import type { ClientMetrics } from '../client/metrics.js';
import type { RestClient } from '../client/rest.js';
import { REPORT_FORMAT, type Json, type LatencySummary, type PhaseReport, type Rejection, type Report, type StepReport } from '../report/types.js';
import type { RunContext, QueueGauge } from './context.js';
import { RESTMapper } from './mapper.js';
import { ActionPhase } from './phase.js';
import { SeriesBuilder } from './series.js';
import { evaluateSlos, summarize } from './slo.js';
import { paramScope, type ScenarioSpec } from './spec.js';
import { WaitPhase } from './wait.js';

/** What the target's /metrics said at one moment; every field may be missing on a real server. */
export interface ServerSample {
  /** Requests or seats executing now, by request kind or priority level. */
  readonly inflight: Readonly<Record<string, number>>;
  /** Cumulative 429s by reason (APF reason, or max-in-flight request kind). */
  readonly rejected: readonly Rejection[];
  readonly rssBytes: number | null;
  readonly cpuSeconds: number | null;
}

export interface RunOptions {
  readonly spec: ScenarioSpec;
  readonly scale: number;
  readonly clock: Clock;
  readonly clients: ReadonlyMap<string, RestClient>;
  readonly metrics: ClientMetrics;
  /** Reads the target's /metrics; null when it has none or refuses. */
  readonly scrape: () => Promise<ServerSample | null>;
  readonly target: Report['target'];
  readonly commit: string | null;
  /** Called with (done, total) items as phases progress. */
  readonly onProgress?: (done: number, total: number) => void;
}

const UNITS = { requests: 'req/s', latency: 'ms', inflight: 'requests', rejections: '429/s', workqueue: 'items', memory: 'MB', cpu: '% of a core' };

export async function runScenario(opts: RunOptions): Promise<Report> {
  const { spec, clock, metrics } = opts;
  const startMs = clock.now();
  const startedAt = new Date().toISOString();
  const params = paramScope(spec);
  const samples = new Map<string, number[]>();
  const queues = new Set<QueueGauge>();
  const workqueues = new MemoryWorkqueueMetrics();
  const counters: Record<string, number> = {};
  let done = 0;
  let total = 0;
  const ctx: RunContext = {
    clock, mapper: new RESTMapper(), params, queues, createdAt: new Map(), workqueueMetrics: workqueues,
    seconds: () => (clock.now() - startMs) / 1000,
    client: (cluster) => opts.clients.get(cluster) ?? `no cluster "${cluster}" in the target (it has ${[...opts.clients.keys()].slice(0, 5).join(', ')}${opts.clients.size > 5 ? ', …' : ''})`,
    count: (name) => { counters[name] = (counters[name] ?? 0) + 1; },
    time: (name, ms) => { let s = samples.get(name); if (!s) samples.set(name, s = []); s.push(ms); },
    progress: () => opts.onProgress?.(++done, total),
  };

  const series = new SeriesBuilder(UNITS);
  let lastServer: ServerSample | null = null;
  let lastCpu: { at: number; seconds: number } | null = null;
  // A verb seen once reads 0 in later quiet seconds, so its rate line drops instead of breaking off.
  const verbsSeen = new Set<string>();
  const sampleOnce = async () => {
    const t = ctx.seconds();
    const c = metrics.sample();
    const row: Record<string, number | null> = {};
    for (const verb of Object.keys(c.requestsPerSecond)) verbsSeen.add(verb);
    for (const verb of verbsSeen) row[`requests/${verb}`] = c.requestsPerSecond[verb] ?? 0;
    row['latency/p50'] = c.p50Ms;
    row['latency/p99'] = c.p99Ms;
    row['rejections/seen by client'] = c.throttledPerSecond;
    for (const q of queues) row[`workqueue/${q.name}`] = q.len();
    const s = await opts.scrape();
    if (s) {
      for (const [k, v] of Object.entries(s.inflight)) row[`inflight/${k}`] = v;
      const prev = new Map((lastServer?.rejected ?? []).map((r) => [`${r.priorityLevel ?? ''}/${r.reason}`, r.count]));
      for (const r of s.rejected) {
        const key = `rejections/${r.priorityLevel ? `${r.priorityLevel} ` : ''}${r.reason}`;
        row[key] = (r.count - (prev.get(`${r.priorityLevel ?? ''}/${r.reason}`) ?? 0)) / c.intervalSeconds;
      }
      if (s.rssBytes !== null) row['memory/server RSS'] = s.rssBytes / 1e6;
      if (s.cpuSeconds !== null) {
        const now = clock.now();
        if (lastCpu) row['cpu/server'] = (100 * (s.cpuSeconds - lastCpu.seconds)) / Math.max(1e-3, (now - lastCpu.at) / 1000);
        lastCpu = { at: now, seconds: s.cpuSeconds };
      }
      lastServer = s;
    }
    series.push(t, row);
  };
  let sampling = true;
  let sampler: Promise<void> = Promise.resolve();
  const tick = () => {
    if (!sampling) return;
    sampler = sampleOnce().finally(() => { if (sampling) clock.setTimeout(tick, 1000); });
  };
  await sampleOnce();
  clock.setTimeout(tick, 1000);

  const timed = new Set<string>();
  const phasesOf = spec.steps.map((step) => step.phases.map((p) => (p.action === 'wait' ? new WaitPhase(p, ctx, timed) : new ActionPhase(p, ctx))));
  total = phasesOf.flat().reduce((n, p) => n + (p instanceof WaitPhase && p.count() === 0 ? 0 : p.count()), 0);
  const steps: StepReport[] = [];
  let failedSteps = false;
  for (const [k, step] of spec.steps.entries()) {
    const start = ctx.seconds();
    const phases: PhaseReport[] = await Promise.all(phasesOf[k].map((p) => p.run()));
    steps.push({ name: step.name, startSeconds: start, endSeconds: ctx.seconds(), phases });
    for (const p of phases) {
      counters[p.name] = p.succeeded;
      if (p.action === 'wait' && p.endSeconds > p.startSeconds) counters[`${p.name}-per-second`] = Math.round((100 * p.succeeded) / (p.endSeconds - p.startSeconds)) / 100;
    }
    if (phases.some((p) => p.failed > 0 || p.error)) { failedSteps = true; break; }
  }
  sampling = false;
  await sampler;
  await sampleOnce();

  const requests = metrics.summary();
  const responses = metrics.responses();
  counters['requests'] = requests.reduce((n, r) => n + r.count, 0);
  counters['http-429'] = responses.filter((r) => r.code === 429).reduce((n, r) => n + r.count, 0);
  const timings: Record<string, LatencySummary> = Object.fromEntries([...samples].map(([name, s]) => [name, summarize(s)]));
  // client-go's workqueue figures per phase: workqueue_depth's peak, _adds_total, _retries_total,
  // and the queue and work duration histograms.
  for (const q of workqueues.all()) {
    counters[`workqueue ${q.name} peak depth`] = q.peakDepth;
    counters[`workqueue ${q.name} adds`] = q.adds;
    counters[`workqueue ${q.name} retries`] = q.retries;
    timings[`workqueue ${q.name} queue duration`] = inMs(q.queueSeconds);
    timings[`workqueue ${q.name} work duration`] = inMs(q.workSeconds);
  }
  const slos = evaluateSlos(spec.slos, { requests, timings, counters }, params);
  const peakRss = series.peak('memory/server RSS');
  if (peakRss !== null) counters['server-peak-rss-mb'] = Math.round(peakRss);
  const final = lastServer as ServerSample | null;
  return {
    format: REPORT_FORMAT,
    scenario: { name: spec.name, description: spec.description, scale: opts.scale, params: Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, p.value as Json])) },
    target: opts.target,
    clock: 'real',
    startedAt,
    durationSeconds: ctx.seconds(),
    machine: { cores: cpus().length, memoryBytes: totalmem(), node: process.version, commit: opts.commit },
    steps, requests, responses,
    rejections: final?.rejected ?? [],
    retryAfter: metrics.retryAfterStats(),
    counters, timings,
    series: series.build(),
    slos,
    verdict: failedSteps || slos.some((s) => !s.ok) ? 'fail' : 'pass',
  };
}

function inMs(d: DurationFigures): LatencySummary {
  return { count: d.count, meanMs: d.mean * 1000, p50Ms: d.p50 * 1000, p90Ms: d.p90 * 1000, p99Ms: d.p99 * 1000, maxMs: d.max * 1000 };
}
