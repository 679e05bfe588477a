// Runs a scenario against a target: steps in order, the phases of a step in parallel, a sample
// of the client's and the server's figures every second, and at the end the report.
import { cpus, totalmem } from 'node:os';
import type { Clock } from '../../model/clock.js';
import { MemoryWorkqueueMetrics, type DurationFigures } from '../../model/workqueue/metrics-memory.js';
import type { ClientMetrics } from '../client/metrics.js';
import type { RestClient } from '../client/rest.js';
import { REPORT_FORMAT, type Json, type LatencySummary, type PhaseReport, type Report, type StepReport } from '../report/types.js';
import type { RunContext, QueueGauge } from './context.js';
import { RESTMapper } from './mapper.js';
import { ModulePhase } from './module-phase.js';
import { ActionPhase } from './phase.js';
import { RunSampler, type ServerSample } from './sampler.js';
import { evaluateSlos, summarize } from './slo.js';
import { paramScope, type ScenarioSpec } from './spec.js';
import { WaitPhase } from './wait.js';

export interface RunOptions {
  readonly spec: ScenarioSpec;
  readonly scale: number;
  readonly clock: Clock;
  /** What the report calls the clock; default real. */
  readonly clockKind?: Report['clock'];
  readonly clients: ReadonlyMap<string, RestClient>;
  readonly metrics: ClientMetrics;
  /** Reads the target's /metrics; null when it has none or refuses. */
  readonly scrape: () => Promise<ServerSample | null>;
  readonly target: Report['target'];
  readonly commit: string | null;
  /** Called with (done, total) items as phases progress. */
  readonly onProgress?: (done: number, total: number) => void;
}

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
    clusters: () => [...opts.clients.keys()],
    client: (cluster) => opts.clients.get(cluster) ?? `no cluster "${cluster}" in the target (it has ${[...opts.clients.keys()].slice(0, 5).join(', ')}${opts.clients.size > 5 ? ', …' : ''})`,
    count: (name) => { counters[name] = (counters[name] ?? 0) + 1; },
    time: (name, ms) => { let s = samples.get(name); if (!s) samples.set(name, s = []); s.push(ms); },
    progress: () => opts.onProgress?.(++done, total),
  };

  const sampler = new RunSampler({
    clock, metrics, scrape: opts.scrape, seconds: ctx.seconds, units: { workqueue: 'items' },
    extra: (row) => { for (const q of queues) row[`workqueue/${q.name}`] = q.len(); },
  });
  await sampler.start();

  const timed = new Set<string>();
  const phasesOf = spec.steps.map((step) => step.phases.map((p) =>
    p.action === 'wait' ? new WaitPhase(p, ctx, timed) : p.action === 'run' ? new ModulePhase(p, ctx) : new ActionPhase(p, ctx)));
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
  await sampler.stop();

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
  const peakRss = sampler.peak('memory/server RSS');
  if (peakRss !== null) counters['server-peak-rss-mb'] = Math.round(peakRss);
  const final = sampler.server();
  return {
    format: REPORT_FORMAT,
    scenario: { name: spec.name, description: spec.description, scale: opts.scale, params: Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, p.value as Json])) },
    target: opts.target,
    clock: opts.clockKind ?? 'real',
    startedAt,
    durationSeconds: ctx.seconds(),
    machine: { cores: cpus().length, memoryBytes: totalmem(), node: process.version, commit: opts.commit },
    steps, requests, responses,
    rejections: final?.rejected ?? [],
    retryAfter: metrics.retryAfterStats(),
    counters, timings,
    series: sampler.build(),
    slos,
    verdict: failedSteps || slos.some((s) => !s.ok) ? 'fail' : 'pass',
  };
}

function inMs(d: DurationFigures): LatencySummary {
  return { count: d.count, meanMs: d.mean * 1000, p50Ms: d.p50 * 1000, p90Ms: d.p90 * 1000, p99Ms: d.p99 * 1000, maxMs: d.max * 1000 };
}
