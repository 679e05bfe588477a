// The Deployment controller's sync (pkg/controller/deployment: deployment_controller.go
// syncDeployment, sync.go, rolling.go, recreate.go, 1.32) as a pure function. Each call is one
// sync: the writes it would make in order, folded so each object is written once. Like upstream,
// a sync takes one step (create or scale one side, then write status) and the next event
// (a ReplicaSet's status changing as its pods get ready) drives the next step.
import type { KubeObject } from '../../object.js';
import { rollout, sync, syncStatusOnly, type Sync } from './deployment-rollout.js';
import {
  getCondition, hasProgressDeadline, isActive, newCondition, Reason, setCondition, viewOf,
} from './deployment-util.js';
import { claim, controllerOf, int, selectorOf, selectsEverything, spec, status } from './meta.js';
import { involvedOf, WriteSet, type Writes } from './writes.js';

/**
 * One sync of `deployment`, given the ReplicaSets of its namespace (it claims its own by
 * controller reference and selector, adopting orphans) and, for the Recreate strategy, the pods
 * of its namespace (Recreate waits until no old pod runs). Returns the ReplicaSet creates and
 * updates, the Deployment status write (which also carries the revision annotation, as upstream
 * writes it through the status subresource), events, and when to look again.
 */
export function reconcileDeployment(deployment: KubeObject, replicaSets: readonly KubeObject[],
  pods: readonly KubeObject[] | undefined, now: number): Writes {
  const writes = new WriteSet();
  const d = structuredClone(deployment);
  const v = viewOf(d);
  if (selectsEverything(spec(d).selector)) {
    writes.event({ type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.', involved: involvedOf(d) });
    if (int(status(d).observedGeneration, 0) < int(d.metadata.generation, 0)) {
      d.status = { ...status(d), observedGeneration: d.metadata.generation };
      writes.updateStatus(d);
    }
    return writes.result();
  }
  const selector = selectorOf(spec(d).selector);
  const candidates = replicaSets.filter((rs) => rs.metadata.namespace === d.metadata.namespace);
  const rsList = claim(d, candidates, selector, writes);
  const s: Sync = { d, v, now, writes, podMap: podMapOf(rsList, pods), allNames: new Map(candidates.map((rs) => [rs.metadata.name ?? '', rs])) };

  if (d.metadata.deletionTimestamp !== undefined) {
    syncStatusOnly(s, rsList);
    return writes.result();
  }
  checkPausedConditions(s);
  if (v.paused || isScalingEvent(s, rsList)) sync(s, rsList);
  else rollout(s, rsList);
  return writes.result();
}

/** checkPausedConditions: Progressing Unknown while paused, and again when resumed. */
function checkPausedConditions(s: Sync): void {
  if (!hasProgressDeadline(s.v)) return;
  const st = status(s.d);
  const cond = getCondition(st, 'Progressing');
  if (cond?.reason === Reason.TimedOut) return;
  const pausedCondExists = cond?.reason === Reason.Paused;
  if (s.v.paused && !pausedCondExists) {
    setCondition(st, newCondition('Progressing', 'Unknown', Reason.Paused, 'Deployment is paused', s.now));
  } else if (!s.v.paused && pausedCondExists) {
    setCondition(st, newCondition('Progressing', 'Unknown', Reason.Resumed, 'Deployment is resumed', s.now));
  } else return;
  s.d.status = st;
  s.writes.updateStatus(s.d);
}

/** isScalingEvent: an active ReplicaSet was sized for a different replica count. */
function isScalingEvent(s: Sync, rsList: readonly KubeObject[]): boolean {
  for (const rs of rsList.filter(isActive)) {
    const desired = rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'];
    if (desired === undefined || !/^[+-]?[0-9]+$/.test(desired)) continue;
    if (Number(desired) !== s.v.replicas) return true;
  }
  return false;
}

/** getPodMapForDeployment: the pods of each claimed ReplicaSet, by its uid. */
function podMapOf(rsList: readonly KubeObject[], pods: readonly KubeObject[] | undefined): Map<string, KubeObject[]> {
  const map = new Map<string, KubeObject[]>();
  for (const rs of rsList) if (rs.metadata.uid) map.set(rs.metadata.uid, []);
  for (const p of pods ?? []) {
    const ref = controllerOf(p);
    if (ref && ref.kind === 'ReplicaSet') map.get(ref.uid)?.push(p);
  }
  return map;
}
