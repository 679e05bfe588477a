// The garbage collector's decisions (pkg/controller/garbagecollector/garbagecollector.go
// attemptToDeleteItem, processDeletingDependentsItem, orphanDependents, 1.32) over a snapshot
// of the objects it sees, instead of its dependency graph:
// - Background: the apiserver deletes the owner; its dependents then point at an owner that is
//   gone ("dangling") and, with no other owner left, are deleted.
// - Foreground: the owner stays, with deletionTimestamp and the foregroundDeletion finalizer,
//   while its dependents are deleted (foreground again for those with dependents of their own);
//   the finalizer comes off once no dependent with blockOwnerDeletion is left.
// - Orphan: the owner stays with the orphan finalizer until every dependent's reference to it
//   is removed; then the finalizer comes off.
// An owner is "gone" when no object in the snapshot has its uid (upstream: a GET finds nothing,
// or an object with another uid). The apiserver side, adding the finalizers on DELETE, is the
// registry's.
import type { KubeObject, OwnerReference } from '../../object.js';
import { WriteSet, type DeleteRef, type PropagationPolicy, type Writes } from './writes.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

const hasFinalizer = (o: KubeObject, f: string): boolean => o.metadata.finalizers?.includes(f) ?? false;
const deleting = (o: KubeObject): boolean => o.metadata.deletionTimestamp !== undefined;
/** Being deleted in the foreground: waiting for its dependents. */
const deletingDependents = (o: KubeObject): boolean => deleting(o) && hasFinalizer(o, FOREGROUND_FINALIZER);

/** The objects with an ownerReference to `owner` (same namespace, or any for a cluster-scoped owner). */
export function dependentsOf(owner: KubeObject, objects: readonly KubeObject[]): KubeObject[] {
  const uid = owner.metadata.uid;
  if (!uid) return [];
  return objects.filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid) &&
    (!owner.metadata.namespace || o.metadata.namespace === owner.metadata.namespace));
}

function index(objects: readonly KubeObject[]): Map<string, KubeObject> {
  const byUid = new Map<string, KubeObject>();
  for (const o of objects) if (o.metadata.uid) byUid.set(o.metadata.uid, o);
  return byUid;
}

/** The owner a reference points at, if it is in the snapshot with that uid, kind and name. */
function resolve(ref: OwnerReference, byUid: Map<string, KubeObject>): KubeObject | undefined {
  const o = byUid.get(ref.uid);
  return o && o.kind === ref.kind && o.metadata.name === ref.name ? o : undefined;
}

/**
 * The dependents the collector deletes when `owner` is deleted with `propagation`: those with no
 * other owner still in `objects` (under Orphan, none). Dependents that keep another owner only
 * lose the reference (collectGarbage writes that).
 */
export function dependentsToDelete(owner: KubeObject, objects: readonly KubeObject[], propagation: PropagationPolicy): KubeObject[] {
  if (propagation === 'Orphan') return [];
  const byUid = index(objects.filter((o) => o.metadata.uid !== owner.metadata.uid));
  return dependentsOf(owner, objects).filter((dep) => !(dep.metadata.ownerReferences ?? []).some((r) => {
    if (r.uid === owner.metadata.uid) return false;
    const other = resolve(r, byUid);
    return other !== undefined && !deletingDependents(other);
  }));
}

function deleteRef(o: KubeObject, policy: PropagationPolicy): DeleteRef {
  return {
    apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', namespace: o.metadata.namespace, name: o.metadata.name ?? '',
    preconditions: { uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion }, propagationPolicy: policy,
  };
}

function withoutRefs(o: KubeObject, uids: ReadonlySet<string>): KubeObject {
  const copy = structuredClone(o);
  copy.metadata.ownerReferences = (copy.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
  if (copy.metadata.ownerReferences.length === 0) delete copy.metadata.ownerReferences;
  return copy;
}

function withoutFinalizer(o: KubeObject, f: string): KubeObject {
  const copy = structuredClone(o);
  copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((x) => x !== f);
  if (copy.metadata.finalizers.length === 0) delete copy.metadata.finalizers;
  return copy;
}

/**
 * Asked when an owner reference's uid is not in the snapshot: whether that owner exists after
 * all (the engine can look it up live). Without it, a missing owner counts as deleted, so the
 * snapshot must hold every object that can own another.
 */
export type OwnerLookup = (ref: OwnerReference, dependent: KubeObject) => boolean;

interface Pass {
  readonly byUid: Map<string, KubeObject>;
  readonly objects: readonly KubeObject[];
  readonly writes: WriteSet;
  /** Objects as this pass has already rewritten them, by uid, so two changes to one object add up. */
  readonly pending: Map<string, KubeObject>;
  readonly lookup?: OwnerLookup;
}

function latest(p: Pass, o: KubeObject): KubeObject {
  return p.pending.get(o.metadata.uid ?? '') ?? o;
}

function write(p: Pass, o: KubeObject): void {
  p.pending.set(o.metadata.uid ?? '', o);
  p.writes.update(o);
}

/** attemptToDeleteItem for one object with owner references. */
function attemptToDelete(p: Pass, item: KubeObject): void {
  const refs = item.metadata.ownerReferences ?? [];
  if (refs.length === 0 || deleting(item)) return;
  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const r of refs) {
    const owner = resolve(r, p.byUid);
    if (!owner) (p.lookup?.(r, item) ? solid : dangling).push(r);
    else if (deletingDependents(owner)) waiting.push(r);
    else solid.push(r);
  }
  if (solid.length > 0) {
    if (dangling.length + waiting.length > 0) write(p, withoutRefs(latest(p, item), new Set([...dangling, ...waiting].map((r) => r.uid))));
    return;
  }
  const deps = dependentsOf(item, p.objects);
  if (waiting.length > 0 && deps.length > 0) {
    // Its owner waits on it and it has dependents of its own: delete it in the foreground too.
    // If one of those dependents is itself waiting (a cycle), stop blocking the owners first.
    if (deps.some(deletingDependents)) {
      const copy = structuredClone(latest(p, item));
      copy.metadata.ownerReferences = (copy.metadata.ownerReferences ?? []).map((r) => (waiting.some((w) => w.uid === r.uid) ? { ...r, blockOwnerDeletion: false } : r));
      write(p, copy);
    }
    p.writes.delete(deleteRef(item, 'Foreground'));
    return;
  }
  const policy: PropagationPolicy = hasFinalizer(item, ORPHAN_FINALIZER) ? 'Orphan'
    : hasFinalizer(item, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
  p.writes.delete(deleteRef(item, policy));
}

/**
 * One pass of the collector over everything it sees: deletes of dependents whose owners are
 * gone (or waiting on them), ownerReference removals, and the foregroundDeletion / orphan
 * finalizers coming off owners that are done waiting.
 */
export function collectGarbage(objects: readonly KubeObject[], lookup?: OwnerLookup): Writes {
  const p: Pass = { byUid: index(objects), objects, writes: new WriteSet(), pending: new Map(), lookup };
  for (const o of objects) {
    if (deleting(o) && hasFinalizer(o, ORPHAN_FINALIZER)) {
      // orphanDependents, then the finalizer comes off.
      const uid = new Set([o.metadata.uid ?? '']);
      for (const dep of dependentsOf(o, objects)) write(p, withoutRefs(latest(p, dep), uid));
      write(p, withoutFinalizer(latest(p, o), ORPHAN_FINALIZER));
    } else if (deletingDependents(o)) {
      // processDeletingDependentsItem: done once nothing blocks; the dependents themselves are
      // attempted below like any object with owner references.
      const blocking = dependentsOf(o, objects).filter((d) =>
        d.metadata.ownerReferences?.some((r) => r.uid === o.metadata.uid && r.blockOwnerDeletion === true));
      if (blocking.length === 0) write(p, withoutFinalizer(latest(p, o), FOREGROUND_FINALIZER));
    }
  }
  for (const o of objects) attemptToDelete(p, o);
  return p.writes.result();
}
