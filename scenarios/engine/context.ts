// What the phases of one run share: the clock, a client per cluster, the REST mapper, the
// parameters, when each object was acknowledged (for creation-to-condition timings) and the live
// workqueues (sampled for the report's depth plot).
import type { Clock } from '../../model/clock.js';
import type { WorkqueueMetricsProvider } from '../../model/workqueue/metrics.js';
import type { RestClient } from '../client/rest.js';
import type { Scope, Value } from './expr.js';
import type { RESTMapper } from './mapper.js';

export interface QueueGauge {
  readonly name: string;
  len(): number;
}

export interface RunContext {
  readonly clock: Clock;
  /** Seconds since the run started, on its clock. */
  seconds(): number;
  readonly mapper: RESTMapper;
  /** The target's clusters, the hub first. */
  clusters(): readonly string[];
  /** The client of a cluster, or why there is none (unknown cluster). */
  client(cluster: string): RestClient | string;
  readonly params: Scope;
  /** objectKey → clock time its create was acknowledged. */
  readonly createdAt: Map<string, number>;
  readonly queues: Set<QueueGauge>;
  /** Where the phases' workqueues report client-go's workqueue figures. */
  readonly workqueueMetrics: WorkqueueMetricsProvider;
  /** Adds one to a named counter of the report. */
  count(name: string): void;
  /** Records a named latency sample in ms. */
  time(name: string, ms: number): void;
  /** Reports progress: one item of some phase finished. */
  progress(): void;
}

export function objectKey(cluster: string, apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${cluster}/${apiVersion}/${kind}/${namespace ?? ''}/${name}`;
}

/** A scope with the item index (or cluster index) over the parameters. */
export function itemScope(params: Scope, name: 'i' | 'c', index: number): Scope {
  return (n: string): Value => (n === name ? index : params(n));
}
