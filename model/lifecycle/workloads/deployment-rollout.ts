// The Deployment controller's steps (sync.go getNewReplicaSet, scale, cleanupDeployment;
// rolling.go; recreate.go). The data flow follows upstream on purpose: where upstream keeps
// using a ReplicaSet it has just scaled as it was before (its status is counted from the list it
// started with), so does this.
import type { KubeObject } from '../../object.js';
import { syncDeploymentStatus, syncRolloutStatus, deploymentComplete } from './deployment-status.js';
import {
  actualReplicas, availableReplicas, byRevision, equalIgnoreHash, findActiveOrLatest, findNewReplicaSet, getCondition, hasProgressDeadline,
  hasRevisionHistoryLimit, isActive, isSaturated, maxRevision, maxSurge, maxUnavailable, newCondition, newRSNewReplicas,
  getProportion, POD_TEMPLATE_HASH, Reason, replicasAnnotationsNeedUpdate, REVISION, rsReplicas, setCondition,
  setNewReplicaSetAnnotations, setReplicasAnnotations, specReplicas, type DeploymentView,
} from './deployment-util.js';
import { computePodTemplateHash } from './hash.js';
import { byCreation, controllerOf, field, int, newControllerRef, spec, status, timestamp, type Json } from './meta.js';
import { phaseOf } from './pods.js';
import { involvedOf, type WriteSet } from './writes.js';

export interface Sync {
  /** The Deployment as this sync sees it; status and annotations change in place as upstream's do. */
  readonly d: KubeObject;
  readonly v: DeploymentView;
  readonly now: number;
  readonly writes: WriteSet;
  readonly podMap: Map<string, KubeObject[]>;
  /** Every ReplicaSet of the namespace by name, to tell a name collision from our own. */
  readonly allNames: Map<string, KubeObject>;
}

type Split = [KubeObject | undefined, KubeObject[]];

function scaleEvent(s: Sync, op: string, rs: KubeObject, to: number, from: number): void {
  s.writes.event({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${op} replica set ${rs.metadata.name} to ${to} from ${from}`, involved: involvedOf(s.d) });
}

/** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created if asked) and the old ones. */
export function getAll(s: Sync, rsList: readonly KubeObject[], create: boolean): Split {
  const found = findNewReplicaSet(s.d, rsList);
  const oldRSs = rsList.filter((rs) => rs !== found);
  return [getNewReplicaSet(s, found, oldRSs, create), oldRSs];
}

function getNewReplicaSet(s: Sync, existing: KubeObject | undefined, oldRSs: readonly KubeObject[],
  create: boolean): KubeObject | undefined {
  const { d, v } = s;
  const newRevision = maxRevision(oldRSs) + 1;
  const st = status(d);
  if (existing) {
    const rsCopy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, v, rsCopy, newRevision, true);
    if (annotationsUpdated || int(spec(rsCopy).minReadySeconds, 0) !== v.minReadySeconds) {
      setMinReady(rsCopy, v.minReadySeconds);
      return s.writes.update(rsCopy);
    }
    let needsUpdate = setRevision(d, rsCopy.metadata.annotations?.[REVISION] ?? '');
    if (hasProgressDeadline(v) && !getCondition(st, 'Progressing')) {
      setCondition(st, newCondition('Progressing', 'True', Reason.FoundNewRS, `Found new replica set "${rsCopy.metadata.name}"`, s.now));
      needsUpdate = true;
    }
    if (needsUpdate) { d.status = st; s.writes.updateStatus(d); }
    return rsCopy;
  }
  if (!create) return undefined;
  const template = structuredClone(field(spec(d), 'template'));
  const collisionCount = typeof st.collisionCount === 'number' ? st.collisionCount : undefined;
  const hash = computePodTemplateHash(template, collisionCount);
  const tmeta = (template.metadata ??= {}) as Json;
  tmeta.labels = { ...(tmeta.labels as Record<string, string> | undefined), [POD_TEMPLATE_HASH]: hash };
  const selector = structuredClone(field(spec(d), 'selector'));
  selector.matchLabels = { ...(selector.matchLabels as Record<string, string> | undefined), [POD_TEMPLATE_HASH]: hash };
  const name = `${d.metadata.name}-${hash}`;
  const newRS: KubeObject = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: d.metadata.namespace, labels: { ...(tmeta.labels as Record<string, string>) }, ownerReferences: [newControllerRef(d)] },
    spec: { replicas: 0, ...(v.minReadySeconds ? { minReadySeconds: v.minReadySeconds } : {}), selector, template },
  };
  const count = newRSNewReplicas(v, [...oldRSs, newRS], newRS);
  (newRS.spec as Json).replicas = count;
  setNewReplicaSetAnnotations(d, v, newRS, newRevision, false);
  const clash = s.allNames.get(name);
  if (clash) {
    // Create would say AlreadyExists: ours if we control it and the template is the same,
    // otherwise a hash collision, resolved by bumping collisionCount and trying next sync.
    if (controllerOf(clash)?.uid === d.metadata.uid && equalIgnoreHash(spec(d).template, spec(clash).template)) {
      if (setRevision(d, String(newRevision))) { d.status = st; s.writes.updateStatus(d); }
      return clash;
    }
    st.collisionCount = (collisionCount ?? 0) + 1;
    d.status = st;
    s.writes.updateStatus(d);
    return undefined;
  }
  const created = s.writes.create(newRS);
  created.metadata.creationTimestamp = timestamp(s.now);
  if (count > 0) s.writes.event({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${name} to ${count}`, involved: involvedOf(d) });
  setRevision(d, String(newRevision));
  if (hasProgressDeadline(v)) setCondition(st, newCondition('Progressing', 'True', Reason.NewReplicaSet, `Created new replica set "${name}"`, s.now));
  d.status = st;
  s.writes.updateStatus(d);
  return created;
}

function setMinReady(rs: KubeObject, n: number): void {
  const sp = spec(rs);
  if (n) sp.minReadySeconds = n; else delete sp.minReadySeconds;
  rs.spec = sp;
}

/** SetDeploymentRevision. */
function setRevision(d: KubeObject, revision: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[REVISION] === revision) return false;
  a[REVISION] = revision;
  return true;
}

function scaleReplicaSet(s: Sync, rs: KubeObject, newScale: number, op: string): [boolean, KubeObject] {
  const { v } = s;
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  const max = v.replicas + maxSurge(v);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, v.replicas, max)) return [false, rs];
  const copy = structuredClone(rs);
  copy.spec = { ...spec(copy), replicas: newScale };
  setReplicasAnnotations(copy, v.replicas, max);
  const updated = s.writes.update(copy);
  if (sizeNeedsUpdate) scaleEvent(s, op, rs, newScale, rsReplicas(rs));
  return [sizeNeedsUpdate, updated];
}

function scaleAndRecord(s: Sync, rs: KubeObject, newScale: number): [boolean, KubeObject] {
  if (rsReplicas(rs) === newScale) return [false, rs];
  return scaleReplicaSet(s, rs, newScale, rsReplicas(rs) < newScale ? 'up' : 'down');
}

/** sync: scaling events and paused Deployments; proportional scaling across active ReplicaSets. */
export function sync(s: Sync, rsList: readonly KubeObject[]): void {
  const [newRS, oldRSs] = getAll(s, rsList, false);
  scale(s, newRS, oldRSs);
  if (s.v.paused) cleanupDeployment(s, oldRSs);
  syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, s.d, s.v, s.now, s.writes);
}

/** syncStatusOnly: a Deployment being deleted only reports. */
export function syncStatusOnly(s: Sync, rsList: readonly KubeObject[]): void {
  const [newRS, oldRSs] = getAll(s, rsList, false);
  syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, s.d, s.v, s.now, s.writes);
}

function scale(s: Sync, newRS: KubeObject | undefined, oldRSs: readonly KubeObject[]): void {
  const { v } = s;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) !== v.replicas) scaleAndRecord(s, activeOrLatest, v.replicas);
    return;
  }
  if (isSaturated(v, newRS)) {
    for (const old of oldRSs.filter(isActive)) scaleAndRecord(s, old, 0);
    return;
  }
  if (!v.rolling) return;
  const all = [...oldRSs, ...(newRS ? [newRS] : [])].filter(isActive);
  const allowed = v.replicas > 0 ? v.replicas + maxSurge(v) : 0;
  const toAdd = allowed - specReplicas(all);
  let op = '';
  if (toAdd > 0) { all.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreation(b, a)); op = 'up'; }
  if (toAdd < 0) { all.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreation(a, b)); op = 'down'; }
  const size = new Map<string, number>();
  let added = 0;
  for (const rs of all) {
    const p = toAdd !== 0 ? getProportion(rs, s.d, v, toAdd, added) : 0;
    size.set(rs.metadata.name ?? '', rsReplicas(rs) + p);
    added += p;
  }
  all.forEach((rs, i) => {
    const name = rs.metadata.name ?? '';
    if (i === 0 && toAdd !== 0) size.set(name, Math.max(0, (size.get(name) ?? 0) + toAdd - added));
    scaleReplicaSet(s, rs, size.get(name) ?? 0, op);
  });
}

/** cleanupDeployment: delete the oldest empty ReplicaSets beyond revisionHistoryLimit. */
function cleanupDeployment(s: Sync, oldRSs: readonly KubeObject[]): void {
  if (!hasRevisionHistoryLimit(s.v)) return;
  const cleanable = oldRSs.filter((rs) => rs.metadata.deletionTimestamp === undefined).sort(byRevision);
  const diff = cleanable.length - s.v.revisionHistoryLimit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if (int(status(rs).replicas, 0) !== 0 || rsReplicas(rs) !== 0 || int(rs.metadata.generation, 0) > int(status(rs).observedGeneration, 0)) continue;
    s.writes.delete({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: rs.metadata.namespace, name: rs.metadata.name ?? '' });
  }
}

/** The strategy's rollout step (rolloutRolling or rolloutRecreate). */
export function rollout(s: Sync, rsList: readonly KubeObject[]): void {
  if (s.v.strategyType === 'Recreate') rolloutRecreate(s, rsList);
  else if (s.v.rolling) rolloutRolling(s, rsList);
}

function rolloutRolling(s: Sync, rsList: readonly KubeObject[]): void {
  const [newRS, oldRSs] = getAll(s, rsList, true);
  if (!newRS) return;
  const allRSs = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(s, allRSs, newRS) || reconcileOldReplicaSets(s, allRSs, oldRSs.filter(isActive), newRS)) {
    syncRolloutStatus(allRSs, newRS, s.d, s.v, s.now, s.writes);
    return;
  }
  if (deploymentComplete(s.d, s.v, status(s.d))) cleanupDeployment(s, oldRSs);
  syncRolloutStatus(allRSs, newRS, s.d, s.v, s.now, s.writes);
}

function reconcileNewReplicaSet(s: Sync, allRSs: readonly KubeObject[], newRS: KubeObject): boolean {
  const want = s.v.replicas;
  if (rsReplicas(newRS) === want) return false;
  if (rsReplicas(newRS) > want) return scaleAndRecord(s, newRS, want)[0];
  return scaleAndRecord(s, newRS, newRSNewReplicas(s.v, allRSs, newRS))[0];
}

function reconcileOldReplicaSets(s: Sync, allRSs: readonly KubeObject[], oldRSs: KubeObject[], newRS: KubeObject): boolean {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = s.v.replicas - maxUnavailable(s.v);
  const newUnavailable = rsReplicas(newRS) - int(status(newRS).availableReplicas, 0);
  const maxScaledDown = specReplicas(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old replicas go first: removing them cannot lower availability.
  oldRSs.sort(byCreation);
  let cleaned = 0;
  for (let i = 0; i < oldRSs.length && cleaned < maxScaledDown; i++) {
    const rs = oldRSs[i];
    if (rsReplicas(rs) === 0) continue;
    const unhealthy = rsReplicas(rs) - int(status(rs).availableReplicas, 0);
    if (unhealthy === 0) continue;
    // A status that still counts more available pods than the (just lowered) spec makes
    // upstream's cleanup refuse to "scale down" upwards and give up this step.
    if (unhealthy < 0) return false;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    oldRSs[i] = scaleAndRecord(s, rs, rsReplicas(rs) - n)[1];
    cleaned += n;
  }
  return cleaned + scaleDownOldForRollingUpdate(s, [...oldRSs, newRS], oldRSs) > 0;
}

function scaleDownOldForRollingUpdate(s: Sync, allRSs: readonly KubeObject[], oldRSs: KubeObject[]): number {
  const minAvailable = s.v.replicas - maxUnavailable(s.v);
  const available = availableReplicas(allRSs);
  if (available <= minAvailable) return 0;
  oldRSs.sort(byCreation);
  const total = available - minAvailable;
  let done = 0;
  for (const rs of oldRSs) {
    if (done >= total) break;
    if (rsReplicas(rs) === 0) continue;
    const n = Math.min(rsReplicas(rs), total - done);
    scaleAndRecord(s, rs, rsReplicas(rs) - n);
    done += n;
  }
  return done;
}

function rolloutRecreate(s: Sync, rsList: readonly KubeObject[]): void {
  let [newRS, oldRSs] = getAll(s, rsList, false);
  let allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
  let scaledDown = false;
  for (const rs of oldRSs.filter(isActive)) if (scaleAndRecord(s, rs, 0)[0]) scaledDown = true;
  if (scaledDown || oldPodsRunning(s, newRS, oldRSs)) {
    syncRolloutStatus(allRSs, newRS, s.d, s.v, s.now, s.writes);
    return;
  }
  if (!newRS) {
    [newRS, oldRSs] = getAll(s, rsList, true);
    if (!newRS) return;
    allRSs = [...oldRSs, newRS];
  }
  scaleAndRecord(s, newRS, s.v.replicas);
  if (deploymentComplete(s.d, s.v, status(s.d))) cleanupDeployment(s, oldRSs);
  syncRolloutStatus(allRSs, newRS, s.d, s.v, s.now, s.writes);
}

/** oldPodsRunning: any old ReplicaSet still counts pods, or any of its pods is not finished. */
function oldPodsRunning(s: Sync, newRS: KubeObject | undefined, oldRSs: readonly KubeObject[]): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of s.podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => phaseOf(p) !== 'Failed' && phaseOf(p) !== 'Succeeded')) return true;
  }
  return false;
}
