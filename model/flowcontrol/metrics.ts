// Flow-control metrics with kube-apiserver's names, help and labels
// (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/metrics/metrics.go and
// endpoints/metrics/metrics.go), plus the `cluster` label every kemu metric has. Gauges and
// counters are read from the controllers' own numbers at scrape time, so the request path only
// feeds the two histograms.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { FlowObserver } from './controller.js';
import type { InflightCounts, RequestKind } from './inflight.js';
import type { PriorityLevel } from './level.js';
import type { Termination } from './max-in-flight.js';
import type { FlowStats } from './request.js';

/** metrics.go requestDurationSecondsBuckets. */
const REQUEST_DURATION_BUCKETS = [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];
const FLOW_LABELS = ['priority_level', 'flow_schema', 'cluster'] as const;
const LEVEL_LABELS = ['priority_level', 'cluster'] as const;
const KINDS: readonly RequestKind[] = ['readOnly', 'mutating'];

/** What a flow-control filter exposes to the metrics; the max-in-flight filter has only `inflight`. */
export interface FlowControlSource {
  readonly inflight: InflightCounts;
  flowStats?(): Iterable<FlowStats>;
  terminations?(): Iterable<Termination>;
  priorityLevels?(): Iterable<PriorityLevel>;
}

interface FlowLabels {
  readonly waitedExecuted: Record<string, string>;
  readonly waitedRejected: Record<string, string>;
  readonly regular: Record<string, string>;
  readonly watch: Record<string, string>;
}

export class FlowControlMetrics {
  private readonly sources = new Map<string, FlowControlSource>();
  private readonly waitDuration: Histogram<string>;
  private readonly executionSeconds: Histogram<string>;

  constructor(registry: Registry, private readonly clock: Clock) {
    const registers = [registry];
    const flows = (read: (s: FlowStats) => number) => (cluster: string, source: FlowControlSource) =>
      [...(source.flowStats?.() ?? [])].map((s) => ({ labels: { priority_level: s.priorityLevel, flow_schema: s.flowSchema, cluster }, value: read(s) }));
    const levels = (read: (l: PriorityLevel) => number) => (cluster: string, source: FlowControlSource) =>
      [...(source.priorityLevels?.() ?? [])].map((l) => ({ labels: { priority_level: l.name, cluster }, value: read(l) }));

    this.counter('apiserver_flowcontrol_rejected_requests_total', 'Number of requests rejected by API Priority and Fairness subsystem',
      ['priority_level', 'flow_schema', 'reason', 'cluster'], (cluster, source) => [...(source.flowStats?.() ?? [])].flatMap((s) => [
        { labels: { priority_level: s.priorityLevel, flow_schema: s.flowSchema, reason: 'queue-full', cluster }, value: s.rejectedQueueFull },
        { labels: { priority_level: s.priorityLevel, flow_schema: s.flowSchema, reason: 'concurrency-limit', cluster }, value: s.rejectedConcurrencyLimit },
        { labels: { priority_level: s.priorityLevel, flow_schema: s.flowSchema, reason: 'time-out', cluster }, value: s.rejectedTimeOut },
      ].filter((v) => v.value > 0)), registers);
    this.counter('apiserver_request_terminations_total', 'Number of requests which apiserver terminated in self-defense.',
      ['verb', 'group', 'resource', 'subresource', 'component', 'code', 'cluster'],
      (cluster, source) => [...(source.terminations?.() ?? [])].map((t) => ({
        labels: { verb: t.verb, group: t.group, resource: t.resource, subresource: t.subresource, component: 'apiserver', code: '429', cluster }, value: t.count,
      })), registers);
    this.counter('apiserver_flowcontrol_dispatched_requests_total', 'Number of requests executed by API Priority and Fairness subsystem',
      FLOW_LABELS, (cluster, source) => [...flows((s) => s.dispatched)(cluster, source)].filter((v) => v.value > 0), registers);
    this.gauge('apiserver_flowcontrol_current_inqueue_requests', 'Number of requests currently pending in queues of the API Priority and Fairness subsystem',
      FLOW_LABELS, flows((s) => s.waiting), registers);
    this.gauge('apiserver_flowcontrol_current_inqueue_seats', 'Number of seats currently pending in queues of the API Priority and Fairness subsystem',
      FLOW_LABELS, flows((s) => s.waitingSeats), registers);
    this.gauge('apiserver_flowcontrol_current_executing_requests', 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem',
      FLOW_LABELS, flows((s) => s.executing), registers);
    this.gauge('apiserver_flowcontrol_current_executing_seats', 'Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem',
      FLOW_LABELS, flows((s) => s.executingSeats), registers);
    this.gauge('apiserver_flowcontrol_nominal_limit_seats', 'Nominal number of execution seats configured for each priority level',
      LEVEL_LABELS, levels((l) => l.nominalCL), registers);
    this.gauge('apiserver_flowcontrol_lower_limit_seats', 'Configured lower bound on number of execution seats available to each priority level',
      LEVEL_LABELS, levels((l) => l.minCL), registers);
    this.gauge('apiserver_flowcontrol_upper_limit_seats', 'Configured upper bound on number of execution seats available to each priority level',
      LEVEL_LABELS, levels((l) => l.maxCL), registers);
    this.gauge('apiserver_flowcontrol_current_limit_seats', 'current derived number of execution seats available to each priority level',
      LEVEL_LABELS, levels((l) => l.currentCL), registers);
    this.gauge('apiserver_current_inflight_requests', 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      ['request_kind', 'cluster'], (cluster, source) => KINDS.map((kind) => ({ labels: { request_kind: kind, cluster }, value: source.inflight.executingMark[kind].read(this.clock.now()) })), registers);
    this.gauge('apiserver_current_inqueue_requests', 'Maximal number of queued requests in this apiserver per request kind in last second.',
      ['request_kind', 'cluster'], (cluster, source) => KINDS.map((kind) => ({ labels: { request_kind: kind, cluster }, value: source.inflight.waitingMark[kind].read(this.clock.now()) })), registers);

    this.waitDuration = new Histogram({
      name: 'apiserver_flowcontrol_request_wait_duration_seconds', help: 'Length of time a request spent waiting in its queue',
      labelNames: ['priority_level', 'flow_schema', 'execute', 'cluster'], buckets: REQUEST_DURATION_BUCKETS, registers,
    });
    this.executionSeconds = new Histogram({
      name: 'apiserver_flowcontrol_request_execution_seconds',
      help: 'Duration of initial stage (for a WATCH) or any (for a non-WATCH) stage of request execution in the API Priority and Fairness subsystem',
      labelNames: ['priority_level', 'flow_schema', 'type', 'cluster'], buckets: REQUEST_DURATION_BUCKETS, registers,
    });
  }

  /** Reports a cluster's filter (one per emulated apiserver); replaces an earlier one of that cluster. */
  attach(cluster: string, source: FlowControlSource): void {
    this.sources.set(cluster, source);
  }

  detach(cluster: string): void {
    this.sources.delete(cluster);
  }

  /** The histogram feed for a cluster's FlowController (FlowControllerOptions.observer). */
  observer(cluster: string): FlowObserver {
    const labels = new WeakMap<FlowStats, FlowLabels>();
    const labelsOf = (s: FlowStats): FlowLabels => {
      let l = labels.get(s);
      if (l === undefined) {
        const { priorityLevel: priority_level, flowSchema: flow_schema } = s;
        // Key order is label order in the exposition: upstream's labels, then cluster.
        l = {
          waitedExecuted: { priority_level, flow_schema, execute: 'true', cluster },
          waitedRejected: { priority_level, flow_schema, execute: 'false', cluster },
          regular: { priority_level, flow_schema, type: 'regular', cluster },
          watch: { priority_level, flow_schema, type: 'watch', cluster },
        };
        labels.set(s, l);
      }
      return l;
    };
    return {
      waited: (s, execute, seconds) => {
        const l = labelsOf(s);
        this.waitDuration.observe(execute ? l.waitedExecuted : l.waitedRejected, seconds);
      },
      executed: (s, isWatch, seconds) => {
        const l = labelsOf(s);
        this.executionSeconds.observe(isWatch ? l.watch : l.regular, seconds);
      },
    };
  }

  private gauge(name: string, help: string, labelNames: readonly string[], values: Reader, registers: Registry[]): void {
    const sources = this.sources;
    new Gauge({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const [cluster, source] of sources) for (const v of values(cluster, source)) this.set(v.labels, v.value);
      },
    });
  }

  private counter(name: string, help: string, labelNames: readonly string[], values: Reader, registers: Registry[]): void {
    const sources = this.sources;
    new Counter({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const [cluster, source] of sources) for (const v of values(cluster, source)) this.inc(v.labels, v.value);
      },
    });
  }
}

type Reader = (cluster: string, source: FlowControlSource) => Iterable<{ labels: Record<string, string>; value: number }>;
