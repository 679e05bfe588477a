import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../../model/object.js';
import { seededRng } from '../../../../model/rng.js';
import { podsToDelete, reconcileReplicaSet } from '../../../../model/lifecycle/workloads/replicaset.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const at = (secondsAgo: number): string => new Date(NOW - secondsAgo * 1000).toISOString().replace('.000Z', 'Z');

function rs(replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-uid', generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, ...extra },
  };
}

interface PodOpts { node?: string; phase?: string; readySince?: number; created: number; restarts?: number }

function pod(name: string, o: PodOpts): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, creationTimestamp: at(o.created),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName: o.node ?? '' },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: at(o.readySince) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

test('scale-down ranking: unscheduled, then pending, then not ready, then crowded nodes, then most recently ready', () => {
  const pods = [
    pod('old-ready', { node: 'n1', readySince: 3600, created: 3700 }),
    pod('unscheduled', { phase: 'Pending', created: 10 }),
    pod('pending', { node: 'n2', phase: 'Pending', created: 10 }),
    pod('not-ready', { node: 'n2', created: 10 }),
    pod('new-ready', { node: 'n3', readySince: 5, created: 10 }),
    pod('crowded', { node: 'n1', readySince: 3600, created: 3700 }),
  ];
  // n1 and n2 each hold two related pods, n3 one: the ready pods on n1 go before the lone pod on
  // n3 even though that one became ready more recently (the two on n1 tie, in either order).
  const five = podsToDelete(pods, pods, 5, NOW).map((p) => p.metadata.name ?? '');
  assert.equal(five.slice(0, 3), ['unscheduled', 'pending', 'not-ready']);
  assert.equal(five.slice(3).sort(), ['crowded', 'old-ready']);
  // Without related pods on shared nodes, the most recently ready goes first.
  assert.equal(podsToDelete(pods, [], 4, NOW).map((p) => p.metadata.name), ['unscheduled', 'pending', 'not-ready', 'new-ready']);
});

test('among equally placed ready pods the newest goes first; more restarts go before fewer', () => {
  const a = pod('a', { node: 'n1', readySince: 100_000, created: 100_000 });
  const b = pod('b', { node: 'n2', readySince: 10, created: 10 });
  const c = pod('c', { node: 'n3', readySince: 100_000, created: 100_000, restarts: 3 });
  assert.equal(podsToDelete([a, b, c], [], 1, NOW).map((p) => p.metadata.name), ['b']);
  // Same ready age bucket: restarts decide.
  const d = pod('d', { node: 'n4', readySince: 100_000, created: 100_000 });
  assert.equal(podsToDelete([d, c], [], 1, NOW).map((p) => p.metadata.name), ['c']);
});

test('a ReplicaSet below its replicas creates the missing pods, owned, labeled and named from the rng', () => {
  const w = reconcileReplicaSet(rs(3), [pod('web-abc-xxxxx', { node: 'n1', readySince: 60, created: 60 })], NOW, seededRng(1));
  assert.is(w.create?.length, 2);
  for (const p of w.create ?? []) {
    assert.match(p.metadata.name ?? '', /^web-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.is(p.metadata.generateName, 'web-abc-');
    assert.equal(p.metadata.labels, { app: 'web' });
    assert.equal(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(p.spec, { containers: [{ name: 'c', image: 'i' }] });
  }
  // Status counts the pods the sync started with.
  assert.equal(w.updateStatus?.[0].status, { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
  // Same seed, same names.
  assert.equal(reconcileReplicaSet(rs(3), [], NOW, seededRng(1)).create?.map((p) => p.metadata.name),
    reconcileReplicaSet(rs(3), [], NOW, seededRng(1)).create?.map((p) => p.metadata.name));
});

test('a ReplicaSet above its replicas deletes the lowest-ranked pods; finished and deleting pods do not count', () => {
  const pods = [
    pod('a', { node: 'n1', readySince: 600, created: 600 }),
    pod('b', { node: 'n1', created: 30 }),
    pod('done', { node: 'n1', phase: 'Succeeded', created: 900 }),
    { ...pod('going', { node: 'n1', readySince: 600, created: 600 }), metadata: { ...pod('going', { created: 600 }).metadata, deletionTimestamp: at(1) } },
  ];
  const w = reconcileReplicaSet(rs(1), pods, NOW, seededRng(1));
  assert.equal(w.delete, [{ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'b' }]);
  assert.is(w.create, undefined);
});

test('minReadySeconds: ready pods count as available only after it, and the sync asks to be requeued', () => {
  const w = reconcileReplicaSet(rs(1, { minReadySeconds: 30 }), [pod('a', { node: 'n1', readySince: 10, created: 20 })], NOW, seededRng(1));
  assert.equal(w.updateStatus?.[0].status, { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, observedGeneration: 1 });
  assert.is(w.requeueAfterMs, 30_000);
});

test('orphans matching the selector are adopted; owned pods that stop matching are released', () => {
  const orphan = pod('orphan', { node: 'n1', readySince: 60, created: 60 });
  delete orphan.metadata.ownerReferences;
  const strayed = pod('strayed', { node: 'n1', readySince: 60, created: 60 });
  strayed.metadata.labels = { app: 'other' };
  const w = reconcileReplicaSet(rs(1), [orphan, strayed], NOW, seededRng(1));
  const byName = new Map((w.update ?? []).map((p) => [p.metadata.name, p]));
  assert.is(byName.get('orphan')?.metadata.ownerReferences?.[0].uid, 'rs-uid');
  assert.equal(byName.get('strayed')?.metadata.ownerReferences, []);
  assert.is(w.create, undefined);
});

test.run();
