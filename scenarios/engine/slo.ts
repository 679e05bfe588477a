// SLO verdicts of a run. A latency SLO takes the worst p-th percentile over the (verb, resource)
// pairs of the verbs named, as clusterloader2's API-responsiveness SLO does (p99 ≤ 1 s per pair
// for mutating calls), rather than one percentile over a mix of pairs.
import type { LatencySummary, RequestStats, SloResult } from '../report/types.js';
import type { Scope } from './expr.js';
import { evalNumber } from './phase.js';
import type { SloSpec } from './spec.js';

export interface SloInputs {
  readonly requests: readonly RequestStats[];
  readonly timings: Readonly<Record<string, LatencySummary>>;
  readonly counters: Readonly<Record<string, number>>;
  /** Latency percentiles the stats do not carry (p-th of a verb/resource pair), when asked. */
  percentileOf?(verb: string, resource: string, p: number): number | null;
}

function pick(s: LatencySummary, p: number): number | null {
  if (p === 50) return s.p50Ms;
  if (p === 90) return s.p90Ms;
  if (p === 99) return s.p99Ms;
  if (p === 100) return s.maxMs;
  return null;
}

export function evaluateSlos(slos: readonly SloSpec[], inputs: SloInputs, params: Scope): SloResult[] {
  return slos.map((slo) => {
    if (slo.latency) {
      const { verbs, percentile } = slo.latency;
      const pairs = inputs.requests.filter((r) => verbs.includes(r.verb) && r.resource !== 'discovery' && r.count > 0);
      const values = pairs.map((r) => pick(r, percentile) ?? inputs.percentileOf?.(r.verb, r.resource, percentile) ?? null);
      const value = values.some((v) => v === null) ? null : values.length ? Math.max(...(values as number[])) : null;
      const threshold = evalNumber(slo.maxMs, params, `${slo.name}.maxMs`, 1000);
      return {
        name: slo.name, description: slo.description ?? `worst p${percentile} latency of ${verbs.join('/')} calls per resource`,
        threshold, value, unit: 'ms', ok: value !== null && value <= threshold,
      };
    }
    if (slo.timing) {
      const s = inputs.timings[slo.timing.name];
      const value = s ? pick(s, slo.timing.percentile) : null;
      const threshold = evalNumber(slo.maxMs, params, `${slo.name}.maxMs`, 0);
      return {
        name: slo.name, description: slo.description ?? `p${slo.timing.percentile} of ${slo.timing.name}`,
        threshold, value, unit: 'ms', ok: value !== null && value <= threshold,
      };
    }
    const counter = slo.counter ?? '';
    const value = inputs.counters[counter] ?? null;
    const min = slo.min === undefined ? undefined : evalNumber(slo.min, params, `${slo.name}.min`, 0);
    const max = slo.max === undefined ? undefined : evalNumber(slo.max, params, `${slo.name}.max`, 0);
    const ok = value !== null && (min === undefined || value >= min) && (max === undefined || value <= max);
    const bound = min !== undefined ? `≥ ${min}` : `≤ ${max}`;
    return {
      name: slo.name, description: slo.description ?? `${counter} ${bound}`,
      threshold: min ?? max ?? 0, value, unit: 'count', ok,
    };
  });
}

/** Percentile summary of raw samples (timings are at most one sample per object of a run). */
export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 };
  const s = [...samples].sort((a, b) => a - b);
  // Nearest-rank percentiles, as hdr-histogram reports them.
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { count: s.length, meanMs: mean, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: s[s.length - 1] };
}
