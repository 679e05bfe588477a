// Flow control for every virtual cluster: each is its own apiserver, with its own seats and
// its own FlowSchema and PriorityLevelConfiguration objects. The bootstrap objects are stored
// when a cluster is made (and at start for clusters that lack them), as kube-apiserver's
// configuration ensurer does; a cluster's filter is made on its first request, so idle spokes
// hold no queues; any later change to the objects (kubectl edit) reconfigures the filter once
// the change is stored.

import type { ResourceCatalog, ResourceType } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { Registry, RequestScope } from '../registry/registry.js';
import { isStatus } from '../status.js';
import type { ObjectCounts } from '../store/object-counts.js';
import type { Store } from '../store/store.js';
import { bootstrapConfiguration } from './bootstrap.js';
import { FlowController } from './controller.js';
import { dumpPriorityLevels, dumpQueues } from './debug.js';
import { MaxInFlightLimiter } from './max-in-flight.js';
import type { FlowControlMetrics } from './metrics.js';
import type { Admission, FlowSchema, PriorityLevelConfiguration, RequestDigest } from './types.js';

const GROUP = 'flowcontrol.apiserver.k8s.io';
const ENSURER = { name: 'system:apiserver', uid: 'kemu-apf-ensurer', groups: ['system:masters', 'system:authenticated'] };

export interface FlowControlOptions {
  readonly clock: Clock;
  /** --enable-priority-and-fairness; false is the classic max-in-flight filter. */
  readonly enablePriorityAndFairness: boolean;
  readonly maxRequestsInflight: number;
  readonly maxMutatingRequestsInflight: number;
  readonly objectCounts: ObjectCounts;
  readonly metrics?: FlowControlMetrics;
}

/** One cluster's filter: admits (maybe after queueing) or rejects a request. */
export interface Filter {
  begin(rd: RequestDigest, signal?: AbortSignal, requestTimeoutMs?: number): Admission | Promise<Admission>;
}

export class ClusterFlowControl {
  private readonly filters = new Map<string, FlowController | MaxInFlightLimiter>();
  private readonly resyncQueued = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly flowSchemas: ResourceType;
  private readonly priorityLevels: ResourceType;

  constructor(private readonly store: Store, private readonly registry: Registry, catalog: ResourceCatalog, private readonly opts: FlowControlOptions) {
    const fs = catalog.lookup(GROUP, 'v1', 'flowschemas');
    const pl = catalog.lookup(GROUP, 'v1', 'prioritylevelconfigurations');
    if (!fs || !pl) throw new Error('catalog lacks flowcontrol.apiserver.k8s.io/v1');
    this.flowSchemas = fs;
    this.priorityLevels = pl;
    this.unsubscribe = store.subscribe((e) => {
      if (e.key.group === GROUP && this.filters.get(e.key.cluster) instanceof FlowController) this.queueResync(e.key.cluster);
    });
  }

  /** The cluster's filter, made on first use. */
  filter(cluster: string): Filter {
    const known = this.filters.get(cluster);
    if (known) return known;
    const f = this.opts.enablePriorityAndFairness
      ? new FlowController({
        clock: this.opts.clock,
        serverConcurrencyLimit: this.opts.maxRequestsInflight + this.opts.maxMutatingRequestsInflight,
        estimateObjectCount: (c, g, r) => this.opts.objectCounts.get(c, g, r),
        observer: this.opts.metrics?.observer(cluster),
      })
      : new MaxInFlightLimiter({
        clock: this.opts.clock, maxRequestsInflight: this.opts.maxRequestsInflight, maxMutatingRequestsInflight: this.opts.maxMutatingRequestsInflight,
      });
    if (f instanceof FlowController) this.configure(cluster, f);
    this.filters.set(cluster, f);
    this.opts.metrics?.attach(cluster, f);
    return f;
  }

  /** Stores the mandatory and suggested objects in a cluster that has none (the ensurer). */
  async ensureBootstrap(cluster: string): Promise<void> {
    if (!this.opts.enablePriorityAndFairness || this.read(cluster, this.priorityLevels).length > 0) return;
    const scope: RequestScope = { cluster, user: ENSURER };
    const boot = bootstrapConfiguration();
    // Concurrent creates share LMDB flushes, so a new cluster costs one flush, not 25.
    const writes = [
      ...boot.priorityLevels.map((o) => this.registry.create(scope, this.priorityLevels, '', structuredClone(o), {})),
      ...boot.flowSchemas.map((o) => this.registry.create(scope, this.flowSchemas, '', structuredClone(o), {})),
    ];
    for (const r of await Promise.all(writes)) {
      if (isStatus(r) && r.code !== 409) throw new Error(`bootstrapping flow control in ${cluster}: ${r.message}`);
    }
  }

  dumpPriorityLevels(cluster: string): string | undefined {
    const f = this.filters.get(cluster);
    return f instanceof FlowController ? dumpPriorityLevels(f.priorityLevels()) : undefined;
  }

  dumpQueues(cluster: string): string | undefined {
    const f = this.filters.get(cluster);
    return f instanceof FlowController ? dumpQueues(f.priorityLevels()) : undefined;
  }

  dropCluster(cluster: string): void {
    const f = this.filters.get(cluster);
    if (f instanceof FlowController) f.close();
    this.filters.delete(cluster);
    this.opts.metrics?.detach(cluster);
  }

  close(): void {
    this.unsubscribe();
    for (const cluster of [...this.filters.keys()]) this.dropCluster(cluster);
  }

  private queueResync(cluster: string): void {
    if (this.resyncQueued.has(cluster)) return;
    this.resyncQueued.add(cluster);
    queueMicrotask(() => {
      this.resyncQueued.delete(cluster);
      const f = this.filters.get(cluster);
      if (f instanceof FlowController) this.configure(cluster, f);
    });
  }

  private configure(cluster: string, controller: FlowController): void {
    controller.setConfiguration(
      this.read(cluster, this.flowSchemas) as unknown as FlowSchema[],
      this.read(cluster, this.priorityLevels) as unknown as PriorityLevelConfiguration[],
    );
  }

  private read(cluster: string, rt: ResourceType): unknown[] {
    return this.store.list({ cluster, group: rt.group, resource: rt.resource }).entries.map((e) => JSON.parse(e.bytes.toString('utf8')) as unknown);
  }
}
