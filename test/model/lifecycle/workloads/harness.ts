// A fake cluster for the workload-controller tests: it applies Writes the way the registry
// would (uids, creationTimestamp, resourceVersion, generation on spec changes, finalizers
// holding deletion), keeps a virtual clock, and plays kubelet by marking pods ready.
import { rfc3339 } from '../../../../model/clock.js';
import type { KubeObject } from '../../../../model/object.js';
import { seededRng, type Rng } from '../../../../model/rng.js';
import type { Writes } from '../../../../model/lifecycle/workloads/writes.js';
import { reconcileDeployment } from '../../../../model/lifecycle/workloads/deployment.js';
import { reconcileReplicaSet } from '../../../../model/lifecycle/workloads/replicaset.js';

const keyOf = (kind: string, ns: string | undefined, name: string): string => `${kind}/${ns ?? ''}/${name}`;

export class FakeCluster {
  now = Date.parse('2025-01-01T00:00:00Z');
  readonly rng: Rng = seededRng(7);
  readonly objects = new Map<string, KubeObject>();
  private uid = 0;
  private rv = 0;
  /** Every write applied, in order, for assertions on what controllers did. */
  readonly log: Writes[] = [];

  tick(ms: number): void { this.now += ms; }

  list(kind: string, ns?: string): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind && (ns === undefined || o.metadata.namespace === ns));
  }

  get(kind: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(kind, ns, name));
  }

  add(o: KubeObject): KubeObject {
    const obj = structuredClone(o);
    obj.metadata.uid ??= `uid-${++this.uid}`;
    obj.metadata.creationTimestamp ??= rfc3339(this.now);
    obj.metadata.resourceVersion = String(++this.rv);
    if (obj.kind !== 'Pod' && obj.kind !== 'ServiceAccount' && obj.kind !== 'Node') obj.metadata.generation ??= 1;
    this.objects.set(keyOf(obj.kind ?? '', obj.metadata.namespace, obj.metadata.name ?? ''), obj);
    return obj;
  }

  /** A spec change, as a client's update: generation goes up when the spec changes. */
  update(o: KubeObject): void {
    const k = keyOf(o.kind ?? '', o.metadata.namespace, o.metadata.name ?? '');
    const cur = this.objects.get(k);
    if (!cur) throw new Error(`update of missing ${k}`);
    const next = structuredClone(o);
    next.status = cur.status;
    if (JSON.stringify(cur.spec) !== JSON.stringify(next.spec) && cur.metadata.generation !== undefined) {
      next.metadata.generation = (cur.metadata.generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, next);
  }

  /** A client's DELETE: gone at once unless finalizers hold it. */
  remove(kind: string, ns: string | undefined, name: string, finalizers: string[] = []): void {
    const k = keyOf(kind, ns, name);
    const cur = this.objects.get(k);
    if (!cur) return;
    const fin = [...(cur.metadata.finalizers ?? []), ...finalizers.filter((f) => !cur.metadata.finalizers?.includes(f))];
    if (fin.length === 0) { this.objects.delete(k); return; }
    cur.metadata.finalizers = fin;
    cur.metadata.deletionTimestamp ??= rfc3339(this.now);
    cur.metadata.resourceVersion = String(++this.rv);
  }

  apply(w: Writes): boolean {
    this.log.push(w);
    for (const o of w.create ?? []) this.add(o);
    for (const o of w.update ?? []) {
      const k = keyOf(o.kind ?? '', o.metadata.namespace, o.metadata.name ?? '');
      const cur = this.objects.get(k);
      if (!cur) continue;
      this.update({ ...o, metadata: { ...o.metadata, generation: cur.metadata.generation } });
      const after = this.objects.get(k)!;
      // Removing the last finalizer of an object being deleted lets it go.
      if (after.metadata.deletionTimestamp && !(after.metadata.finalizers ?? []).length) this.objects.delete(k);
    }
    for (const o of w.updateStatus ?? []) {
      const k = keyOf(o.kind ?? '', o.metadata.namespace, o.metadata.name ?? '');
      const cur = this.objects.get(k);
      if (!cur) continue;
      // The apps/v1 status strategies keep the spec and labels and take the rest of metadata.
      this.objects.set(k, { ...cur, metadata: { ...cur.metadata, annotations: o.metadata.annotations, resourceVersion: String(++this.rv) }, status: o.status });
    }
    for (const d of w.delete ?? []) {
      const cur = this.get(d.kind, d.namespace, d.name);
      if (!cur) continue;
      const fin = d.propagationPolicy === 'Foreground' ? ['foregroundDeletion'] : d.propagationPolicy === 'Orphan' ? ['orphan'] : [];
      this.remove(d.kind, d.namespace, d.name, fin);
    }
    return Boolean(w.create?.length || w.update?.length || w.updateStatus?.length || w.delete?.length);
  }

  /** kubelet and scheduler in one: pods get a node, Running and Ready. */
  readyPods(filter: (p: KubeObject) => boolean = () => true, node = 'node-1'): void {
    for (const p of this.list('Pod')) {
      if (!filter(p) || p.metadata.deletionTimestamp) continue;
      const st = (p.status ?? {}) as Record<string, unknown>;
      if (st.phase === 'Running') continue;
      p.spec = { ...(p.spec as object), nodeName: (p.spec as Record<string, unknown>)?.nodeName ?? node };
      p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(this.now) }] };
      p.metadata.resourceVersion = String(++this.rv);
    }
  }

  /** Runs the Deployment and ReplicaSet controllers until neither has anything to write. */
  settleDeployments(onStep?: () => void, maxRounds = 50): void {
    for (let round = 0; round < maxRounds; round++) {
      let wrote = false;
      for (const d of this.list('Deployment')) {
        if (this.apply(reconcileDeployment(d, this.list('ReplicaSet', d.metadata.namespace), this.list('Pod', d.metadata.namespace), this.now))) {
          wrote = true;
          onStep?.();
        }
      }
      for (const rs of this.list('ReplicaSet')) {
        const ns = rs.metadata.namespace;
        if (this.apply(reconcileReplicaSet(rs, this.list('Pod', ns), this.now, this.rng, this.list('ReplicaSet', ns)))) wrote = true;
      }
      if (!wrote) return;
    }
    throw new Error('controllers did not settle');
  }
}

export function deployment(name: string, replicas: number, image: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: name } },
        spec: {
          containers: [{ name: 'main', image, resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
          restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler',
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      ...extra,
    },
  };
}

/** kubectl's DeploymentStatusViewer (rollout status), for asserting what it would print. */
export function rolloutStatus(d: KubeObject): string {
  const spec = d.spec as Record<string, number>;
  const st = (d.status ?? {}) as Record<string, unknown>;
  const n = (k: string): number => (typeof st[k] === 'number' ? (st[k] as number) : 0);
  if ((d.metadata.generation ?? 0) > n('observedGeneration')) return 'Waiting for deployment spec update to be observed...';
  const conds = (st.conditions ?? []) as Array<Record<string, string>>;
  if (conds.find((c) => c.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded') return `deployment "${d.metadata.name}" exceeded its progress deadline`;
  if (n('updatedReplicas') < spec.replicas) return `Waiting for deployment "${d.metadata.name}" rollout to finish: ${n('updatedReplicas')} out of ${spec.replicas} new replicas have been updated...`;
  if (n('replicas') > n('updatedReplicas')) return `Waiting for deployment "${d.metadata.name}" rollout to finish: ${n('replicas') - n('updatedReplicas')} old replicas are pending termination...`;
  if (n('availableReplicas') < n('updatedReplicas')) return `Waiting for deployment "${d.metadata.name}" rollout to finish: ${n('availableReplicas')} of ${n('updatedReplicas')} updated replicas are available...`;
  return `deployment "${d.metadata.name}" successfully rolled out`;
}
