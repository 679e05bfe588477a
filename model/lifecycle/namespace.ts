// The namespace controller's finalization, as kube-controller-manager does it
// (pkg/controller/namespace/deletion): when a namespace is Terminating, delete everything in it,
// wait until nothing is left (objects with finalizers linger until their finalizers are gone),
// then clear the `kubernetes` finalizer through /finalize so the namespace goes away.
// Without this, `kubectl delete namespace` would wait forever.
import type { ResourceCatalog, ResourceType } from '../catalog.js';
import type { ClusterCatalogs } from '../crd/catalogs.js';
import type { KubeObject } from '../object.js';
import type { Registry, RequestScope } from '../registry/registry.js';
import { isStatus } from '../status.js';
import type { Store, StoreEvent } from '../store/store.js';

const CONTROLLER_USER = { name: 'system:serviceaccount:kube-system:namespace-controller', uid: 'kemu-namespace-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };

export class NamespaceController {
  private readonly inProgress = new Set<string>();
  /** Namespaces whose content changed while they were being finalized: they are looked at again. */
  private readonly again = new Set<string>();
  /** The finalizations running, which shutdown waits for before the store closes. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  /** Terminating namespaces still holding content, by `<cluster>/<namespace>`. */
  private readonly waiting = new Map<string, KubeObject>();
  private readonly unsubscribe: () => void;
  private readonly namespaced = new WeakMap<ResourceCatalog, ResourceType[]>();
  private readonly namespaces: ResourceType;

  constructor(store: Store, private readonly registry: Registry, private readonly catalogs: ClusterCatalogs) {
    const ns = catalogs.builtin.lookup('', 'v1', 'namespaces');
    if (!ns) throw new Error('catalog has no namespaces');
    this.namespaces = ns;
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  /** The namespaced types of a cluster, one version per group-resource (versions share objects). */
  private namespacedTypes(cluster: string): ResourceType[] {
    const catalog = this.catalogs.forCluster(cluster);
    let types = this.namespaced.get(catalog);
    if (types) return types;
    const seen = new Set<string>();
    types = [];
    for (const g of catalog.groups()) {
      for (const v of g.versions) {
        for (const rt of catalog.resourcesOf(g.name, v)) {
          const key = `${rt.group}/${rt.resource}`;
          if (!rt.namespaced || !rt.verbs.includes('delete') || seen.has(key)) continue;
          seen.add(key);
          types.push(rt);
        }
      }
    }
    this.namespaced.set(catalog, types);
    return types;
  }

  /** Starts no more work; a finalization in progress stops at its next step (see idle). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  /** Resolves when no finalization is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private onEvent(e: StoreEvent): void {
    if (e.key.group === '' && e.key.resource === 'namespaces') {
      const id = `${e.key.cluster}/${e.key.name}`;
      if (e.type === 'DELETED') this.waiting.delete(id);
      else if (e.object.metadata.deletionTimestamp) this.run(e.key.cluster, e.key.name, e.object);
      return;
    }
    if (e.type !== 'DELETED' || !e.key.namespace) return;
    const ns = this.waiting.get(`${e.key.cluster}/${e.key.namespace}`);
    if (ns) this.run(e.key.cluster, e.key.namespace, ns);
  }

  private run(cluster: string, name: string, ns: KubeObject): void {
    const id = `${cluster}/${name}`;
    this.waiting.set(id, ns);
    if (this.closed) return;
    // An event during a pass may come after the pass counted that collection: one more pass.
    if (this.inProgress.has(id)) {
      this.again.add(id);
      return;
    }
    this.inProgress.add(id);
    // A failed attempt (the store closing under it) is not retried here: the namespace stays
    // waiting, and the next event in it tries again.
    const p: Promise<void> = this.finalize(cluster, name, ns).catch(() => undefined).finally(() => {
      this.inProgress.delete(id);
      this.running.delete(p);
      const waiting = this.waiting.get(id);
      if (this.again.delete(id) && waiting) this.run(cluster, name, waiting);
    });
    this.running.add(p);
  }

  private async finalize(cluster: string, name: string, ns: KubeObject): Promise<void> {
    const scope: RequestScope = { cluster, user: CONTROLLER_USER };
    let remaining = 0;
    for (const rt of this.namespacedTypes(cluster)) {
      if (this.closed) return;
      const res = await this.registry.deleteCollection(scope, rt, name, {}, { propagationPolicy: 'Background' });
      if (isStatus(res)) return;
      // Without a limit: a paged list would hold a read snapshot for a continue token never used.
      const left = this.registry.list(scope, rt, name, {});
      if (!isStatus(left)) remaining += left.items.length;
    }
    if (remaining > 0 || this.closed) return;
    this.waiting.delete(`${cluster}/${name}`);
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
    await this.registry.update(scope, this.namespaces, '', name, 'finalize', { metadata: { name }, spec: { ...spec, finalizers } }, {});
  }
}
