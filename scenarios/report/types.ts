// report.json: everything a scenario run measured, the input of report.html, the stdout summary
// and `kemu compare`. Times inside a run are seconds since its start (modeled seconds when the
// run's clock is virtual).

export const REPORT_FORMAT = 'kemu.report/v1';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly scenario: {
    readonly name: string;
    readonly description: string;
    readonly scale: number;
    /** Parameters after `--set` overrides and scaling. */
    readonly params: Readonly<Record<string, Json>>;
  };
  readonly target: {
    readonly kind: 'embedded' | 'url' | 'kubeconfig';
    /** The base URL requests went to (the hub's). */
    readonly server: string;
    /** Server options of an embedded target (APF on/off, limits, capacity profile…). */
    readonly options: Readonly<Record<string, Json>>;
  };
  readonly clock: 'real' | 'virtual';
  /** ISO 8601 wall-clock start. */
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: { readonly cores: number; readonly memoryBytes: number; readonly node: string; readonly commit: string | null };
  readonly steps: readonly StepReport[];
  /** Per verb and resource, as client-go's rest_client_request_duration_seconds would split them. */
  readonly requests: readonly RequestStats[];
  /** Non-2xx answers the client saw, by HTTP code and metav1.Status reason, retried or not. */
  readonly responses: readonly ResponseCount[];
  /** 429s by the server's reason, from its /metrics (apiserver_flowcontrol_rejected_requests_total, or max-in-flight 429s from apiserver_request_terminations_total); empty when the target has none. */
  readonly rejections: readonly Rejection[];
  readonly retryAfter: { readonly count: number; readonly maxSeconds: number; readonly totalWaitSeconds: number };
  /** Scenario counts: objects created, pods Running, VMIs Running… */
  readonly counters: Readonly<Record<string, number>>;
  /** Scenario-specific latencies, e.g. creation-to-Running. */
  readonly timings: Readonly<Record<string, LatencySummary>>;
  readonly series: Series;
  readonly slos: readonly SloResult[];
  /** fail when any SLO failed or any phase did not finish. */
  readonly verdict: 'pass' | 'fail';
}

export interface StepReport {
  readonly name: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly phases: readonly PhaseReport[];
}

export interface PhaseReport {
  readonly name: string;
  /** create | apply | patch | delete | wait */
  readonly action: string;
  /** Items the phase was asked to do. */
  readonly count: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** Why the phase stopped early (timeout, error), when it did. */
  readonly error?: string;
}

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface RequestStats extends LatencySummary {
  readonly verb: string;
  readonly resource: string;
  /** Requests that ended in a non-2xx answer after retries, or a transport error. */
  readonly errors: number;
  readonly retries: number;
}

export interface ResponseCount {
  readonly code: number;
  readonly reason: string;
  readonly count: number;
}

export interface Rejection {
  /** e.g. queue-full, concurrency-limit, time-out (APF), or the max-in-flight request_kind. */
  readonly reason: string;
  readonly priorityLevel: string | null;
  readonly count: number;
}

/**
 * Time series sampled once per (modeled) second. Each name is `group/label`; report.html draws
 * one plot per group with one line per label. Groups used: requests (req/s by verb), latency
 * (ms, p50/p99 of the last interval), inflight (server's current in-flight/executing seats),
 * rejections (429/s), workqueue (depth by queue name), memory (MB), cpu (% of one core).
 */
export interface Series {
  readonly seconds: readonly number[];
  readonly values: Readonly<Record<string, readonly (number | null)[]>>;
  /** Unit per group, for axis labels. */
  readonly units: Readonly<Record<string, string>>;
}

export interface SloResult {
  readonly name: string;
  /** What was measured, e.g. `p99 latency of mutating requests`. */
  readonly description: string;
  readonly threshold: number;
  readonly value: number | null;
  readonly unit: string;
  readonly ok: boolean;
}
