// The simulated controllers the engine runs: kube-controller-manager's deployment, replicaset and
// garbage collector (decisions in ./workloads), the scheduler (binds pending pods to Ready
// nodes), and kubelet-like node and pod lifecycles as KWOK Stage rules (./kwok).

import type { KubeObject } from '../object.js';
import type { StoreEvent } from '../store/store.js';
import type { Controller, SyncContext } from './engine.js';
import { isStatus } from '../status.js';
import { applyStage, bundledStages, delayOf, matchStage, sequentialAddresses, type Stage } from './kwok/index.js';
import { moreControllers } from './more-controllers.js';
import { collectGarbage, reconcileDeployment, reconcileReplicaSet, type Writes } from './workloads/index.js';

interface OwnerRef { kind?: string; name?: string; uid?: string; controller?: boolean }

/** `<namespace>/<name>` of the object's controller of `kind`, if it has one. */
function ownerKey(e: StoreEvent, kind: string): string[] {
  const refs = (e.object.metadata.ownerReferences ?? []) as OwnerRef[];
  const owner = refs.find((r) => r.controller && r.kind === kind);
  return owner?.name ? [`${e.key.namespace}/${owner.name}`] : [];
}

const self = (e: StoreEvent): string[] => [`${e.key.namespace}/${e.key.name}`];

function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

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

/** allocatable.pods as a count: a whole quantity with an optional decimal SI suffix (kwok says `1M`). */
function podCapacity(q: string | undefined): number {
  const m = /^(\d+)([kMG]?)$/.exec(q ?? '');
  if (!m) return DEFAULT_MAX_PODS;
  return Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]];
}

function isReady(node: KubeObject): boolean {
  const conds = ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

export const scheduler: Controller = {
  name: 'scheduler',
  watches: [{
    group: '', resource: 'pods',
    keys: (e) => (e.type !== 'DELETED' && !(e.object.spec as { nodeName?: string } | undefined)?.nodeName && !e.object.metadata.deletionTimestamp ? self(e) : []),
  }],
  sync(key, ctx) {
    const [ns, name] = split(key);
    const pod = ctx.get('', 'pods', ns, name);
    const spec = pod?.spec as { nodeName?: string; nodeSelector?: Record<string, string> } | undefined;
    if (!pod || !spec || spec.nodeName) return undefined;
    const perNode = new Map<string, number>();
    for (const p of ctx.list('', 'pods')) {
      const n = (p.spec as { nodeName?: string } | undefined)?.nodeName;
      if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    }
    const fits = ctx.list('', 'nodes').filter((n) => {
      if (!isReady(n) || (n.spec as { unschedulable?: boolean } | undefined)?.unschedulable) return false;
      const labels = n.metadata.labels ?? {};
      if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
      const max = podCapacity((n.status as { allocatable?: { pods?: string } } | undefined)?.allocatable?.pods);
      return (perNode.get(n.metadata.name ?? '') ?? 0) < max;
    });
    if (fits.length === 0) return { requeueAfterMs: 1000 };
    // The least loaded node, as the default scoring's balanced allocation tends to choose.
    fits.sort((a, b) => (perNode.get(a.metadata.name ?? '') ?? 0) - (perNode.get(b.metadata.name ?? '') ?? 0));
    const bound = structuredClone(pod);
    (bound.spec as { nodeName?: string }).nodeName = fits[0].metadata.name;
    return { update: [bound] };
  },
};

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

/** Every simulated controller but namespace finalization (model/lifecycle/namespace.ts). */
export function lifecycleControllers(): Controller[] {
  const nodeStages = bundledStages('node/fast');
  const podStages = bundledStages('pod/fast');
  if (isStatus(nodeStages)) throw new Error(nodeStages.message);
  if (isStatus(podStages)) throw new Error(podStages.message);
  return [
    deploymentController, replicaSetController, garbageCollector, scheduler,
    stageController('kwok-node', '', 'nodes', nodeStages),
    stageController('kwok-pod', '', 'pods', podStages),
    ...moreControllers(),
  ];
}
