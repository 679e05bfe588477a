// The ReplicaSet controller's sync (pkg/controller/replicaset/replica_set.go syncReplicaSet,
// manageReplicas, getPodsToDelete; replica_set_utils.go calculateStatus), as a pure function.
// It assumes the pods it is given include every pod it created before (upstream waits on
// "expectations" for that); the engine must not call it again until its creates are visible.
import type { KubeObject } from '../../object.js';
import type { Rng } from '../../rng.js';
import { claim, controllerOf, field, int, newControllerRef, selectorOf, spec, status, type Json } from './meta.js';
import {
  deletionOrder, isPodActive, isPodAvailable, isPodReady, nodeNameOf, podFromTemplate, podNamePrefix, type RankedPod,
} from './pods.js';
import { involvedOf, WriteSet, type Writes } from './writes.js';

/** --replicaset-controller burst: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

export function replicasOf(rs: KubeObject): number {
  return int(spec(rs).replicas, 1);
}

/**
 * Pods to delete when scaling down by `diff`: unscheduled, then pending, then not ready, then
 * those sharing a node with more related pods, then the most recently ready or created.
 * `related` are the pods of every ReplicaSet with the same controller.
 */
export function podsToDelete(active: readonly KubeObject[], related: readonly KubeObject[], diff: number,
  now: number): KubeObject[] {
  if (diff >= active.length) return [...active];
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(nodeNameOf(p), (onNode.get(nodeNameOf(p)) ?? 0) + 1);
  const ranked: RankedPod[] = active.map((pod) => ({ pod, rank: onNode.get(nodeNameOf(pod)) ?? 0 }));
  ranked.sort(deletionOrder(now));
  return ranked.slice(0, diff).map((r) => r.pod);
}

/** calculateStatus: counts over the pods the sync started with (not the ones it creates). */
function calculateStatus(rs: KubeObject, pods: readonly KubeObject[], now: number): Json {
  const templateLabels = field(field(spec(rs), 'template'), 'metadata').labels as Record<string, string> | undefined;
  const minReady = int(spec(rs).minReadySeconds, 0);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels ?? {}).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const prev = status(rs);
  const out: Json = { replicas: pods.length };
  if (fullyLabeled) out.fullyLabeledReplicas = fullyLabeled;
  if (ready) out.readyReplicas = ready;
  if (available) out.availableReplicas = available;
  const gen = int(rs.metadata.generation, 0);
  if (gen) out.observedGeneration = gen;
  if (Array.isArray(prev.conditions) && prev.conditions.length) out.conditions = prev.conditions;
  return out;
}

function statusChanged(rs: KubeObject, next: Json): boolean {
  const prev = status(rs);
  const n = (o: Json, k: string): number => int(o[k], 0);
  return ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'].some((k) => n(prev, k) !== n(next, k)) ||
    int(rs.metadata.generation, 0) !== n(prev, 'observedGeneration');
}

/**
 * One sync of ReplicaSet `rs` given the pods of its namespace: pods to create (named
 * `<rs>-<5 random chars>` from `rng`) or delete, adoption/release of pods by ownerReference,
 * and the status write. `siblings` are the ReplicaSets with the same controller (a Deployment's
 * other ReplicaSets), whose pods weigh in the choice of pods to delete.
 */
export function reconcileReplicaSet(rs: KubeObject, pods: readonly KubeObject[], now: number, rng: Rng,
  siblings: readonly KubeObject[] = []): Writes {
  const writes = new WriteSet();
  const selector = selectorOf(spec(rs).selector);
  const active = claim(rs, pods.filter((p) => p.metadata.namespace === rs.metadata.namespace && isPodActive(p)),
    selector, writes);
  const want = replicasOf(rs);
  const diff = active.length - want;
  if (rs.metadata.deletionTimestamp === undefined && diff < 0) {
    const n = Math.min(-diff, BURST_REPLICAS);
    const ref = newControllerRef(rs);
    const taken = new Set(pods.map((p) => p.metadata.name ?? ''));
    for (let i = 0; i < n; i++) {
      const pod = writes.create(podFromTemplate({
        template: field(spec(rs), 'template'), namespace: rs.metadata.namespace ?? '',
        generateNamePrefix: podNamePrefix(rs.metadata.name ?? ''), controllerRef: ref, rng, taken,
      }));
      writes.event({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name}`, involved: involvedOf(rs) });
    }
  } else if (rs.metadata.deletionTimestamp === undefined && diff > 0) {
    const n = Math.min(diff, BURST_REPLICAS);
    for (const p of podsToDelete(active, relatedPods(rs, pods, siblings), n, now)) {
      writes.delete({ apiVersion: 'v1', kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name ?? '' });
      writes.event({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, involved: involvedOf(rs) });
    }
  }
  const next = calculateStatus(rs, active, now);
  if (statusChanged(rs, next)) writes.updateStatus({ ...structuredClone(rs), status: next });
  const minReady = int(spec(rs).minReadySeconds, 0);
  const ready = int(next.readyReplicas, 0);
  if (minReady > 0 && ready === want && int(next.availableReplicas, 0) !== want) writes.requeueAfter(minReady * 1000);
  return writes.result();
}

/** getIndirectlyRelatedPods: pods selected by any ReplicaSet sharing this one's controller. */
function relatedPods(rs: KubeObject, pods: readonly KubeObject[], siblings: readonly KubeObject[]): KubeObject[] {
  const owner = controllerOf(rs);
  if (!owner) return [];
  const family = [rs, ...siblings.filter((s) => controllerOf(s)?.uid === owner.uid && s.metadata.uid !== rs.metadata.uid)];
  const seen = new Set<string>();
  const out: KubeObject[] = [];
  for (const member of family) {
    const sel = selectorOf(spec(member).selector);
    for (const p of pods) {
      const key = p.metadata.uid ?? p.metadata.name ?? '';
      if (seen.has(key) || !sel?.matches(p.metadata.labels ?? {})) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}
