// The Job controller's sync (pkg/controller/job/job_controller.go, 1.32) as a pure function:
// parallelism/completions, pod tracking with the batch.kubernetes.io/job-tracking finalizer and
// status.uncountedTerminatedPods, backoffLimit and activeDeadlineSeconds, suspend, Indexed
// completion, and the 1.31+ two-step finish (SuccessCriteriaMet, then Complete; FailureTarget,
// then Failed) that JobPodReplacementPolicy (on by default) brings.
//
// Counting is done the upstream way in separate syncs: a finished pod's uid goes into
// uncountedTerminatedPods while its finalizer is removed, and it is counted once a later sync
// sees it without the finalizer, so running this again before the pod update lands never
// counts a pod twice.
import type { KubeObject } from '../../object.js';
import type { Rng } from '../../rng.js';
import {
  claim, controllerOf, field, int, newControllerRef, selectorOf, semanticEqual, spec, status, str, timeOf, timestamp, type Json,
} from './meta.js';
import { deletionOrder, isPodActive, isPodReady, isPodTerminating, phaseOf, podFromTemplate, podNamePrefix } from './pods.js';
import { involvedOf, WriteSet, type Writes } from './writes.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const MAX_PODS_PER_SYNC = 500;

interface JobCondition { type: string; status: string; lastProbeTime: string; lastTransitionTime: string; reason?: string; message?: string }

const hasFinalizer = (p: KubeObject): boolean => p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
const conditionsOf = (st: Json): JobCondition[] => (Array.isArray(st.conditions) ? (st.conditions as JobCondition[]) : []);
const findCondition = (st: Json, type: string): JobCondition | undefined =>
  conditionsOf(st).find((c) => c.type === type && c.status === 'True');

function newCondition(type: string, reason: string, message: string, now: number): JobCondition {
  return { type, status: 'True', lastProbeTime: timestamp(now), lastTransitionTime: timestamp(now), reason, message };
}

/** ensureJobConditionStatus. */
function ensureCondition(st: Json, c: JobCondition): boolean {
  const list = conditionsOf(st);
  const i = list.findIndex((x) => x.type === c.type);
  if (i >= 0) {
    const cur = list[i];
    if (cur.status === c.status && (cur.reason ?? '') === (c.reason ?? '') && (cur.message ?? '') === (c.message ?? '')) return false;
    st.conditions = list.map((x, j) => (j === i ? c : x));
    return true;
  }
  if (c.status === 'False') return false;
  st.conditions = [...list, c];
  return true;
}

function indexOf(p: KubeObject, completions: number): number | undefined {
  const v = p.metadata.annotations?.[COMPLETION_INDEX];
  if (v === undefined || !/^[0-9]+$/.test(v)) return undefined;
  const n = Number(v);
  return n < completions ? n : undefined;
}

/** Completed indexes as the API writes them: "1,3-5,7". */
export function formatIndexes(set: ReadonlySet<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(j - i >= 2 ? `${xs[i]}-${xs[j]}` : xs.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return out.join(',');
}

function parseIndexes(s: unknown): Set<number> {
  const out = new Set<number>();
  for (const part of str(s).split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

/** One sync of Job `job` given the pods of its namespace. Pod names come from `rng`. */
export function reconcileJob(job: KubeObject, pods: readonly KubeObject[], now: number, rng: Rng): Writes {
  const writes = new WriteSet();
  const j = structuredClone(job);
  const js = spec(j);
  const st = status(j);
  if (findCondition(st, 'Complete') || findCondition(st, 'Failed')) return writes.result();
  const managedBy = js.managedBy;
  if (typeof managedBy === 'string' && managedBy !== 'kubernetes.io/job-controller') return writes.result();
  const indexed = js.completionMode === 'Indexed';
  const completions = typeof js.completions === 'number' ? js.completions : undefined;
  const parallelism = int(js.parallelism, 1);
  const suspended = js.suspend === true;

  // The apiserver generates the selector (controller-uid); without one, ownership alone counts.
  const selector = js.selector !== undefined ? selectorOf(js.selector) : undefined;
  const inNs = pods.filter((p) => p.metadata.namespace === j.metadata.namespace);
  const mine = selector ? claim(j, inNs, selector, writes) : inNs.filter((p) => controllerOf(p)?.uid === j.metadata.uid);
  const uncounted = field(st, 'uncountedTerminatedPods');
  const unSucceeded = new Set((uncounted.succeeded as string[] | undefined) ?? []);
  const unFailed = new Set((uncounted.failed as string[] | undefined) ?? []);
  const isFailed = (p: KubeObject): boolean => phaseOf(p) === 'Failed' || (p.metadata.deletionTimestamp !== undefined && phaseOf(p) !== 'Succeeded');
  const valid = (p: KubeObject): boolean => hasFinalizer(p) && !unSucceeded.has(p.metadata.uid ?? '') && !unFailed.has(p.metadata.uid ?? '') &&
    (!indexed || indexOf(p, completions ?? 0) !== undefined);
  const activePods = mine.filter(isPodActive);
  let terminating = mine.filter(isPodTerminating).length;
  const newSucceeded = mine.filter((p) => valid(p) && phaseOf(p) === 'Succeeded');
  const newFailed = mine.filter((p) => valid(p) && isFailed(p));
  let succeeded = int(st.succeeded, 0) + newSucceeded.length + unSucceeded.size;
  const failed = int(st.failed, 0) + newFailed.length + unFailed.size;
  if (st.startTime === undefined && !suspended) st.startTime = timestamp(now);

  let finished: JobCondition | undefined;
  const met = findCondition(st, 'SuccessCriteriaMet');
  const target = findCondition(st, 'FailureTarget');
  if (met) finished = { ...newCondition('Complete', met.reason ?? '', met.message ?? '', now) };
  else if (target) finished = newCondition('Failed', target.reason ?? '', target.message ?? '', now);
  else if (failed > int(js.backoffLimit, 6)) {
    finished = newCondition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
  } else if (typeof js.activeDeadlineSeconds === 'number' && !suspended) {
    const started = timeOf(st.startTime) ?? now;
    const left = started + js.activeDeadlineSeconds * 1000 - now;
    if (left <= 0) finished = newCondition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
    else writes.requeueAfter(left);
  }
  const prevIndexes = parseIndexes(st.completedIndexes);
  const doneIndexes = new Set(prevIndexes);
  if (indexed) {
    for (const p of mine) if (phaseOf(p) === 'Succeeded' && indexOf(p, completions ?? 0) !== undefined) doneIndexes.add(indexOf(p, completions ?? 0)!);
    succeeded = doneIndexes.size;
  }

  let active = activePods.length;
  let ready = activePods.filter(isPodReady).length;
  if (finished) {
    for (const p of activePods) writes.delete({ apiVersion: 'v1', kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name ?? '' });
    terminating += active;
    active = 0;
    ready = 0;
  } else {
    if (j.metadata.deletionTimestamp === undefined) {
      active = manageJob({ job: j, activePods, succeeded, completions, parallelism, suspended, indexed, doneIndexes, rng, writes, taken: new Set(inNs.map((p) => p.metadata.name ?? '')) });
    }
    const complete = completions === undefined ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
    if (complete) finished = newCondition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
    else if (suspended) ensureCondition(st, newCondition('Suspended', 'JobSuspended', 'Job suspended', now));
    else if (findCondition(st, 'Suspended') && ensureCondition(st, { ...newCondition('Suspended', 'JobResumed', 'Job resumed', now), status: 'False' })) {
      // A resumed Job's activeDeadlineSeconds counts from the resume.
      st.startTime = timestamp(now);
    }
  }
  st.active = active;
  st.ready = ready;
  st.terminating = terminating;

  // trackJobStatusAndRemoveFinalizers: note finished pods and drop their finalizers; count the
  // noted ones whose finalizer is already gone.
  const withFinalizer = new Set(mine.filter(hasFinalizer).map((p) => p.metadata.uid ?? ''));
  for (const p of mine) {
    if (!hasFinalizer(p)) continue;
    const consideredFailed = isFailed(p);
    if (!(j.metadata.deletionTimestamp !== undefined || finished || phaseOf(p) === 'Succeeded' || consideredFailed)) continue;
    const uid = p.metadata.uid ?? '';
    if (phaseOf(p) === 'Succeeded' && !unFailed.has(uid)) {
      if (!indexed) unSucceeded.add(uid);
    } else if ((consideredFailed || (finished && finished.type !== 'SuccessCriteriaMet')) && (!indexed || indexOf(p, completions ?? 0) !== undefined)) {
      unFailed.add(uid);
    }
    const copy = structuredClone(p);
    copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    writes.update(copy);
  }
  for (const uid of [...unSucceeded]) if (!withFinalizer.has(uid)) { unSucceeded.delete(uid); st.succeeded = int(st.succeeded, 0) + 1; }
  for (const uid of [...unFailed]) if (!withFinalizer.has(uid)) { unFailed.delete(uid); st.failed = int(st.failed, 0) + 1; }
  if (indexed) {
    st.completedIndexes = formatIndexes(doneIndexes);
    st.succeeded = doneIndexes.size;
  }
  st.uncountedTerminatedPods = {
    ...(unSucceeded.size ? { succeeded: [...unSucceeded] } : {}), ...(unFailed.size ? { failed: [...unFailed] } : {}),
  };
  // enactJobFinished: only once every pod is counted and none is still terminating.
  if (finished && unSucceeded.size + unFailed.size === 0 && terminating === 0) {
    ensureCondition(st, finished);
    if (finished.type === 'Complete') st.completionTime ??= finished.lastTransitionTime;
    if (finished.type === 'Complete' || finished.type === 'Failed') {
      const ok = finished.type === 'Complete';
      writes.event({ type: ok ? 'Normal' : 'Warning', reason: ok ? 'Completed' : finished.reason ?? 'Failed', message: ok ? 'Job completed' : finished.message ?? '', involved: involvedOf(j) });
    }
  }
  const next = tidy(st);
  if (job.status === undefined || !semanticEqual(status(job), next)) {
    j.status = next;
    writes.updateStatus(j);
  }
  return writes.result();
}

/** JobStatus in Go field order, zero counts left out as Go's omitempty does. */
function tidy(st: Json): Json {
  const out: Json = {};
  for (const k of ['conditions', 'startTime', 'completionTime', 'active', 'succeeded', 'failed', 'terminating', 'completedIndexes', 'failedIndexes', 'uncountedTerminatedPods', 'ready']) {
    const v = st[k];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    if ((k === 'active' || k === 'succeeded' || k === 'failed') && v === 0) continue;
    out[k] = v;
  }
  return out;
}

interface Manage {
  job: KubeObject; activePods: KubeObject[]; succeeded: number; completions: number | undefined; parallelism: number;
  suspended: boolean; indexed: boolean; doneIndexes: ReadonlySet<number>; rng: Rng; writes: WriteSet; taken: Set<string>;
}

/** manageJob: delete surplus pods, or create the missing ones; returns the new active count. */
function manageJob(m: Manage): number {
  const active = m.activePods.length;
  let want: number;
  if (m.suspended) want = 0;
  else if (m.completions === undefined) want = m.succeeded > 0 ? active : m.parallelism;
  else want = Math.max(0, Math.min(m.completions - m.succeeded, m.parallelism));
  if (active > want) {
    const order = deletionOrder(0);
    const victims = m.activePods.map((pod) => ({ pod, rank: 0 })).sort(order).slice(0, Math.min(active - want, MAX_PODS_PER_SYNC));
    for (const { pod } of victims) {
      // deleteJobPods: the finalizer goes first, so a removed surplus pod is not counted failed.
      if (hasFinalizer(pod)) {
        const copy = structuredClone(pod);
        copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
        m.writes.update(copy);
      }
      m.writes.delete({ apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '' });
    }
    return active - victims.length;
  }
  let diff = Math.min(want - active, MAX_PODS_PER_SYNC);
  if (diff <= 0) return active;
  const busy = new Set(m.activePods.map((p) => indexOf(p, m.completions ?? 0)));
  const indexes: (number | undefined)[] = [];
  if (m.indexed) {
    for (let i = 0; i < (m.completions ?? 0) && indexes.length < diff; i++) if (!m.doneIndexes.has(i) && !busy.has(i)) indexes.push(i);
    diff = indexes.length;
  } else for (let i = 0; i < diff; i++) indexes.push(undefined);
  const name = m.job.metadata.name ?? '';
  for (const ix of indexes) {
    const template = structuredClone(field(spec(m.job), 'template'));
    const meta = (template.metadata ??= {}) as Json;
    meta.finalizers = [...((meta.finalizers as string[] | undefined) ?? []), JOB_TRACKING_FINALIZER];
    if (ix !== undefined) {
      meta.annotations = { ...(meta.annotations as Record<string, string> | undefined), [COMPLETION_INDEX]: String(ix) };
      meta.labels = { ...(meta.labels as Record<string, string> | undefined), [COMPLETION_INDEX]: String(ix) };
      const ps = field(template, 'spec');
      ps.hostname ??= `${name}-${ix}`;
      for (const c of [...((ps.containers as Json[] | undefined) ?? []), ...((ps.initContainers as Json[] | undefined) ?? [])]) {
        const env = (c.env as Json[] | undefined) ?? [];
        if (!env.some((e) => e.name === 'JOB_COMPLETION_INDEX')) {
          c.env = [...env, { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
        }
      }
      template.spec = ps;
    }
    const pod = m.writes.create(podFromTemplate({
      template, namespace: m.job.metadata.namespace ?? '', controllerRef: newControllerRef(m.job), rng: m.rng, taken: m.taken,
      generateNamePrefix: ix === undefined ? podNamePrefix(name) : `${name}-${ix}-`,
    }));
    m.writes.event({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name}`, involved: involvedOf(m.job) });
  }
  return active + diff;
}
