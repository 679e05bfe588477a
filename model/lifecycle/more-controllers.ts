// More simulated controllers: kube-controller-manager's job, statefulset, daemonset and
// serviceaccount controllers (decisions in ./workloads), KubeVirt's VMI lifecycle as KWOK Stage
// rules (fixtures/kwok-stages/vmi), and the kubelet's node heartbeat Lease.
//
// Names (for --controllers): job, statefulset, daemonset, serviceaccount, kwok-vmi, nodelease.

import { join } from 'node:path';
import { fixturesDir } from '../fixtures.js';
import type { KubeObject } from '../object.js';
import { isStatus } from '../status.js';
import type { StoreEvent } from '../store/store.js';
import { stageController } from './controllers.js';
import type { Controller, SyncContext } from './engine.js';
import { ownerKey, self, split } from './keys.js';
import { loadStageFiles, type Stage } from './kwok/index.js';
import { reconcileDaemonSet, reconcileJob, reconcileServiceAccounts, reconcileStatefulSet, type Writes } from './workloads/index.js';

export const jobController: Controller = {
  name: 'job',
  watches: [
    { group: 'batch', resource: 'jobs', keys: self },
    { group: '', resource: 'pods', keys: (e) => ownerKey(e, 'Job') },
  ],
  sync(key, ctx) {
    const [ns, name] = split(key);
    const job = ctx.get('batch', 'jobs', ns, name);
    if (!job || job.metadata.deletionTimestamp) return undefined;
    return reconcileJob(job, ctx.list('', 'pods', ns), ctx.now, ctx.rng);
  },
};

export const statefulSetController: Controller = {
  name: 'statefulset',
  watches: [
    { group: 'apps', resource: 'statefulsets', keys: self },
    { group: '', resource: 'pods', keys: (e) => ownerKey(e, 'StatefulSet') },
  ],
  sync(key, ctx) {
    const [ns, name] = split(key);
    const set = ctx.get('apps', 'statefulsets', ns, name);
    if (!set || set.metadata.deletionTimestamp) return undefined;
    return reconcileStatefulSet(set, ctx.list('', 'pods', ns), ctx.now, {
      revisions: ctx.list('apps', 'controllerrevisions', ns),
      claims: ctx.list('', 'persistentvolumeclaims', ns),
    });
  },
};

/**
 * The daemonset controller. A Node event wakes every DaemonSet of its cluster: the keys come
 * from the DaemonSets the controller has seen (the engine feeds existing ones at start).
 */
export function daemonSetController(): Controller {
  const known = new Map<string, Set<string>>();
  const track = (e: StoreEvent): string[] => {
    const k = `${e.key.namespace}/${e.key.name}`;
    let set = known.get(e.key.cluster);
    if (!set) known.set(e.key.cluster, set = new Set());
    if (e.type === 'DELETED') set.delete(k); else set.add(k);
    return [k];
  };
  return {
    name: 'daemonset',
    watches: [
      { group: 'apps', resource: 'daemonsets', keys: track },
      { group: '', resource: 'pods', keys: (e) => ownerKey(e, 'DaemonSet') },
      { group: '', resource: 'nodes', keys: (e) => [...(known.get(e.key.cluster) ?? [])] },
    ],
    sync(key, ctx) {
      const [ns, name] = split(key);
      const ds = ctx.get('apps', 'daemonsets', ns, name);
      if (!ds || ds.metadata.deletionTimestamp) return undefined;
      return reconcileDaemonSet(ds, ctx.list('', 'nodes'), ctx.list('', 'pods', ns), ctx.now, ctx.rng, ctx.list('apps', 'controllerrevisions', ns));
    },
  };
}

/** A `default` ServiceAccount in every namespace; keys are namespace names. */
export const serviceAccountController: Controller = {
  name: 'serviceaccount',
  watches: [
    { group: '', resource: 'namespaces', keys: (e) => (e.type === 'DELETED' ? [] : [e.key.name]) },
    { group: '', resource: 'serviceaccounts', keys: (e) => (e.type === 'DELETED' && e.key.name === 'default' ? [e.key.namespace] : []) },
  ],
  sync(key, ctx) {
    const ns = ctx.get('', 'namespaces', '', key);
    if (!ns) return undefined;
    const def = ctx.get('', 'serviceaccounts', key, 'default');
    return reconcileServiceAccounts(ns, def ? [def] : []);
  },
};

/** fixtures/kwok-stages/vmi: the VMI stages kemu ships (Pending → Scheduling → Scheduled → Running). */
export function vmiStageDir(): string {
  return join(fixturesDir(), 'kwok-stages', 'vmi');
}

/**
 * KubeVirt's virt-controller and virt-handler as Stage rules over VirtualMachineInstances.
 * KubeVirt's VMI CRD has no status subresource, so the stage's status writes go to the object
 * itself (a PUT to /status would be refused).
 */
export function vmiController(stages: readonly Stage[]): Controller {
  const inner = stageController('kwok-vmi', 'kubevirt.io', 'virtualmachineinstances', stages);
  return {
    ...inner,
    async sync(key, ctx) {
      const w = await inner.sync(key, ctx);
      if (!w?.updateStatus?.length) return w;
      const { updateStatus, ...rest } = w;
      return { ...rest, update: [...(rest.update ?? []), ...updateStatus] };
    },
  };
}

/** kubelet's defaults: --node-lease-duration-seconds 40, renewed every 1/4 of it (10 s). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_DURATION_SECONDS = 40;
export const NODE_LEASE_RENEW_MS = 10_000;
const RENEW_SLACK_MS = 50;

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function newLease(node: KubeObject, now: number): KubeObject {
  const name = node.metadata.name ?? '';
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name, namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid ?? '' }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
}

/**
 * The kubelet's node lease (pkg/kubelet/nodelease, component-helpers/apimachinery/lease): one
 * Lease per Node in kube-node-lease, renewed every 10 s on the engine's clock. Keys are node
 * names. Each node has at most one renewal timer pending: a sync woken by an event while one
 * waits leaves it be, so timers do not pile up as nodes change.
 */
export function nodeLeaseController(): Controller {
  // `<cluster>/<node>` -> when the next renewal is due (a requeue is pending for it).
  const due = new Map<string, number>();
  return {
    name: 'nodelease',
    watches: [
      { group: '', resource: 'nodes', keys: (e) => [e.key.name] },
      // Only a deleted Lease needs a look: renewals' own updates must not wake the node again.
      { group: 'coordination.k8s.io', resource: 'leases', keys: (e) => (e.type === 'DELETED' && e.key.namespace === NODE_LEASE_NAMESPACE ? [e.key.name] : []) },
    ],
    sync(key: string, ctx: SyncContext): Writes | undefined {
      const id = `${ctx.cluster}/${key}`;
      const node = ctx.get('', 'nodes', '', key);
      const lease = ctx.get('coordination.k8s.io', 'leases', NODE_LEASE_NAMESPACE, key);
      if (!node || node.metadata.deletionTimestamp) {
        due.delete(id);
        // The garbage collector would follow the ownerReference; do it here for Nodes.
        return lease ? { delete: [{ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NODE_LEASE_NAMESPACE, name: key }] } : undefined;
      }
      const pending = due.get(id);
      const schedule = (w: Writes, next: number): Writes => {
        if (pending !== undefined && pending > ctx.now + RENEW_SLACK_MS && pending <= next) return w;
        due.set(id, next);
        return { ...w, requeueAfterMs: Math.max(1, next - ctx.now) };
      };
      if (!lease) {
        const writes: Writes = { create: [newLease(node, ctx.now)] };
        if (!ctx.get('', 'namespaces', '', NODE_LEASE_NAMESPACE)) writes.create!.unshift({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASE_NAMESPACE } });
        return schedule(writes, ctx.now + NODE_LEASE_RENEW_MS);
      }
      const spec = (lease.spec ?? {}) as { renewTime?: string; holderIdentity?: string; leaseDurationSeconds?: number };
      const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
      const next = Number.isNaN(renewed) ? ctx.now : renewed + NODE_LEASE_RENEW_MS;
      // A timer may fire a little early on a real clock: within the slack it counts as due.
      if (next > ctx.now + RENEW_SLACK_MS && spec.holderIdentity === key) return schedule({}, next);
      const updated = structuredClone(lease);
      updated.spec = { ...spec, holderIdentity: key, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: microTime(ctx.now) };
      return schedule({ update: [updated] }, ctx.now + NODE_LEASE_RENEW_MS);
    },
  };
}

export interface MoreControllersOptions {
  /** Stages for kwok-vmi; default those in fixtures/kwok-stages/vmi. */
  readonly vmiStages?: readonly Stage[];
}

/** job, statefulset, daemonset, serviceaccount, kwok-vmi and nodelease. */
export function moreControllers(opts: MoreControllersOptions = {}): Controller[] {
  const vmiStages = opts.vmiStages ?? loadStageFiles([vmiStageDir()]);
  if (isStatus(vmiStages)) throw new Error(vmiStages.message);
  return [
    jobController, statefulSetController, daemonSetController(), serviceAccountController,
    vmiController(vmiStages), nodeLeaseController(),
  ];
}

/** The names moreControllers() runs, for switches.ts. */
export const MORE_CONTROLLER_NAMES = ['job', 'statefulset', 'daemonset', 'serviceaccount', 'kwok-vmi', 'nodelease'] as const;
