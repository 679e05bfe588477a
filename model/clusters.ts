// The virtual clusters one kemu serves. They share nothing but the store; each is a key prefix.
// The list is persisted in the store's meta table so clusters survive restarts.
import type { ResourceCatalog } from './catalog.js';
import type { Clock } from './clock.js';
import { rfc3339 } from './clock.js';
import type { Registry, RequestScope } from './registry/registry.js';
import { badRequest, isStatus, new409, notFound, type Status } from './status.js';
import type { Store } from './store/store.js';
import type { WatchCache } from './watch/cache.js';
import { isDNS1123Label } from './validation.js';

export const HUB = 'hub';

// Present in every cluster at boot, as kube-apiserver's system namespaces controller ensures.
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export interface ClusterInfo {
  readonly name: string;
  readonly creationTimestamp: string;
}

const META_PREFIX = 'cluster/';
const SYSTEM_USER = { name: 'system:apiserver', uid: 'kemu-apiserver', groups: ['system:masters'] };

export class Clusters {
  private readonly known = new Map<string, ClusterInfo>();
  private readonly removeListeners = new Set<(name: string) => void>();
  private readonly changeListeners = new Set<() => void>();
  private readonly initializers: ((name: string) => Promise<void>)[] = [];

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly watchCache: WatchCache,
    private readonly catalog: ResourceCatalog,
    private readonly clock: Clock,
  ) {
    for (const k of store.metaKeys(META_PREFIX)) {
      const info = store.getMeta<ClusterInfo>(k);
      if (info) this.known.set(info.name, info);
    }
  }

  has(name: string): boolean {
    return this.known.has(name);
  }

  list(): ClusterInfo[] {
    return [...this.known.values()].sort((a, b) => (a.name === HUB ? -1 : b.name === HUB ? 1 : a.name.localeCompare(b.name)));
  }

  get size(): number {
    return this.known.size;
  }

  /** Adds a cluster with its system namespaces; adding one that exists is a 409. */
  async add(name: string): Promise<ClusterInfo | Status> {
    if (!isDNS1123Label(name)) return badRequest(`invalid cluster name "${name}": must be a lowercase RFC 1123 label`);
    if (this.known.has(name)) return new409(`cluster "${name}" already exists`);
    const info: ClusterInfo = { name, creationTimestamp: rfc3339(this.clock.now()) };
    // A full store refuses the namespaces: the add fails with its Status, and the cluster is not listed.
    const failed = await this.ensureNamespaces(name);
    if (failed) return failed;
    for (const init of this.initializers) await init(name);
    await this.store.putMeta(META_PREFIX + name, info);
    this.known.set(name, info);
    for (const fn of this.changeListeners) fn();
    return info;
  }

  /** Ensures every listed cluster exists (idempotent; used at start-up). */
  async ensure(names: readonly string[]): Promise<void> {
    for (const n of names) if (!this.known.has(n)) {
      const r = await this.add(n);
      if (isStatus(r)) throw new Error(r.message);
    }
  }

  async remove(name: string): Promise<ClusterInfo | Status> {
    const info = this.known.get(name);
    if (!info) return notFound({ group: '', resource: 'clusters' }, name);
    if (name === HUB) return badRequest('the hub cluster cannot be removed');
    this.known.delete(name);
    await this.store.removeMeta(META_PREFIX + name);
    await this.store.dropCluster(name);
    this.watchCache.dropCluster(name);
    for (const fn of this.removeListeners) fn(name);
    for (const fn of this.changeListeners) fn();
    return info;
  }

  /**
   * Runs for every cluster added from now on, before the add completes, and at once for the
   * clusters that exist (their objects may predate the initializer).
   */
  async addInitializer(fn: (name: string) => Promise<void>): Promise<void> {
    this.initializers.push(fn);
    for (const name of this.known.keys()) await fn(name);
  }

  onRemove(fn: (name: string) => void): void {
    this.removeListeners.add(fn);
  }

  /** Called after any add or remove. */
  onChange(fn: () => void): void {
    this.changeListeners.add(fn);
  }

  private async ensureNamespaces(cluster: string): Promise<Status | undefined> {
    const rt = this.catalog.lookup('', 'v1', 'namespaces');
    if (!rt) throw new Error('catalog has no namespaces');
    const scope: RequestScope = { cluster, user: SYSTEM_USER };
    for (const ns of SYSTEM_NAMESPACES) {
      const r = await this.registry.create(scope, rt, '', { metadata: { name: ns } }, {});
      if (isStatus(r) && r.code !== 409) return r;
    }
    return undefined;
  }
}
