// The StatefulSet controller's sync (pkg/controller/statefulset/stateful_set_control.go
// updateStatefulSet, stateful_set_utils.go, 1.32) as a pure function: pods <set>-<ordinal> with
// stable identity (hostname, subdomain, pod-name and pod-index labels), their PersistentVolume-
// Claims, OrderedReady (one pod at a time, each waiting for its predecessors to be Running and
// Ready; scale-down from the highest ordinal) or Parallel, RollingUpdate from the highest
// ordinal down to the partition, and the status `kubectl rollout status` reads.
import type { KubeObject } from '../../object.js';
import { claim, field, int, newControllerRef, selectorOf, spec, status, str, type Json } from './meta.js';
import { isPodAvailable, isPodReady, phaseOf, podFromTemplate } from './pods.js';
import { CONTROLLER_REVISION_HASH, currentRevision } from './revisions.js';
import { involvedOf, WriteSet, type Writes } from './writes.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** What else the controller sees: its ControllerRevisions and the namespace's claims, when known. */
export interface StatefulSetInputs {
  readonly revisions?: readonly KubeObject[];
  readonly claims?: readonly KubeObject[];
}

/** getParentNameAndOrdinal: `web-3` -> ['web', 3]. */
export function parentAndOrdinal(name: string): [string, number] | undefined {
  const m = /^(.*)-([0-9]+)$/.exec(name);
  return m ? [m[1], Number(m[2])] : undefined;
}

const runningAndReady = (p: KubeObject): boolean => phaseOf(p) === 'Running' && isPodReady(p);
const terminating = (p: KubeObject): boolean => p.metadata.deletionTimestamp !== undefined;
const healthy = (p: KubeObject | undefined): boolean => p !== undefined && runningAndReady(p) && !terminating(p);
const revisionOf = (p: KubeObject): string => p.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? '';

function claimName(template: Json, set: KubeObject, ordinal: number): string {
  return `${str(field(template, 'metadata').name)}-${set.metadata.name}-${ordinal}`;
}

/** newStatefulSetPod: identity, storage and revision on a pod from the template. */
function newPod(set: KubeObject, ordinal: number, revision: string, writes: WriteSet): KubeObject {
  const name = `${set.metadata.name}-${ordinal}`;
  const pod = podFromTemplate({
    template: field(spec(set), 'template'), namespace: set.metadata.namespace ?? '', generateNamePrefix: `${set.metadata.name}-`,
    controllerRef: newControllerRef(set), name,
  });
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [CONTROLLER_REVISION_HASH]: revision };
  const ps = spec(pod);
  ps.hostname = name;
  const service = str(spec(set).serviceName);
  if (service) ps.subdomain = service;
  const templates = (spec(set).volumeClaimTemplates as Json[] | undefined) ?? [];
  if (templates.length) {
    const names = new Set(templates.map((t) => str(field(t, 'metadata').name)));
    const own = ((ps.volumes as Json[] | undefined) ?? []).filter((v) => !names.has(str(v.name)));
    ps.volumes = [
      ...templates.map((t) => ({ name: str(field(t, 'metadata').name), persistentVolumeClaim: { claimName: claimName(t, set, ordinal) } })),
      ...own,
    ];
  }
  pod.spec = ps;
  return writes.create(pod);
}

function newClaims(set: KubeObject, ordinal: number, known: readonly KubeObject[] | undefined): KubeObject[] {
  const matchLabels = (field(spec(set).selector, 'matchLabels') ?? {}) as Record<string, string>;
  return ((spec(set).volumeClaimTemplates as Json[] | undefined) ?? []).flatMap((t) => {
    const name = claimName(t, set, ordinal);
    if (known?.some((c) => c.metadata.name === name && c.metadata.namespace === set.metadata.namespace)) return [];
    const meta = field(t, 'metadata');
    return [{
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: set.metadata.namespace, labels: { ...(meta.labels as Record<string, string> | undefined), ...matchLabels } },
      spec: structuredClone(field(t, 'spec')),
    }];
  });
}

/** One sync of StatefulSet `set` given the pods of its namespace, at time `now`. */
export function reconcileStatefulSet(set: KubeObject, pods: readonly KubeObject[], now: number,
  known: StatefulSetInputs = {}): Writes {
  const writes = new WriteSet();
  const s = spec(set);
  const prev = status(set);
  const replicas = int(s.replicas, 1);
  const start = int(field(s, 'ordinals').start, 0);
  const monotonic = s.podManagementPolicy !== 'Parallel';
  const minReady = int(s.minReadySeconds, 0);
  const rolling = str(field(s, 'updateStrategy').type, 'RollingUpdate') === 'RollingUpdate';
  const partition = int(field(field(s, 'updateStrategy'), 'rollingUpdate').partition, 0);

  const rev = currentRevision(set, known.revisions ?? [], 'StatefulSet');
  if (!rev.exists && (known.revisions !== undefined || prev.updateRevision !== rev.name)) writes.create(rev.object);
  const updateRevision = rev.name;
  const currentRev = str(prev.currentRevision) || updateRevision;

  const member = (p: KubeObject): boolean => parentAndOrdinal(p.metadata.name ?? '')?.[0] === set.metadata.name;
  const selector = selectorOf(s.selector);
  const mine = claim(set, pods.filter((p) => p.metadata.namespace === set.metadata.namespace), selector, writes, member);
  const slots: (KubeObject | undefined)[] = Array.from({ length: replicas }, () => undefined);
  const condemned: KubeObject[] = [];
  for (const p of mine) {
    const ord = parentAndOrdinal(p.metadata.name ?? '')![1];
    if (ord >= start && ord < start + replicas && !slots[ord - start]) slots[ord - start] = p;
    else condemned.push(p);
  }
  condemned.sort((a, b) => parentAndOrdinal(b.metadata.name ?? '')![1] - parentAndOrdinal(a.metadata.name ?? '')![1]);

  const st: Json = { observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0 };
  const bump = (k: string): void => { st[k] = int(st[k], 0) + 1; };
  for (const p of mine) {
    bump('replicas');
    if (runningAndReady(p)) {
      bump('readyReplicas');
      if (isPodAvailable(p, minReady, now)) bump('availableReplicas');
    }
    if (!terminating(p) && revisionOf(p) === currentRev) bump('currentReplicas');
    if (!terminating(p) && revisionOf(p) === updateRevision) bump('updatedReplicas');
  }

  const firstUnhealthy = [...slots, ...condemned].find((p) => !healthy(p));
  const del = (p: KubeObject, why: string): void => {
    writes.delete({ apiVersion: 'v1', kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name ?? '' });
    writes.event({ type: 'Normal', reason: 'SuccessfulDelete', message: `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful`, involved: involvedOf(set) });
    if (why === 'update') st.currentReplicas = int(st.currentReplicas, 0) - 1;
  };
  const step = (): void => {
    if (set.metadata.deletionTimestamp !== undefined) return;
    for (let i = 0; i < replicas; i++) {
      const p = slots[i];
      const ordinal = start + i;
      if (!p) {
        for (const c of newClaims(set, ordinal, known.claims)) writes.create(c);
        const pod = newPod(set, ordinal, updateRevision, writes);
        writes.event({ type: 'Normal', reason: 'SuccessfulCreate', message: `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`, involved: involvedOf(set) });
        if (monotonic) return;
        continue;
      }
      if (phaseOf(p) === 'Failed' || phaseOf(p) === 'Succeeded') {
        if (!terminating(p)) del(p, 'recreate');
        if (monotonic) return;
        continue;
      }
      if (monotonic && (terminating(p) || !runningAndReady(p) || !isPodAvailable(p, minReady, now))) return;
    }
    for (const p of condemned) {
      if (terminating(p)) { if (monotonic) return; continue; }
      if (monotonic && p !== firstUnhealthy && (!runningAndReady(p) || !isPodAvailable(p, minReady, now))) return;
      del(p, 'scale');
      if (monotonic) return;
    }
    if (!rolling) return;
    for (let i = replicas - 1; i >= partition; i--) {
      const p = slots[i];
      if (p && revisionOf(p) !== updateRevision && !terminating(p)) { del(p, 'update'); return; }
      if (!healthy(p)) return;
    }
  };
  step();

  if (rolling && st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas) {
    st.currentReplicas = st.updatedReplicas;
    st.currentRevision = updateRevision;
  } else st.currentRevision = currentRev;
  st.updateRevision = updateRevision;
  st.collisionCount = int(prev.collisionCount, 0);
  const next = tidy(st, prev);
  if (JSON.stringify(next) !== JSON.stringify(tidy(prev, prev))) writes.updateStatus({ ...structuredClone(set), status: next });
  return writes.result();
}

/** StatefulSetStatus in Go field order and omitempty. */
function tidy(st: Json, prev: Json): Json {
  const out: Json = {};
  const omit = new Set(['observedGeneration', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision']);
  for (const k of ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount', 'conditions', 'availableReplicas']) {
    const v = k === 'conditions' ? prev.conditions : st[k];
    if (v === undefined || (omit.has(k) && (v === 0 || v === ''))) continue;
    if (k === 'conditions' && (!Array.isArray(v) || v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}
