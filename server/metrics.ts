// kube-apiserver's request and storage metrics (staging/src/k8s.io/apiserver/pkg/endpoints/
// metrics/metrics.go), with the same names and labels plus `cluster`; the process's own health
// (memory, CPU, event-loop lag, heap) from prom-client's default collectors; the store's size.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ObjectCounts } from '../model/store/object-counts.js';

/** What /metrics reports of the store's size. */
export interface StoreSize {
  /** Bytes of the store's file now. */
  readonly sizeBytes: number;
  /** Its limit (Infinity for none). */
  readonly maxBytes: number;
}

// One per process: the default collectors (an event-loop delay histogram, a GC observer)
// describe the process, not a server, and tests start many servers in one process.
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const REQUEST_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'cluster'] as const;

// Buckets of apiserver_request_duration_seconds in metrics.go.
const DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

export type RequestLabels = Record<(typeof REQUEST_LABELS)[number], string>;

export class ApiserverMetrics {
  readonly registry = new Registry();

  /** apiserver_storage_objects, read from the live counts at each scrape, and the store's size. */
  constructor(counts: ObjectCounts, store: StoreSize) {
    processMetrics();
    new Gauge({
      name: 'apiserver_storage_size_bytes',
      help: 'Size of the storage database file physically allocated in bytes.',
      labelNames: ['storage_cluster_id'],
      registers: [this.registry],
      collect() {
        this.set({ storage_cluster_id: 'kemu' }, store.sizeBytes);
      },
    });
    if (store.maxBytes !== Infinity) {
      // etcd_server_quota_backend_bytes is etcd's name for the same limit.
      new Gauge({ name: 'kemu_store_max_size_bytes', help: 'The store file\'s size limit (--max-db-size) in bytes.', registers: [this.registry] }).set(store.maxBytes);
    }
    new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource', 'cluster'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const e of counts.entries()) this.set({ resource: e.group ? `${e.resource}.${e.group}` : e.resource, cluster: e.cluster }, e.count);
      },
    });
  }

  readonly requestTotal = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: [...REQUEST_LABELS, 'code'],
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: [...REQUEST_LABELS],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly longrunning = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'cluster'],
    registers: [this.registry],
  });
  readonly watchEvents = new Counter({
    name: 'apiserver_watch_events_total',
    help: 'Number of events sent in watch clients',
    labelNames: ['group', 'version', 'kind', 'cluster'],
    registers: [this.registry],
  });
  readonly watchersTerminated = new Counter({
    name: 'apiserver_terminated_watchers_total',
    help: 'Counter of watchers closed due to unresponsiveness broken by resource type.',
    labelNames: ['resource', 'cluster'],
    registers: [this.registry],
  });

  /** The text of /metrics: the server's metrics, then the process's. */
  async scrape(): Promise<string> {
    const own = await this.registry.metrics();
    return `${own}${own.endsWith('\n') || own === '' ? '' : '\n'}${await processMetrics().metrics()}`;
  }

  observeRequest(labels: RequestLabels, code: number, seconds: number): void {
    this.requestTotal.inc({ ...labels, code: String(code) });
    this.requestDuration.observe(labels, seconds);
  }
}

/** metrics.go's verb label: LIST for a collection GET, WATCH, APPLY for apply patches. */
export function metricVerb(verb: string, contentType: string | undefined): string {
  if (verb === 'patch' && contentType?.startsWith('application/apply-patch')) return 'APPLY';
  switch (verb) {
    case 'create': return 'POST';
    case 'update': return 'PUT';
    default: return verb.toUpperCase();
  }
}
