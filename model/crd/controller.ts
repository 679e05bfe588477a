// apiextensions-apiserver's controllers for CustomResourceDefinitions, folded into one: names
// acceptance (NamesAccepted), establishing (Established, after which the resource is served),
// and finalization (on delete, every custom resource of the CRD is deleted, then the
// `customresourcecleanup.apiextensions.k8s.io` finalizer is removed). The catalog of a cluster
// is replaced synchronously on each CRD event, so by the time a client hears that its CRD was
// created the resource is already routable, as clients that wait for Established expect.

import type { ResourceCatalog, ResourceType } from '../catalog.js';
import { rfc3339, type Clock } from '../clock.js';
import type { Clusters } from '../clusters.js';
import type { KubeObject } from '../object.js';
import type { Registry, RequestScope } from '../registry/registry.js';
import { isStatus } from '../status.js';
import type { Store, StoreEvent } from '../store/store.js';
import type { ClusterCatalogs } from './catalogs.js';
import { CLEANUP_FINALIZER, CRD_GROUP, CRD_RESOURCE, crdSpecOf, resourceTypesOf } from './resource-types.js';

const CONTROLLER_USER = { name: 'system:apiserver', uid: 'kemu-apiextensions', groups: ['system:masters', 'system:authenticated'] };

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export class CRDController {
  private readonly unsubscribe: () => void;
  private readonly crdType: ResourceType;
  /** `<cluster>/<crd name>` being finalized. */
  private readonly finalizing = new Set<string>();
  /** Condition writes and clean-ups running, which shutdown waits for before the store closes. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly catalogs: ClusterCatalogs,
    private readonly clock: Clock,
    clusters: Clusters,
  ) {
    const crdType = catalogs.builtin.lookup(CRD_GROUP, 'v1', CRD_RESOURCE);
    if (!crdType) throw new Error('catalog has no customresourcedefinitions');
    this.crdType = crdType;
    for (const c of clusters.list()) this.resync(c.name);
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  /** Starts no more work (see idle). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  /** Resolves when no condition write or clean-up is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  // A failed attempt (the store closing under it) is dropped: the next event for the CRD, or a
  // restart's resync, tries again.
  private track(work: Promise<void>, done?: () => void): void {
    const p: Promise<void> = work.catch(() => undefined).finally(() => {
      done?.();
      this.running.delete(p);
    });
    this.running.add(p);
  }

  private onEvent(e: StoreEvent): void {
    if (e.key.group !== CRD_GROUP || e.key.resource !== CRD_RESOURCE) return;
    const cluster = e.key.cluster;
    const conflicts = this.resync(cluster);
    if (e.type === 'DELETED') return;
    if (e.object.metadata.deletionTimestamp) this.finalize(cluster, e.object);
    else this.track(this.establish(cluster, e.object, conflicts.get(e.object.metadata.name ?? '')));
  }

  /**
   * Rebuilds the cluster's catalog from its stored CRDs whose names are accepted, oldest first;
   * returns, by CRD name, why a CRD's names are not accepted (the same answer its conditions get).
   */
  private resync(cluster: string): Map<string, string | undefined> {
    const types: ResourceType[] = [];
    const conflicts = new Map<string, string | undefined>();
    const page = this.store.list({ cluster, group: CRD_GROUP, resource: CRD_RESOURCE });
    const taken = new Map<string, string>();
    const crds = page.entries.map((e) => JSON.parse(e.bytes.toString('utf8')) as KubeObject)
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const crd of crds) {
      const conflict = namesConflict(crd, taken, this.catalogs.builtin);
      conflicts.set(crd.metadata.name ?? '', conflict);
      if (conflict === undefined) types.push(...resourceTypesOf(crd));
    }
    this.catalogs.setCustomResources(cluster, types);
    return conflicts;
  }

  private async establish(cluster: string, crd: KubeObject, conflict: string | undefined): Promise<void> {
    const spec = crdSpecOf(crd);
    if (!spec) return;
    const status = (crd.status ?? {}) as { conditions?: Condition[]; acceptedNames?: unknown; storedVersions?: string[] };
    const now = rfc3339(this.clock.now());
    const wanted: Condition[] = conflict === undefined
      ? [
        { type: 'NamesAccepted', status: 'True', lastTransitionTime: now, reason: 'NoConflicts', message: 'no conflicts found' },
        { type: 'Established', status: 'True', lastTransitionTime: now, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      ]
      : [
        { type: 'NamesAccepted', status: 'False', lastTransitionTime: now, reason: 'ConflictingNames', message: conflict },
        { type: 'Established', status: 'False', lastTransitionTime: now, reason: 'NotAccepted', message: 'not all names are accepted' },
      ];
    const current = status.conditions ?? [];
    const conditions = mergeConditions(current, wanted);
    const acceptedNames = conflict === undefined ? acceptedNamesOf(spec.names) : status.acceptedNames ?? { plural: '', kind: '' };
    const storage = spec.versions.find((v) => v.storage)?.name;
    const storedVersions = [...new Set([...(status.storedVersions ?? []), ...(storage ? [storage] : [])])];
    if (conditions === current && JSON.stringify(acceptedNames) === JSON.stringify(status.acceptedNames)
      && storedVersions.length === (status.storedVersions ?? []).length) return;
    await this.registry.update(this.scope(cluster), this.crdType, '', crd.metadata.name ?? '', 'status', {
      ...crd, status: { ...status, conditions, acceptedNames, storedVersions },
    }, {});
  }

  private finalize(cluster: string, crd: KubeObject): void {
    const id = `${cluster}/${crd.metadata.name}`;
    if (this.closed || this.finalizing.has(id) || !crd.metadata.finalizers?.includes(CLEANUP_FINALIZER)) return;
    this.finalizing.add(id);
    this.track(this.cleanUp(cluster, crd), () => this.finalizing.delete(id));
  }

  private async cleanUp(cluster: string, crd: KubeObject): Promise<void> {
    const scope = this.scope(cluster);
    const rt = resourceTypesOf(crd)[0];
    if (rt) {
      const res = await this.registry.deleteCollection(scope, rt, undefined, {}, { propagationPolicy: 'Background' });
      if (isStatus(res)) return;
      const left = this.registry.list(scope, rt, undefined, {});
      // Instances with finalizers of their own hold the CRD until they are gone; each of their
      // deletions is a store event for another collection, so poll on the clock instead.
      if (isStatus(left) || left.items.length > 0) {
        this.clock.setTimeout(() => this.retry(cluster, crd.metadata.name ?? ''), 1000);
        return;
      }
    }
    const cur = this.registry.get(scope, this.crdType, '', crd.metadata.name ?? '');
    if (isStatus(cur)) return;
    const obj = JSON.parse(cur.bytes.toString('utf8')) as KubeObject;
    obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
    await this.registry.update(scope, this.crdType, '', obj.metadata.name ?? '', '', obj, {});
  }

  private retry(cluster: string, name: string): void {
    if (this.closed) return;
    const cur = this.registry.get(this.scope(cluster), this.crdType, '', name);
    if (!isStatus(cur)) this.finalize(cluster, JSON.parse(cur.bytes.toString('utf8')) as KubeObject);
  }

  private scope(cluster: string): RequestScope {
    return { cluster, user: CONTROLLER_USER };
  }
}

function acceptedNamesOf(names: NonNullable<ReturnType<typeof crdSpecOf>>['names']): Record<string, unknown> {
  const out: Record<string, unknown> = { plural: names.plural, singular: names.singular ?? names.kind.toLowerCase() };
  if (names.shortNames?.length) out.shortNames = names.shortNames;
  out.kind = names.kind;
  out.listKind = names.listKind ?? `${names.kind}List`;
  if (names.categories?.length) out.categories = names.categories;
  return out;
}

/**
 * Records the CRD's names in `taken` (`<group>/<name>` -> owning CRD) unless one is already
 * used in its group by an older CRD or a built-in type; then says which (naming_controller.go).
 */
function namesConflict(crd: KubeObject, taken: Map<string, string>, builtin: ResourceCatalog): string | undefined {
  const spec = crdSpecOf(crd);
  if (!spec) return 'spec is malformed';
  const { group, names } = spec;
  const owner = crd.metadata.name ?? '';
  const plural = [names.plural, names.singular ?? names.kind.toLowerCase(), ...(names.shortNames ?? [])];
  const kinds = [names.kind, names.listKind ?? `${names.kind}List`];
  for (const g of builtin.groups()) {
    if (g.name !== group) continue;
    for (const v of g.versions) {
      for (const rt of builtin.resourcesOf(group, v)) {
        if (plural.includes(rt.resource)) return `"${rt.resource}" is already in use`;
        if (kinds.includes(rt.kind)) return `"${rt.kind}" is already in use`;
      }
    }
  }
  const keys = [...plural.map((p) => `${group}/r/${p}`), ...kinds.map((k) => `${group}/k/${k}`)];
  for (const k of keys) {
    const holder = taken.get(k);
    if (holder !== undefined && holder !== owner) return `"${k.slice(group.length + 3)}" is already in use`;
  }
  for (const k of keys) taken.set(k, owner);
  return undefined;
}

/** The existing conditions with `wanted` applied; the same array when nothing changes. */
function mergeConditions(current: Condition[], wanted: Condition[]): Condition[] {
  let changed = false;
  const out = [...current];
  for (const w of wanted) {
    const i = out.findIndex((c) => c.type === w.type);
    if (i < 0) { out.push(w); changed = true; continue; }
    const c = out[i];
    if (c.status === w.status && c.reason === w.reason && c.message === w.message) continue;
    out[i] = c.status === w.status ? { ...w, lastTransitionTime: c.lastTransitionTime } : w;
    changed = true;
  }
  return changed ? out : current;
}
