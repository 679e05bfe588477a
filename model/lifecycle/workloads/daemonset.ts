// The DaemonSet controller's sync (pkg/controller/daemon/daemon_controller.go manage,
// podsShouldBeOnNode, NodeShouldRunDaemonPod, updateDaemonSetStatus; update.go rollingUpdate;
// util/daemonset_util.go, 1.32) as a pure function: one pod per node that fits (nodeSelector,
// required node affinity, taints against the DaemonSet tolerations), rolling updates bounded by
// maxUnavailable, and the status `kubectl rollout status` reads.
import type { KubeObject } from '../../object.js';
import type { Rng } from '../../rng.js';
import { byCreation, claim, field, int, newControllerRef, selectorOf, spec, status, str, type Json } from './meta.js';
import { isPodAvailable, isPodReady, nodeNameOf, phaseOf, podFromTemplate, podNamePrefix } from './pods.js';
import { CONTROLLER_REVISION_HASH, currentRevision } from './revisions.js';
import { involvedOf, WriteSet, type Writes } from './writes.js';

const TEMPLATE_GENERATION = 'pod-template-generation';

interface Taint { key: string; value?: string; effect: string }
interface Toleration { key?: string; operator?: string; value?: string; effect?: string }

/** AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates. */
function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key: `node.kubernetes.io/${key}`, operator: 'Exists', effect });
  return [
    t('not-ready', 'NoExecute'), t('unreachable', 'NoExecute'), t('disk-pressure', 'NoSchedule'),
    t('memory-pressure', 'NoSchedule'), t('pid-pressure', 'NoSchedule'), t('unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('network-unavailable', 'NoSchedule')] : []),
  ];
}

/**
 * A node's taints, plus the ones the node lifecycle controller would add for its conditions
 * (TaintNodesByCondition), since fake nodes may carry only the conditions: not Ready means
 * not-ready (False) or unreachable (Unknown), cordoned means unschedulable.
 */
function taintsOf(node: KubeObject): Taint[] {
  const taints = [...(((spec(node).taints as Taint[] | undefined) ?? []))];
  const has = (key: string): boolean => taints.some((t) => t.key === key && t.effect === 'NoSchedule');
  const add = (key: string): void => { if (!has(`node.kubernetes.io/${key}`)) taints.push({ key: `node.kubernetes.io/${key}`, effect: 'NoSchedule' }); };
  const conds = (status(node).conditions as Json[] | undefined) ?? [];
  const ready = conds.find((c) => c.type === 'Ready')?.status;
  if (ready === 'False') add('not-ready');
  else if (ready !== 'True') add('unreachable');
  if (spec(node).unschedulable === true) add('unschedulable');
  if (conds.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True')) add('network-unavailable');
  return taints;
}

function tolerates(tols: readonly Toleration[], taint: Taint): boolean {
  return tols.some((t) => (!t.effect || t.effect === taint.effect) && (!t.key || t.key === taint.key) &&
    (t.operator === 'Exists' || ((t.operator ?? 'Equal') === 'Equal' && (t.value ?? '') === (taint.value ?? ''))));
}

function requirementMatches(r: Json, value: string | undefined): boolean {
  const values = (r.values as string[] | undefined) ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': case 'Lt': {
      const n = Number(value);
      const bound = Number(values[0]);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return r.operator === 'Gt' ? n > bound : n < bound;
    }
    default: return false;
  }
}

/** nodeSelector and requiredDuringScheduling node affinity (terms ORed, requirements ANDed). */
function fitsAffinity(podSpec: Json, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const selector = (podSpec.nodeSelector ?? {}) as Record<string, string>;
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
  const required = field(field(field(podSpec, 'affinity'), 'nodeAffinity'), 'requiredDuringSchedulingIgnoredDuringExecution');
  const terms = (required.nodeSelectorTerms as Json[] | undefined);
  if (!terms) return true;
  return terms.some((t) => {
    const exprs = (t.matchExpressions as Json[] | undefined) ?? [];
    const fields = (t.matchFields as Json[] | undefined) ?? [];
    if (exprs.length + fields.length === 0) return false;
    return exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, str(r.key)) ? labels[str(r.key)] : undefined)) &&
      fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name));
  });
}

/** NodeShouldRunDaemonPod: [should run a new pod, may keep a running one]. */
export function nodeShouldRunDaemonPod(ds: KubeObject, node: KubeObject): [boolean, boolean] {
  const ps = field(field(spec(ds), 'template'), 'spec');
  const nodeName = str(ps.nodeName);
  if (nodeName && nodeName !== node.metadata.name) return [false, false];
  if (!fitsAffinity(ps, node)) return [false, false];
  const tols = [...((ps.tolerations as Toleration[] | undefined) ?? []), ...daemonTolerations(ps.hostNetwork === true)];
  const untolerated = taintsOf(node).filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tols, t));
  if (untolerated.length === 0) return [true, true];
  return [false, !untolerated.some((t) => t.effect === 'NoExecute')];
}

/** GetTargetNodeName: spec.nodeName, or the node the daemon affinity pins the pod to. */
function targetNode(pod: KubeObject): string {
  if (nodeNameOf(pod)) return nodeNameOf(pod);
  const terms = field(field(field(spec(pod), 'affinity'), 'nodeAffinity'), 'requiredDuringSchedulingIgnoredDuringExecution').nodeSelectorTerms as Json[] | undefined;
  const f = (terms?.[0]?.matchFields as Json[] | undefined)?.[0];
  return f?.key === 'metadata.name' && f.operator === 'In' ? str((f.values as string[] | undefined)?.[0]) : '';
}

/** podByCreationTimestampAndPhase: scheduled first, then oldest. */
const byAge = (a: KubeObject, b: KubeObject): number =>
  (nodeNameOf(a) ? 0 : 1) - (nodeNameOf(b) ? 0 : 1) || byCreation(a, b);

/** One sync of DaemonSet `ds` over `nodes`, given the pods of its namespace. */
export function reconcileDaemonSet(ds: KubeObject, nodes: readonly KubeObject[], pods: readonly KubeObject[], now: number,
  rng: Rng, revisions?: readonly KubeObject[]): Writes {
  const writes = new WriteSet();
  const s = spec(ds);
  const minReady = int(s.minReadySeconds, 0);
  const rev = currentRevision(ds, revisions ?? [], 'DaemonSet');
  if (!rev.exists && (revisions !== undefined || !pods.some((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH] === rev.hash))) writes.create(rev.object);
  const generation = ds.metadata.annotations?.['deprecated.daemonset.template.generation'] ?? String(ds.metadata.generation ?? 1);
  const updated = (p: KubeObject): boolean => p.metadata.labels?.[CONTROLLER_REVISION_HASH] === rev.hash;

  const mine = claim(ds, pods.filter((p) => p.metadata.namespace === ds.metadata.namespace), selectorOf(s.selector), writes);
  const byNode = new Map<string, KubeObject[]>();
  for (const p of mine) byNode.set(targetNode(p), [...(byNode.get(targetNode(p)) ?? []), p]);

  const del = (p: KubeObject): void => {
    writes.delete({ apiVersion: 'v1', kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name ?? '' });
    writes.event({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, involved: involvedOf(ds) });
  };
  const st = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0 };
  const deleting = ds.metadata.deletionTimestamp !== undefined;
  const taken = new Set(pods.map((p) => p.metadata.name ?? ''));
  const nodeNames = new Set<string>();
  for (const node of [...nodes].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))) {
    const name = node.metadata.name ?? '';
    nodeNames.add(name);
    const [shouldRun, keep] = nodeShouldRunDaemonPod(ds, node);
    const here = (byNode.get(name) ?? []).slice().sort(byAge);
    if (shouldRun) {
      st.desiredNumberScheduled++;
      if (here.length) {
        st.currentNumberScheduled++;
        if (isPodReady(here[0])) {
          st.numberReady++;
          if (isPodAvailable(here[0], minReady, now)) st.numberAvailable++;
        }
        if (updated(here[0])) st.updatedNumberScheduled++;
      }
    } else if (here.length) st.numberMisscheduled++;
    if (deleting) continue;
    if (shouldRun && here.length === 0) createDaemonPod(ds, name, rev.hash, generation, rng, taken, writes);
    else if (keep) {
      const running = here.filter((p) => p.metadata.deletionTimestamp === undefined && phaseOf(p) !== 'Failed' && phaseOf(p) !== 'Succeeded');
      for (const p of here) if (p.metadata.deletionTimestamp === undefined && (phaseOf(p) === 'Failed' || phaseOf(p) === 'Succeeded')) del(p);
      for (const extra of running.slice(1)) del(extra);
    } else for (const p of here) if (p.metadata.deletionTimestamp === undefined) del(p);
  }
  // Pods bound to nodes that no longer exist go too.
  for (const [node, list] of byNode) if (!deleting && node && !nodeNames.has(node)) for (const p of list) if (!p.metadata.deletionTimestamp) del(p);
  // Upstream waits for its creates and deletes to be observed ("expectations") before rolling.
  const managed = writes.result();
  if (!deleting && !managed.create?.some((o) => o.kind === 'Pod') && !managed.delete?.length) rollingUpdate(ds, nodes, byNode, rev.hash, now, del);

  const prev = status(ds);
  const next: Json = {
    currentNumberScheduled: st.currentNumberScheduled, numberMisscheduled: st.numberMisscheduled,
    desiredNumberScheduled: st.desiredNumberScheduled, numberReady: st.numberReady,
  };
  if (ds.metadata.generation) next.observedGeneration = ds.metadata.generation;
  if (st.updatedNumberScheduled) next.updatedNumberScheduled = st.updatedNumberScheduled;
  if (st.numberAvailable) next.numberAvailable = st.numberAvailable;
  if (st.desiredNumberScheduled - st.numberAvailable) next.numberUnavailable = st.desiredNumberScheduled - st.numberAvailable;
  if (prev.collisionCount !== undefined) next.collisionCount = prev.collisionCount;
  if (Array.isArray(prev.conditions) && prev.conditions.length) next.conditions = prev.conditions;
  if (JSON.stringify(next) !== JSON.stringify(prev)) writes.updateStatus({ ...structuredClone(ds), status: next });
  if (minReady > 0 && st.numberReady !== st.numberAvailable) writes.requeueAfter(minReady * 1000);
  return writes.result();
}

function createDaemonPod(ds: KubeObject, node: string, hash: string, generation: string, rng: Rng, taken: Set<string>,
  writes: WriteSet): void {
  const template = structuredClone(field(spec(ds), 'template'));
  const meta = field(template, 'metadata');
  meta.labels = { ...(meta.labels as Record<string, string> | undefined), [TEMPLATE_GENERATION]: generation, [CONTROLLER_REVISION_HASH]: hash };
  template.metadata = meta;
  const ps = field(template, 'spec');
  const tols = ((ps.tolerations as Toleration[] | undefined) ?? []).slice();
  for (const t of daemonTolerations(ps.hostNetwork === true)) {
    if (!tols.some((x) => x.key === t.key && x.effect === t.effect && x.operator === t.operator && (x.value ?? '') === '')) tols.push(t);
  }
  ps.tolerations = tols;
  // ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms pin the pod to its node.
  const affinity = field(ps, 'affinity');
  const nodeAffinity = field(affinity, 'nodeAffinity');
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
  };
  affinity.nodeAffinity = nodeAffinity;
  ps.affinity = affinity;
  // Upstream leaves binding to the scheduler; kemu binds at once, as the lifecycle engine expects.
  ps.nodeName = node;
  template.spec = ps;
  const pod = writes.create(podFromTemplate({
    template, namespace: ds.metadata.namespace ?? '', generateNamePrefix: podNamePrefix(ds.metadata.name ?? ''),
    controllerRef: newControllerRef(ds), rng, taken,
  }));
  writes.event({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name}`, involved: involvedOf(ds) });
}

/** rollingUpdate without surge: replace old pods while at most maxUnavailable are unavailable. */
function rollingUpdate(ds: KubeObject, nodes: readonly KubeObject[], byNode: Map<string, KubeObject[]>, hash: string,
  now: number, del: (p: KubeObject) => void): void {
  const strategy = field(spec(ds), 'updateStrategy');
  if (str(strategy.type, 'RollingUpdate') !== 'RollingUpdate') return;
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(ds, n)[0]).length;
  const raw = field(strategy, 'rollingUpdate').maxUnavailable ?? 1;
  const maxUnavailable = typeof raw === 'string' && raw.endsWith('%')
    ? Math.ceil((Number(raw.slice(0, -1)) * desired) / 100) : int(raw, 1);
  const minReady = int(spec(ds).minReadySeconds, 0);
  let unavailable = 0;
  const replace: KubeObject[] = [];
  const candidates: KubeObject[] = [];
  for (const [node, pods] of [...byNode].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!node) continue;
    const live = pods.filter((p) => p.metadata.deletionTimestamp === undefined);
    const fresh = live.find((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH] === hash);
    const old = live.find((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH] !== hash);
    if (live.length === 0 || (fresh && old)) unavailable++;
    else if (fresh) { if (!isPodAvailable(fresh, minReady, now)) unavailable++; }
    else if (old && !isPodAvailable(old, minReady, now)) replace.push(old);
    else if (old && unavailable < maxUnavailable) candidates.push(old);
  }
  const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  for (const p of [...replace, ...candidates.slice(0, room)]) del(p);
}
