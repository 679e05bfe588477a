// A realistic report of a virtual-clock pod churn run: two steps, throttling, an SLO that failed,
// and 61 seconds of series in seven groups (plus one all-null group the page must leave out).
import { REPORT_FORMAT, type Report } from '../../../scenarios/report/types.js';

export const SECONDS = Array.from({ length: 61 }, (_, i) => i);

/** Groups the page draws: every group of the fixture's series but the all-null `gc`. */
export const PLOTTED_GROUPS = ['requests', 'latency', 'inflight', 'rejections', 'workqueue', 'memory', 'cpu'];

const each = (f: (t: number) => number | null): (number | null)[] => SECONDS.map(f);
const round = (x: number): number => Math.round(x * 100) / 100;

export function fixtureReport(): Report {
  return {
    format: REPORT_FORMAT,
    scenario: {
      name: 'pod-churn',
      description: 'Creates 1200 pods in 10 namespaces, waits for them to run, then deletes them.',
      scale: 1,
      params: { namespaces: 10, podsPerNamespace: 120, qps: 50, burst: 100, image: 'registry.k8s.io/pause:3.10' },
    },
    target: {
      kind: 'embedded',
      server: 'https://127.0.0.1:39443',
      options: { apf: true, maxRequestsInFlight: 400, maxMutatingRequestsInFlight: 200, capacity: 'kind-1cpu' },
    },
    clock: 'virtual',
    startedAt: '2025-11-23T14:02:11.512Z',
    durationSeconds: 61.5,
    machine: { cores: 2, memoryBytes: 8 * 2 ** 30, node: 'v20.20.2', commit: '3f9c2a71b0d4e8f6a5c1d2e3f4a5b6c7d8e9f0a1' },
    steps: [
      {
        name: 'create-pods',
        startSeconds: 0,
        endSeconds: 31.2,
        phases: [
          { name: 'namespaces', action: 'create', count: 10, succeeded: 10, failed: 0, startSeconds: 0, endSeconds: 0.4 },
          { name: 'pods', action: 'create', count: 1200, succeeded: 1197, failed: 3, startSeconds: 0.4, endSeconds: 29.8 },
          { name: 'running', action: 'wait', count: 1200, succeeded: 1197, failed: 3, startSeconds: 29.8, endSeconds: 31.2, error: 'timeout: 3 pods never Running' },
        ],
      },
      {
        name: 'delete-pods',
        startSeconds: 31.2,
        endSeconds: 61.5,
        phases: [
          { name: 'pods', action: 'delete', count: 1200, succeeded: 1200, failed: 0, startSeconds: 31.2, endSeconds: 60.1 },
          { name: 'gone', action: 'wait', count: 1200, succeeded: 1200, failed: 0, startSeconds: 60.1, endSeconds: 61.5 },
        ],
      },
    ],
    requests: [
      { verb: 'create', resource: 'pods', count: 1200, errors: 3, retries: 45, meanMs: 12.4, p50Ms: 8.2, p90Ms: 20.5, p99Ms: 85.3, maxMs: 240.1 },
      { verb: 'get', resource: 'pods', count: 300, errors: 0, retries: 0, meanMs: 2.6, p50Ms: 2.1, p90Ms: 4.4, p99Ms: 9.8, maxMs: 14.2 },
      { verb: 'list', resource: 'pods', count: 60, errors: 0, retries: 0, meanMs: 41.7, p50Ms: 35, p90Ms: 70.2, p99Ms: 120, maxMs: 131.5 },
      { verb: 'watch', resource: 'pods', count: 4, errors: 0, retries: 0, meanMs: 1.1, p50Ms: 1, p90Ms: 1.4, p99Ms: 1.5, maxMs: 1.5 },
      { verb: 'delete', resource: 'pods', count: 1200, errors: 0, retries: 12, meanMs: 9.9, p50Ms: 7.5, p90Ms: 16.1, p99Ms: 48.2, maxMs: 97 },
    ],
    responses: [
      { code: 429, reason: 'TooManyRequests', count: 57 },
      { code: 500, reason: 'InternalError', count: 3 },
    ],
    rejections: [
      { reason: 'queue-full', priorityLevel: 'workload-low', count: 40 },
      { reason: 'time-out', priorityLevel: 'workload-low', count: 17 },
    ],
    retryAfter: { count: 57, maxSeconds: 1, totalWaitSeconds: 57 },
    counters: { namespacesCreated: 10, podsCreated: 1197, podsRunning: 1197, podsDeleted: 1200, podsFailed: 0 },
    timings: {
      creationToRunning: { count: 1197, meanMs: 1450, p50Ms: 1200, p90Ms: 2500, p99Ms: 4100, maxMs: 5200 },
      deletionToGone: { count: 1200, meanMs: 310, p50Ms: 250, p90Ms: 520, p99Ms: 900, maxMs: 1300 },
    },
    series: {
      seconds: SECONDS,
      values: {
        'requests/create': each((t) => (t < 30 ? 40 + 5 * Math.sin(t / 3) : 0)),
        'requests/delete': each((t) => (t > 31 ? 41 + 4 * Math.cos(t / 4) : 0)),
        'requests/get': each((t) => 5 + (t % 7 === 0 ? 3 : 0)),
        'requests/list': each(() => 1),
        'latency/p50': each((t) => round(8 + 2 * Math.sin(t / 5))),
        // A gap: no requests finished in those seconds.
        'latency/p99': each((t) => (t >= 45 && t <= 47 ? null : round(40 + (t >= 10 && t <= 25 ? 45 : 0) + 5 * Math.sin(t)))),
        'inflight/mutating': each((t) => Math.round(20 + 15 * Math.abs(Math.sin(t / 6)))),
        'inflight/readOnly': each((t) => 3 + (t % 5)),
        'rejections/queue-full': each((t) => (t >= 10 && t < 20 ? 4 : 0)),
        'rejections/time-out': each((t) => (t >= 12 && t < 29 ? 1 : 0)),
        'workqueue/replicaset': each((t) => Math.max(0, Math.round(30 - Math.abs(t - 15) * 2))),
        'workqueue/kwok-pod': each((t) => Math.max(0, Math.round(60 - Math.abs(t - 20) * 3))),
        'memory/rss': each((t) => 180 + 2 * t),
        'memory/heapUsed': each((t) => 90 + t),
        'cpu/server': each((t) => round(35 + 20 * Math.sin(t / 8))),
        'gc/pause': each(() => null),
      },
      units: { requests: 'req/s', latency: 'ms', inflight: 'seats', rejections: '429/s', workqueue: 'items', memory: 'MB', cpu: '%', gc: 'ms' },
    },
    slos: [
      { name: 'mutating-p99', description: 'p99 latency of mutating requests', threshold: 50, value: 85.3, unit: 'ms', ok: false },
      { name: 'pods-running', description: 'share of pods Running within 30 s', threshold: 99, value: 99.75, unit: '%', ok: true },
    ],
    verdict: 'fail',
  };
}
