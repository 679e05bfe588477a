// What the load client saw, in the shapes of scenarios/report/types.ts. Modeled on client-go's
// rest client metrics (k8s.io/client-go/tools/metrics):
//   rest_client_request_duration_seconds{verb, host}  -> per (verb, resource) latency histograms
//   rest_client_requests_total{code, method, host}     -> counts, and responses by (code, reason)
//   rest_client_request_retries_total{code, verb, host} -> retries
//   rest_client_rate_limiter_duration_seconds{verb, host} -> time spent in the client-side limiter
// Verbs are Kubernetes verbs (get, list, create, update, patch, apply, delete, watch), finer than
// client-go's HTTP methods, so apply and list are told apart as the apiserver's metrics do.
// Latencies are recorded in microseconds in HDR histograms (3 significant digits).

import * as hdr from 'hdr-histogram-js';
import type { LatencySummary, RequestStats, ResponseCount } from '../report/types.js';

type Histogram = hdr.Histogram;

function histogram(): Histogram {
  // The pure-JS build: the WebAssembly one needs an async init and gains little at these rates.
  return hdr.build({ useWebAssembly: false, numberOfSignificantValueDigits: 3 });
}

function micros(ms: number): number {
  return Math.max(1, Math.round(ms * 1000));
}

/** A percentile in ms. HDR answers a bucket's highest equivalent value, which may pass the exact max. */
function percentileMs(h: Histogram, p: number): number {
  return Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000;
}

function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    count: h.totalCount,
    meanMs: Math.min(h.mean, h.maxValue) / 1000,
    p50Ms: percentileMs(h, 50),
    p90Ms: percentileMs(h, 90),
    p99Ms: percentileMs(h, 99),
    maxMs: h.maxValue / 1000,
  };
}

class VerbResourceStats {
  readonly latency = histogram();
  errors = 0;
  retries = 0;
}

/** One interval of the once-per-second sampler. */
export interface IntervalSample {
  /** Length of the interval, from the previous sample (or the metrics' creation). */
  readonly intervalSeconds: number;
  /** Finished requests per second, by verb. */
  readonly requestsPerSecond: Readonly<Record<string, number>>;
  /** 429 answers per second (each attempt, retried or not). */
  readonly throttledPerSecond: number;
  /** Latency percentiles of requests finished in the interval; null when none finished. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface RetryAfterStats {
  readonly count: number;
  readonly maxSeconds: number;
  readonly totalWaitSeconds: number;
}

export class ClientMetrics {
  private readonly byVerb = new Map<string, Map<string, VerbResourceStats>>();
  private readonly responseCounts = new Map<number, Map<string, number>>();
  private readonly limiterWait = histogram();
  private retryAfterCount = 0;
  private retryAfterMax = 0;
  private retryAfterTotal = 0;

  private readonly interval = histogram();
  private intervalByVerb = new Map<string, number>();
  private intervalThrottled = 0;
  private intervalStart: number;

  /** @param now the sampler's clock in ms (modeled time on a virtual clock). */
  constructor(private readonly now: () => number = Date.now) {
    this.intervalStart = now();
  }

  /** A finished request (after its retries): rest_client_request_duration_seconds. `ok` is a 2xx answer. */
  observe(verb: string, resource: string, latencyMs: number, ok: boolean, retries: number): void {
    let byResource = this.byVerb.get(verb);
    if (byResource === undefined) {
      byResource = new Map();
      this.byVerb.set(verb, byResource);
    }
    let s = byResource.get(resource);
    if (s === undefined) {
      s = new VerbResourceStats();
      byResource.set(resource, s);
    }
    const us = micros(latencyMs);
    s.latency.recordValue(us);
    if (!ok) s.errors++;
    s.retries += retries;
    this.interval.recordValue(us);
    this.intervalByVerb.set(verb, (this.intervalByVerb.get(verb) ?? 0) + 1);
  }

  /** A non-2xx answer to one attempt, or a transport error as code 0 with the error code as reason. */
  response(code: number, reason: string): void {
    let byReason = this.responseCounts.get(code);
    if (byReason === undefined) {
      byReason = new Map();
      this.responseCounts.set(code, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    if (code === 429) this.intervalThrottled++;
  }

  /** A wait the server asked for with Retry-After, and that the client then did. */
  retryAfter(seconds: number): void {
    this.retryAfterCount++;
    this.retryAfterTotal += seconds;
    if (seconds > this.retryAfterMax) this.retryAfterMax = seconds;
  }

  /** rest_client_rate_limiter_duration_seconds: time one request waited for a token (0 included). */
  rateLimited(ms: number): void {
    this.limiterWait.recordValue(micros(ms));
  }

  /** Per (verb, resource), sorted by verb then resource. */
  summary(): RequestStats[] {
    const out: RequestStats[] = [];
    for (const verb of [...this.byVerb.keys()].sort()) {
      const byResource = this.byVerb.get(verb) as Map<string, VerbResourceStats>;
      for (const resource of [...byResource.keys()].sort()) {
        const s = byResource.get(resource) as VerbResourceStats;
        out.push({ verb, resource, ...summarize(s.latency), errors: s.errors, retries: s.retries });
      }
    }
    return out;
  }

  /** All requests together, or those of the given verbs. */
  total(verbs?: readonly string[]): LatencySummary & { readonly errors: number; readonly retries: number } {
    const all = histogram();
    let errors = 0;
    let retries = 0;
    for (const [verb, byResource] of this.byVerb) {
      if (verbs !== undefined && !verbs.includes(verb)) continue;
      for (const s of byResource.values()) {
        all.add(s.latency);
        errors += s.errors;
        retries += s.retries;
      }
    }
    return { ...summarize(all), errors, retries };
  }

  responses(): ResponseCount[] {
    const out: ResponseCount[] = [];
    for (const [code, byReason] of this.responseCounts) for (const [reason, count] of byReason) out.push({ code, reason, count });
    return out.sort((a, b) => a.code - b.code || a.reason.localeCompare(b.reason));
  }

  retryAfterStats(): RetryAfterStats {
    return { count: this.retryAfterCount, maxSeconds: this.retryAfterMax, totalWaitSeconds: this.retryAfterTotal };
  }

  rateLimiterSummary(): LatencySummary {
    return summarize(this.limiterWait);
  }

  /** The engine's once-per-second hook: rates and percentiles since the previous call, which it resets. */
  sample(): IntervalSample {
    const now = this.now();
    const seconds = Math.max((now - this.intervalStart) / 1000, 1e-3);
    const requestsPerSecond: Record<string, number> = {};
    for (const [verb, n] of this.intervalByVerb) requestsPerSecond[verb] = n / seconds;
    const any = this.interval.totalCount > 0;
    const sample: IntervalSample = {
      intervalSeconds: seconds,
      requestsPerSecond,
      throttledPerSecond: this.intervalThrottled / seconds,
      p50Ms: any ? percentileMs(this.interval, 50) : null,
      p99Ms: any ? percentileMs(this.interval, 99) : null,
    };
    this.interval.reset();
    this.intervalByVerb = new Map();
    this.intervalThrottled = 0;
    this.intervalStart = now;
    return sample;
  }
}
