// Pod facts the workload controllers read (k8s.io/kubernetes pkg/api/v1/pod/util.go) and the
// pods they make from a template (pkg/controller/controller_utils.go GetPodFromTemplate), plus
// the order in which a ReplicaSet picks pods to delete (ActivePodsWithRanks).
import type { KubeObject, OwnerReference } from '../../object.js';
import type { Rng } from '../../rng.js';
import { generateName } from '../../validation.js';
import { field, int, str, timeOf, type Json } from './meta.js';

export function phaseOf(pod: KubeObject): string {
  return str(field(pod, 'status').phase);
}

export function nodeNameOf(pod: KubeObject): string {
  return str(field(pod, 'spec').nodeName);
}

function readyCondition(pod: KubeObject): Json | undefined {
  const conds = field(pod, 'status').conditions;
  if (!Array.isArray(conds)) return undefined;
  return conds.find((c): c is Json => typeof c === 'object' && c !== null && (c as Json).type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready, or undefined when it is not ready. */
export function podReadyTime(pod: KubeObject): number | undefined {
  return isPodReady(pod) ? timeOf(readyCondition(pod)?.lastTransitionTime) : undefined;
}

/** podutil.IsPodAvailable: ready for at least minReadySeconds (strictly before now). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = timeOf(readyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** controller.IsPodActive: not finished and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata.deletionTimestamp === undefined;
}

/** controller.IsPodTerminating: being deleted but not finished. */
export function isPodTerminating(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata.deletionTimestamp !== undefined;
}

/** getPodsPrefix: `<controller>-` (generateName cuts it to 58 characters before the suffix). */
export function podNamePrefix(controllerName: string): string {
  return `${controllerName}-`;
}

export interface PodFromTemplate {
  template: Json;
  namespace: string;
  generateNamePrefix: string;
  controllerRef?: OwnerReference;
  /** A fixed name (StatefulSet pods); otherwise one is generated from generateNamePrefix. */
  name?: string;
  rng?: Rng;
  /** Names already in use; a generated name that collides is drawn again (RetryGenerateName). */
  taken?: Set<string>;
}

/**
 * GetPodFromTemplate, then the name the apiserver would generate: labels, annotations and
 * finalizers of the template, generateName, the controller reference, the template's spec.
 */
export function podFromTemplate(p: PodFromTemplate): KubeObject {
  const meta = field(p.template, 'metadata');
  const copy = <T>(v: unknown): T | undefined => (v === undefined ? undefined : structuredClone(v) as T);
  const draw = (): string => {
    if (!p.rng) throw new Error('podFromTemplate: neither a name nor an rng');
    return generateName(p.generateNamePrefix, p.rng);
  };
  let name = p.name ?? draw();
  while (p.name === undefined && p.taken?.has(name)) name = draw();
  p.taken?.add(name);
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: p.generateNamePrefix,
      namespace: p.namespace,
      labels: copy<Record<string, string>>(meta.labels),
      annotations: copy<Record<string, string>>(meta.annotations),
      ownerReferences: p.controllerRef ? [{ ...p.controllerRef }] : undefined,
      finalizers: copy<string[]>(meta.finalizers),
    },
    spec: structuredClone(field(p.template, 'spec')),
  };
  for (const k of Object.keys(pod.metadata)) if (pod.metadata[k] === undefined) delete pod.metadata[k];
  return pod;
}

function restartCounts(pod: KubeObject): [number, number] {
  const st = field(pod, 'status');
  const max = (list: unknown, keep: (name: string) => boolean): number => {
    if (!Array.isArray(list)) return 0;
    let m = 0;
    for (const c of list) {
      if (typeof c === 'object' && c !== null && keep(str((c as Json).name))) m = Math.max(m, int((c as Json).restartCount, 0));
    }
    return m;
  };
  const inits = field(pod, 'spec').initContainers;
  const sidecars = new Set(Array.isArray(inits)
    ? inits.filter((c) => (c as Json)?.restartPolicy === 'Always').map((c) => str((c as Json).name)) : []);
  return [max(st.containerStatuses, () => true), max(st.initContainerStatuses, (n) => sidecars.has(n))];
}

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/** afterOrZero: a zero time sorts first; otherwise the later time does. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** LogarithmicScaleDown (on in 1.32): times in the same power-of-two age bucket count as equal. */
function logRankDiff(a: number, b: number, now: number): number {
  const rank = (t: number): number => {
    const ns = (now - t) * 1e6;
    return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
  };
  return rank(a) - rank(b);
}

function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

export interface RankedPod { readonly pod: KubeObject; readonly rank: number }

/** ActivePodsWithRanks.Less as a comparator: the pods to delete first sort first. */
export function deletionOrder(now: number): (a: RankedPod, b: RankedPod) => number {
  return (a, b) => (less(a, b, now) ? -1 : less(b, a, now) ? 1 : 0);
}

function less(x: RankedPod, y: RankedPod, now: number): boolean {
  const pi = x.pod;
  const pj = y.pod;
  const ni = nodeNameOf(pi);
  const nj = nodeNameOf(pj);
  if (ni !== nj && (ni === '' || nj === '')) return ni === '';
  const oi = PHASE_ORDINAL[phaseOf(pi)] ?? 0;
  const oj = PHASE_ORDINAL[phaseOf(pj)] ?? 0;
  if (oi !== oj) return oi < oj;
  if (isPodReady(pi) !== isPodReady(pj)) return !isPodReady(pi);
  if (deletionCost(pi) !== deletionCost(pj)) return deletionCost(pi) < deletionCost(pj);
  if (x.rank !== y.rank) return x.rank > y.rank;
  const uidLess = (): boolean => (pi.metadata.uid ?? '') < (pj.metadata.uid ?? '');
  if (isPodReady(pi) && isPodReady(pj)) {
    const ri = podReadyTime(pi);
    const rj = podReadyTime(pj);
    if (ri !== rj) {
      if (ri === undefined || rj === undefined) return afterOrZero(ri, rj);
      const d = logRankDiff(ri, rj, now);
      return d === 0 ? uidLess() : d < 0;
    }
  }
  const [regI, sideI] = restartCounts(pi);
  const [regJ, sideJ] = restartCounts(pj);
  if (regI !== regJ) return regI > regJ;
  if (sideI !== sideJ) return sideI > sideJ;
  const ci = timeOf(pi.metadata.creationTimestamp);
  const cj = timeOf(pj.metadata.creationTimestamp);
  if (ci !== cj) {
    if (ci === undefined || cj === undefined) return afterOrZero(ci, cj);
    const d = logRankDiff(ci, cj, now);
    return d === 0 ? uidLess() : d < 0;
  }
  return false;
}
