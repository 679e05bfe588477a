// The simulated controllers the engine runs: kube-controller-manager's deployment, replicaset and
// garbage collector (decisions in ./workloads), the scheduler (binds pending pods to Ready
// nodes), and kubelet-like node and pod lifecycles as KWOK Stage rules (./kwok).

import type { KubeObject } from '../object.js';
import type { StoreEvent } from '../store/store.js';
import type { Controller, SyncContext } from './engine.js';
import { ownerKey, self, split } from './keys.js';
import { isStatus } from '../status.js';
import { applyStage, bundledStages, delayOf, loadStageFiles, matchStage, sequentialAddresses, type Stage } from './kwok/index.js';
import { moreControllers } from './more-controllers.js';
import { parseQuantity } from './workloads/quantity.js';
import { collectGarbage, reconcileDeployment, reconcileReplicaSet, type Writes } from './workloads/index.js';

export const deploymentController: Controller = {
  name: 'deployment',
  watches: [
    { group: 'apps', resource: 'deployments', keys: self },
    { group: 'apps', resource: 'replicasets', keys: (e) => ownerKey(e, 'Deployment') },
  ],
  sync(key, ctx) {
    const [ns, name] = split(key);
    const d = ctx.get('apps', 'deployments', ns, name);
    if (!d || d.metadata.deletionTimestamp) return undefined;
    return reconcileDeployment(d, ctx.list('apps', 'replicasets', ns), ctx.list('', 'pods', ns), ctx.now);
  },
};

export const replicaSetController: Controller = {
  name: 'replicaset',
  watches: [
    { group: 'apps', resource: 'replicasets', keys: self },
    { group: '', resource: 'pods', keys: (e) => ownerKey(e, 'ReplicaSet') },
  ],
  sync(key, ctx) {
    const [ns, name] = split(key);
    const rs = ctx.get('apps', 'replicasets', ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return undefined;
    const siblings = ctx.list('apps', 'replicasets', ns).filter((o) => o.metadata.name !== name);
    return reconcileReplicaSet(rs, ctx.list('', 'pods', ns), ctx.now, ctx.rng, siblings);
  },
};

// The kinds whose deletion the collector follows here (the owners of the workload chains).
const OWNER_COLLECTIONS: readonly [string, string][] = [['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['batch', 'jobs']];

export const garbageCollector: Controller = {
  name: 'garbagecollector',
  // An owner going, or starting to go, sends the collector over its namespace.
  watches: OWNER_COLLECTIONS.map(([group, resource]) => ({
    group, resource,
    keys: (e: StoreEvent) => (e.type === 'DELETED' || e.object.metadata.deletionTimestamp ? [`${e.key.namespace}/`] : []),
  })),
  sync(key, ctx) {
    const [ns] = split(key);
    const objects = [...OWNER_COLLECTIONS.flatMap(([g, r]) => ctx.list(g, r, ns)), ...ctx.list('', 'pods', ns)];
    const writes = collectGarbage(objects);
    // Dependents go in waves (RS, then its pods): look again once this wave is stored.
    return hasWrites(writes) ? { ...writes, requeueAfterMs: 10 } : writes;
  },
};

function hasWrites(w: Writes): boolean {
  return !!(w.create?.length || w.update?.length || w.updateStatus?.length || w.delete?.length);
}

/** kubelet's default --max-pods, the capacity kwok's nodes report. */
const DEFAULT_MAX_PODS = 110;

/** allocatable.pods (a resource.Quantity; kwok says `1M`) as a count. */
function podCapacity(text: string | undefined): number {
  const q = text === undefined ? undefined : parseQuantity(text);
  if (!q) return DEFAULT_MAX_PODS;
  return q.dec ? Number(q.dec.unscaled) / 10 ** q.dec.scale : Number(q.value) * 10 ** q.scale;
}

function isReady(node: KubeObject): boolean {
  const conds = ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

interface NodeFit {
  readonly ready: boolean;
  readonly unschedulable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly maxPods: number;
}

/**
 * The scheduler keeps, from the events it sees, each cluster's nodes and how many pods each has
 * bound (the scheduler cache), so a bind costs O(nodes), not a scan of every pod.
 */
export function makeScheduler(): Controller {
  // cluster -> node -> fit; cluster -> node -> bound pods; `<cluster> <ns>/<name>` -> node.
  const nodes = new Map<string, Map<string, NodeFit>>();
  const bound = new Map<string, Map<string, number>>();
  const podNode = new Map<string, string>();
  const count = (cluster: string, node: string, delta: number): void => {
    let m = bound.get(cluster);
    if (!m) bound.set(cluster, (m = new Map()));
    m.set(node, (m.get(node) ?? 0) + delta);
  };
  const trackPod = (e: StoreEvent): void => {
    const id = `${e.key.cluster} ${e.key.namespace}/${e.key.name}`;
    const was = podNode.get(id);
    const now = e.type === 'DELETED' ? undefined : (e.object.spec as { nodeName?: string } | undefined)?.nodeName;
    if (was === now) return;
    if (was !== undefined) count(e.key.cluster, was, -1);
    if (now !== undefined) { count(e.key.cluster, now, 1); podNode.set(id, now); } else podNode.delete(id);
  };
  const trackNode = (e: StoreEvent): void => {
    let m = nodes.get(e.key.cluster);
    if (!m) nodes.set(e.key.cluster, (m = new Map()));
    if (e.type === 'DELETED') { m.delete(e.key.name); return; }
    m.set(e.key.name, {
      ready: isReady(e.object),
      unschedulable: !!(e.object.spec as { unschedulable?: boolean } | undefined)?.unschedulable,
      labels: e.object.metadata.labels ?? {},
      maxPods: podCapacity((e.object.status as { allocatable?: { pods?: string } } | undefined)?.allocatable?.pods),
    });
  };
  return {
    name: 'scheduler',
    watches: [
      {
        group: '', resource: 'pods',
        keys: (e) => {
          trackPod(e);
          return e.type !== 'DELETED' && !(e.object.spec as { nodeName?: string } | undefined)?.nodeName && !e.object.metadata.deletionTimestamp ? self(e) : [];
        },
      },
      { group: '', resource: 'nodes', keys: (e) => { trackNode(e); return []; } },
    ],
    sync(key, ctx) {
      const [ns, name] = split(key);
      const pod = ctx.get('', 'pods', ns, name);
      const spec = pod?.spec as { nodeName?: string; nodeSelector?: Record<string, string> } | undefined;
      if (!pod || !spec || spec.nodeName) return undefined;
      const perNode = bound.get(ctx.cluster);
      let best: string | undefined;
      let bestLoad = Infinity;
      // The least loaded node that fits, as the default scoring's balanced allocation tends to choose.
      for (const [node, fit] of nodes.get(ctx.cluster) ?? []) {
        if (!fit.ready || fit.unschedulable) continue;
        if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => fit.labels[k] === v)) continue;
        const load = perNode?.get(node) ?? 0;
        if (load < fit.maxPods && load < bestLoad) { best = node; bestLoad = load; }
      }
      if (best === undefined) return { requeueAfterMs: 1000 };
      const next = structuredClone(pod);
      (next.spec as { nodeName?: string }).nodeName = best;
      return { update: [next] };
    },
  };
}

/**
 * kubelet's part as KWOK Stage rules: a node or a bound pod is matched against the stages; the
 * chosen stage applies after its delay, and the result is matched again.
 */
export function stageController(name: string, group: string, resource: string, stages: readonly Stage[]): Controller {
  const addresses = sequentialAddresses();
  // key -> the stage waiting for its time, and when.
  // `<cluster> <namespace>/<name>` -> the stage waiting for its time, and when.
  const due = new Map<string, { stage: string; at: number }>();
  const boundOrNode = (e: StoreEvent): string[] =>
    e.type === 'DELETED' ? (due.delete(`${e.key.cluster} ${e.key.namespace}/${e.key.name}`), [])
      : resource !== 'pods' || (e.object.spec as { nodeName?: string } | undefined)?.nodeName ? self(e) : [];
  return {
    name,
    watches: [{ group, resource, keys: boundOrNode }],
    sync(objectKey: string, ctx: SyncContext): Writes | undefined {
      const [ns, objName] = split(objectKey);
      const key = `${ctx.cluster} ${objectKey}`;
      const obj = ctx.get(group, resource, ns, objName);
      if (!obj) return undefined;
      const stage = matchStage(stages, obj, ctx.rng);
      if (!stage) {
        due.delete(key);
        return undefined;
      }
      const waiting = due.get(key);
      if (!waiting || waiting.stage !== stage.name) {
        const at = ctx.now + delayOf(stage, obj, ctx.now, ctx.rng);
        due.set(key, { stage: stage.name, at });
        if (at > ctx.now) return { requeueAfterMs: at - ctx.now };
      } else if (waiting.at > ctx.now) {
        return { requeueAfterMs: waiting.at - ctx.now };
      }
      due.delete(key);
      const out = applyStage(stage, obj, { now: ctx.now, addresses });
      if ('code' in out) return undefined;
      const apiVersion = obj.apiVersion ?? 'v1';
      if (out.deleted) return { delete: [{ apiVersion, kind: obj.kind ?? '', namespace: ns || undefined, name: objName }] };
      if (!out.changed) return undefined;
      const finalizersChanged = JSON.stringify(out.object.metadata.finalizers ?? []) !== JSON.stringify(obj.metadata.finalizers ?? []);
      return finalizersChanged ? { update: [out.object] } : { updateStatus: [out.object] };
    },
  };
}

/**
 * Every simulated controller but namespace finalization (model/lifecycle/namespace.ts).
 * `stageFiles` (`--kwok-stages`): Stage files or folders whose rules replace the bundled ones
 * for each kind they cover (Node, Pod, VirtualMachineInstance); other kinds keep theirs.
 */
export function lifecycleControllers(stageFiles: readonly string[] = []): Controller[] {
  const custom = stageFiles.length ? loadStageFiles(stageFiles) : [];
  if (isStatus(custom)) throw new Error(custom.message);
  const pick = (kind: string, bundledSet: string): Stage[] | undefined => {
    const mine = custom.filter((st) => st.resourceRef.kind === kind);
    if (mine.length) return mine;
    if (!bundledSet) return undefined;
    const bundled = bundledStages(bundledSet);
    if (isStatus(bundled)) throw new Error(bundled.message);
    return bundled;
  };
  const vmiStages = pick('VirtualMachineInstance', '');
  return [
    deploymentController, replicaSetController, garbageCollector, makeScheduler(),
    stageController('kwok-node', '', 'nodes', pick('Node', 'node/fast') ?? []),
    stageController('kwok-pod', '', 'pods', pick('Pod', 'pod/fast') ?? []),
    ...moreControllers(vmiStages ? { vmiStages } : {}),
  ];
}
