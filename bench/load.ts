// HTTP load with autocannon: one run against one origin (cannon), or several at once against the
// endpoints of many contexts (lanes), and the figures a workload reports from it.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { percentile } from './common.js';
import type { Endpoint } from './target.js';

// autocannon ships no types; the part of its API used here.
export interface CannonResult { errors: number; timeouts: number; statusCodeStats: Record<string, { count: number }> }
export interface CannonRequest { method: string; path: string; headers?: Record<string, string>; body?: string }
/** Per connection, kept across its requests (autocannon's `context`). */
export type CannonContext = Record<string, unknown>;
export interface CannonRequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Builds the request before each send; undefined starts the connection's sequence over (not allowed for the first request). */
  setupRequest?: (req: CannonRequest, context: CannonContext) => CannonRequest | undefined;
  onResponse?: (status: number, body: string, context: CannonContext) => void;
}
export interface CannonOptions {
  url: string; connections: number; duration?: number; amount?: number; timeout?: number;
  tlsOptions?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean; servername?: string };
  headers?: Record<string, string>; method?: string; body?: string;
  requests?: CannonRequestSpec[];
}
interface Cannon extends EventEmitter { stop(): void }
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: CannonOptions, cb: (err: Error | null, r: CannonResult) => void) => Cannon;

export interface Load {
  seconds: number;
  byStatus: Record<string, number>;
  /** Latency of each response (ms, autocannon's hrtime per response), by status. */
  latencyMs: Record<string, number[]>;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
}

/** One autocannon run. */
export function cannon(opts: CannonOptions): Promise<Load> {
  return new Promise((resolve, reject) => {
    const latencyMs: Record<string, number[]> = {};
    const t0 = performance.now();
    const inst = autocannon(opts, (err, r) => {
      if (err) return reject(err);
      const byStatus: Record<string, number> = {};
      for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) byStatus[code] = Number(s.count);
      resolve({ seconds: (performance.now() - t0) / 1000, byStatus, latencyMs, errors: r.errors, timeouts: r.timeouts });
    });
    inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      (latencyMs[status] ??= []).push(ms);
    });
  });
}

/** One origin's share of a load: its requests go out over `connections` connections. */
export interface Lane {
  readonly endpoint: Endpoint;
  readonly connections: number;
  /** API paths here are full paths: the endpoint's prefix is the caller's to add. */
  readonly requests: CannonRequestSpec[];
}

/**
 * Runs the lanes at once (for a fixed duration, or until each has sent `amount` requests) and
 * merges their counts and latencies; seconds are the wall time of the whole.
 */
export async function runLanes(lanes: readonly Lane[], o: { duration?: number; amount?: (lane: Lane) => number; timeout?: number }): Promise<Load> {
  const t0 = performance.now();
  const loads = await Promise.all(lanes.map((lane) => cannon({
    url: lane.endpoint.origin,
    connections: lane.connections,
    ...(o.amount ? { amount: o.amount(lane), duration: 3600 } : { duration: o.duration ?? 10 }),
    timeout: o.timeout ?? 30,
    tlsOptions: { ...lane.endpoint.tls },
    headers: { ...lane.endpoint.headers },
    requests: lane.requests,
  })));
  const merged: Load = { seconds: (performance.now() - t0) / 1000, byStatus: {}, latencyMs: {}, errors: 0, timeouts: 0 };
  for (const l of loads) {
    merged.errors += l.errors;
    merged.timeouts += l.timeouts;
    for (const [code, n] of Object.entries(l.byStatus)) merged.byStatus[code] = (merged.byStatus[code] ?? 0) + n;
    for (const [code, xs] of Object.entries(l.latencyMs)) {
      const into = (merged.latencyMs[code] ??= []);
      for (const x of xs) into.push(x);
    }
  }
  return merged;
}

/** Splits `connections` over lanes of the given sizes (at least one each, the rest in proportion). */
export function shareConnections(connections: number, sizes: readonly number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0) || 1;
  return sizes.map((s) => Math.max(1, Math.round((connections * s) / total)));
}

const ms2 = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(2)) : null);

/** p50 and p99 (ms) of the latencies of the statuses `ok` accepts. */
export function latencyOf(load: Load, ok: (status: number) => boolean): { p50Ms: number | null; p99Ms: number | null } {
  const xs: number[] = [];
  for (const [code, l] of Object.entries(load.latencyMs)) if (ok(Number(code))) for (const x of l) xs.push(x);
  xs.sort((a, b) => a - b);
  return { p50Ms: ms2(percentile(xs, 50)), p99Ms: ms2(percentile(xs, 99)) };
}
