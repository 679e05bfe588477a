// The Deployment controller's arithmetic and bookkeeping (pkg/controller/deployment/util/
// deployment_util.go, 1.32): surge and unavailability fenceposts, revision and replica
// annotations, proportional scaling, conditions.
import type { KubeObject } from '../../object.js';
import { byCreation, field, int, semanticEqual, spec, status, str, timestamp, type Json } from './meta.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
const MAX_INT32 = 2147483647;
/** Longest revision-history annotation the controller keeps (sync.go maxRevHistoryLengthInChars). */
const MAX_REV_HISTORY_CHARS = 2000;

export const Reason = {
  NewReplicaSet: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  NewRSAvailable: 'NewReplicaSetAvailable',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  TimedOut: 'ProgressDeadlineExceeded',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/** A Deployment's spec with the apps/v1 defaults filled in (SetDefaults_Deployment). */
export interface DeploymentView {
  readonly replicas: number;
  readonly rolling: boolean;
  readonly strategyType: string;
  readonly maxSurge: number | string;
  readonly maxUnavailable: number | string;
  readonly minReadySeconds: number;
  readonly revisionHistoryLimit: number;
  readonly progressDeadlineSeconds: number | undefined;
  readonly paused: boolean;
}

export function viewOf(d: KubeObject): DeploymentView {
  const s = spec(d);
  const strategy = field(s, 'strategy');
  const strategyType = str(strategy.type, 'RollingUpdate');
  const ru = field(strategy, 'rollingUpdate');
  const intOrStr = (v: unknown): number | string => (typeof v === 'number' || typeof v === 'string' ? v : '25%');
  return {
    replicas: int(s.replicas, 1),
    rolling: strategyType === 'RollingUpdate',
    strategyType,
    maxSurge: intOrStr(ru.maxSurge),
    maxUnavailable: intOrStr(ru.maxUnavailable),
    minReadySeconds: int(s.minReadySeconds, 0),
    revisionHistoryLimit: int(s.revisionHistoryLimit, 10),
    progressDeadlineSeconds: s.progressDeadlineSeconds === undefined ? 600 : int(s.progressDeadlineSeconds, 600),
    paused: s.paused === true,
  };
}

export function hasProgressDeadline(v: DeploymentView): v is DeploymentView & { progressDeadlineSeconds: number } {
  return v.progressDeadlineSeconds !== undefined && v.progressDeadlineSeconds !== MAX_INT32;
}

export function hasRevisionHistoryLimit(v: DeploymentView): boolean {
  return v.revisionHistoryLimit !== MAX_INT32;
}

/** intstr.GetScaledValueFromIntOrPercent; an invalid value counts as 0 (validation rejects it). */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?[0-9]+)%$/.exec(v);
  if (!m) return 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: surge rounds up, unavailability down, and both zero means one unavailable. */
export function resolveFenceposts(v: DeploymentView): [number, number] {
  const surge = scaledValue(v.maxSurge, v.replicas, true);
  let unavailable = scaledValue(v.maxUnavailable, v.replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(v: DeploymentView): number {
  return v.rolling ? resolveFenceposts(v)[0] : 0;
}

export function maxUnavailable(v: DeploymentView): number {
  if (!v.rolling || v.replicas === 0) return 0;
  return Math.min(resolveFenceposts(v)[1], v.replicas);
}

export const rsReplicas = (rs: KubeObject): number => int(spec(rs).replicas, 1);
export const sum = (list: readonly KubeObject[], f: (rs: KubeObject) => number): number =>
  list.reduce((n, rs) => n + f(rs), 0);
export const specReplicas = (list: readonly KubeObject[]): number => sum(list, rsReplicas);
export const statusCount = (key: string) => (list: readonly KubeObject[]): number => sum(list, (rs) => int(status(rs)[key], 0));
export const actualReplicas = statusCount('replicas');
export const readyReplicas = statusCount('readyReplicas');
export const availableReplicas = statusCount('availableReplicas');

/** Revision: the revision annotation as a number (0 when absent, NaN when unparsable). */
export function revisionOf(o: KubeObject): number {
  const v = o.metadata.annotations?.[REVISION];
  if (v === undefined) return 0;
  return /^[+-]?[0-9]+$/.test(v) ? Number(v) : NaN;
}

/** ReplicaSetsByRevision: by revision (an unparsable one counts as 0), then by creation. */
export function byRevision(a: KubeObject, b: KubeObject): number {
  const ra = revisionOf(a) || 0;
  const rb = revisionOf(b) || 0;
  return ra !== rb ? ra - rb : byCreation(a, b);
}

export function maxRevision(list: readonly KubeObject[]): number {
  return list.reduce((m, rs) => (revisionOf(rs) > m ? revisionOf(rs) : m), 0);
}

/** EqualIgnoreHash: the templates are equal once the pod-template-hash label is set aside. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  const strip = (t: unknown): Json => {
    const c = structuredClone(t ?? {}) as Json;
    const labels = field(field(c, 'metadata'), 'labels');
    delete labels[POD_TEMPLATE_HASH];
    return c;
  };
  return semanticEqual(strip(a), strip(b));
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: KubeObject, rsList: readonly KubeObject[]): KubeObject | undefined {
  const template = spec(d).template;
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(spec(rs).template, template));
}

export const isActive = (rs: KubeObject): boolean => rsReplicas(rs) > 0;

/** SetReplicasAnnotations; true when either annotation changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) { a[DESIRED_REPLICAS] = String(desired); changed = true; }
  if (a[MAX_REPLICAS] !== String(max)) { a[MAX_REPLICAS] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: the Deployment's own annotations (but the controller's), the new
 * revision when it is higher, the revision history when a ReplicaSet comes back (a rollback), and
 * for a ReplicaSet about to be created the desired/max replica annotations.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, v: DeploymentView, rs: KubeObject, newRevision: number,
  exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, val] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === val) continue;
    a[k] = val;
    changed = true;
  }
  const oldRevision = a[REVISION];
  const oldInt = oldRevision === undefined || oldRevision === '' ? 0 : revisionOf(rs);
  if (Number.isNaN(oldInt)) return false;
  if (oldInt < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) appendRevisionHistory(a, oldRevision);
  }
  if (!exists && setReplicasAnnotations(rs, v.replicas, v.replicas + maxSurge(v))) changed = true;
  return changed;
}

function appendRevisionHistory(a: Record<string, string>, oldRevision: string): void {
  const history = a[REVISION_HISTORY] ?? '';
  if (history === '') { a[REVISION_HISTORY] = oldRevision; return; }
  const old = history.split(',');
  let total = history.length + oldRevision.length + 1;
  let start = 0;
  while (total > MAX_REV_HISTORY_CHARS && start < old.length) total -= old[start++].length + 1;
  if (total <= MAX_REV_HISTORY_CHARS) a[REVISION_HISTORY] = [...old.slice(start), oldRevision].join(',');
}

/** NewRSNewReplicas: how far the new ReplicaSet may grow now. */
export function newRSNewReplicas(v: DeploymentView, allRSs: readonly KubeObject[], newRS: KubeObject): number {
  if (!v.rolling) return v.replicas;
  const surge = scaledValue(v.maxSurge, v.replicas, true);
  const current = specReplicas(allRSs);
  const maxTotal = v.replicas + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  return rsReplicas(newRS) + Math.min(maxTotal - current, v.replicas - rsReplicas(newRS));
}

/** IsSaturated: the new ReplicaSet runs every replica and all are available. */
export function isSaturated(v: DeploymentView, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
  if (desired === undefined || !/^[+-]?[0-9]+$/.test(desired)) return false;
  return rsReplicas(rs) === v.replicas && Number(desired) === v.replicas && int(status(rs).availableReplicas, 0) === v.replicas;
}

/** FindActiveOrLatest: the one active ReplicaSet, or the newest when none is, or none when several are. */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: readonly KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter(isActive);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** math.Round: halves away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** GetProportion: this ReplicaSet's share of a proportional scale, bounded by what is left. */
export function getProportion(rs: KubeObject, d: KubeObject, v: DeploymentView, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (v.replicas === 0) fraction = -rsReplicas(rs);
  else {
    const deploymentReplicas = v.replicas + maxSurge(v);
    const annotated = rs.metadata.annotations?.[MAX_REPLICAS];
    const max = annotated !== undefined && /^[+-]?[0-9]+$/.test(annotated) ? Number(annotated) : int(status(d).replicas, 0);
    fraction = roundHalfAway((rsReplicas(rs) * deploymentReplicas) / max) - rsReplicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export function newCondition(type: string, st: DeploymentCondition['status'], reason: string, message: string,
  now: number): DeploymentCondition {
  return { type, status: st, lastUpdateTime: timestamp(now), lastTransitionTime: timestamp(now), reason, message };
}

export function conditionsOf(st: Json): DeploymentCondition[] {
  return Array.isArray(st.conditions) ? (st.conditions as DeploymentCondition[]) : [];
}

export function getCondition(st: Json, type: string): DeploymentCondition | undefined {
  return conditionsOf(st).find((c) => c.type === type);
}

export function removeCondition(st: Json, type: string): void {
  st.conditions = conditionsOf(st).filter((c) => c.type !== type);
}

/** SetDeploymentCondition: unchanged when status and reason match; keeps the transition time when status does. */
export function setCondition(st: Json, cond: DeploymentCondition): void {
  const current = getCondition(st, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const c = { ...cond };
  if (current && current.status === c.status) c.lastTransitionTime = current.lastTransitionTime;
  st.conditions = [...conditionsOf(st).filter((x) => x.type !== c.type), c];
}
