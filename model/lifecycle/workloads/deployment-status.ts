// Deployment status as the controller writes it (sync.go calculateStatus, progress.go
// syncRolloutStatus and requeueStuckDeployment): the counts, Available, and the Progressing
// condition whose NewReplicaSetAvailable reason is what `kubectl rollout status` waits for.
import type { KubeObject } from '../../object.js';
import {
  actualReplicas, availableReplicas, conditionsOf, getCondition, hasProgressDeadline, maxUnavailable, newCondition,
  Reason, readyReplicas, removeCondition, setCondition, specReplicas, type DeploymentCondition, type DeploymentView,
} from './deployment-util.js';
import { int, semanticEqual, status, timeOf, type Json } from './meta.js';
import type { WriteSet } from './writes.js';

/** calculateStatus: counts over the ReplicaSets, the previous conditions, then Available. */
export function calculateStatus(allRSs: readonly KubeObject[], newRS: KubeObject | undefined, d: KubeObject,
  v: DeploymentView, now: number): Json {
  const available = availableReplicas(allRSs);
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  const prev = status(d);
  const st: Json = {};
  const put = (k: string, n: number): void => { if (n) st[k] = n; };
  put('observedGeneration', int(d.metadata.generation, 0));
  put('replicas', actualReplicas(allRSs));
  put('updatedReplicas', newRS ? actualReplicas([newRS]) : 0);
  put('readyReplicas', readyReplicas(allRSs));
  put('availableReplicas', available);
  put('unavailableReplicas', unavailable);
  st.conditions = conditionsOf(prev).map((c) => ({ ...c }));
  if (available >= v.replicas - maxUnavailable(v)) {
    setCondition(st, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(st, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  if (prev.collisionCount !== undefined) st.collisionCount = prev.collisionCount;
  return st;
}

/** Reorders the status keys as Go serializes DeploymentStatus, dropping an empty condition list. */
export function tidyStatus(st: Json): Json {
  const out: Json = {};
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas',
    'unavailableReplicas', 'conditions', 'collisionCount']) {
    const val = st[k];
    if (val === undefined || (Array.isArray(val) && val.length === 0)) continue;
    out[k] = val;
  }
  return out;
}

/** DeploymentComplete: every replica updated, no old ones left, all available, generation observed. */
export function deploymentComplete(d: KubeObject, v: DeploymentView, st: Json): boolean {
  const n = (k: string): number => int(st[k], 0);
  return n('updatedReplicas') === v.replicas && n('replicas') === v.replicas && n('availableReplicas') === v.replicas &&
    n('observedGeneration') >= int(d.metadata.generation, 0);
}

/** DeploymentProgressing: more updated, ready or available replicas, or fewer old ones. */
function deploymentProgressing(d: KubeObject, st: Json): boolean {
  const old = status(d);
  const n = (o: Json, k: string): number => int(o[k], 0);
  return n(st, 'updatedReplicas') > n(old, 'updatedReplicas') ||
    n(st, 'replicas') - n(st, 'updatedReplicas') < n(old, 'replicas') - n(old, 'updatedReplicas') ||
    n(st, 'readyReplicas') > n(old, 'readyReplicas') ||
    n(st, 'availableReplicas') > n(old, 'availableReplicas');
}

function deploymentTimedOut(v: DeploymentView, st: Json, now: number): boolean {
  if (!hasProgressDeadline(v)) return false;
  const c = getCondition(st, 'Progressing');
  if (!c || c.reason === Reason.NewRSAvailable) return false;
  if (c.reason === Reason.TimedOut) return true;
  const from = timeOf(c.lastUpdateTime) ?? 0;
  return from + v.progressDeadlineSeconds * 1000 < now;
}

/** getReplicaFailures: a ReplicaFailure condition of the new (else an old) ReplicaSet, if any. */
function replicaFailure(allRSs: readonly KubeObject[], newRS: KubeObject | undefined): DeploymentCondition | undefined {
  for (const rs of newRS ? [newRS, ...allRSs] : allRSs) {
    const c = (status(rs).conditions as Json[] | undefined)?.find((x) => x.type === 'ReplicaFailure');
    if (!c) continue;
    const t = String(c.lastTransitionTime ?? '');
    return {
      type: 'ReplicaFailure', status: c.status as DeploymentCondition['status'], lastUpdateTime: t,
      lastTransitionTime: t, reason: String(c.reason ?? ''), message: String(c.message ?? ''),
    };
  }
  return undefined;
}

/** syncRolloutStatus: the status with Progressing (and ReplicaFailure) worked out; written if it changed. */
export function syncRolloutStatus(allRSs: readonly KubeObject[], newRS: KubeObject | undefined, d: KubeObject,
  v: DeploymentView, now: number, writes: WriteSet): void {
  const st = calculateStatus(allRSs, newRS, d, v, now);
  if (!hasProgressDeadline(v)) removeCondition(st, 'Progressing');
  const current = getCondition(status(d), 'Progressing');
  const isComplete = int(st.replicas, 0) === int(st.updatedReplicas, 0) && current?.reason === Reason.NewRSAvailable;
  if (hasProgressDeadline(v) && !isComplete) {
    const name = d.metadata.name ?? '';
    if (deploymentComplete(d, v, st)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(st, newCondition('Progressing', 'True', Reason.NewRSAvailable, msg, now));
    } else if (deploymentProgressing(d, st)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${name}" is progressing.`;
      const c = newCondition('Progressing', 'True', Reason.ReplicaSetUpdated, msg, now);
      // Progressing is re-stamped on every bit of progress, keeping only its transition time.
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(st, 'Progressing');
      }
      setCondition(st, c);
    } else if (deploymentTimedOut(v, st, now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(st, newCondition('Progressing', 'False', Reason.TimedOut, msg, now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(st, failure);
  else removeCondition(st, 'ReplicaFailure');
  const next = tidyStatus(st);
  if (semanticEqual(status(d), next)) {
    requeueStuck(d, v, next, now, writes);
    return;
  }
  d.status = next;
  writes.updateStatus(d);
}

/** syncDeploymentStatus: counts and Available only, for scaling and paused Deployments. */
export function syncDeploymentStatus(allRSs: readonly KubeObject[], newRS: KubeObject | undefined, d: KubeObject,
  v: DeploymentView, now: number, writes: WriteSet): void {
  const next = tidyStatus(calculateStatus(allRSs, newRS, d, v, now));
  if (semanticEqual(status(d), next)) return;
  d.status = next;
  writes.updateStatus(d);
}

/** requeueStuckDeployment: check again when the progress deadline would pass. */
function requeueStuck(d: KubeObject, v: DeploymentView, st: Json, now: number, writes: WriteSet): void {
  const current = getCondition(status(d), 'Progressing');
  if (!hasProgressDeadline(v) || !current) return;
  if (deploymentComplete(d, v, st) || current.reason === Reason.TimedOut) return;
  const after = (timeOf(current.lastUpdateTime) ?? 0) + v.progressDeadlineSeconds * 1000 - now;
  writes.requeueAfter(after < 1000 ? 0 : after + 1000);
}
