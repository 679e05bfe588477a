import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../../model/object.js';
import { collectGarbage, dependentsToDelete } from '../../../../model/lifecycle/workloads/gc.js';
import { defaultServiceAccount, reconcileServiceAccounts } from '../../../../model/lifecycle/workloads/serviceaccount.js';
import { deployment, FakeCluster } from './harness.js';

/** A Deployment with its ReplicaSet and 3 running pods. */
function chain(): FakeCluster {
  const c = new FakeCluster();
  c.add(deployment('web', 3, 'img:A'));
  c.settleDeployments();
  c.readyPods();
  c.settleDeployments();
  return c;
}

const all = (c: FakeCluster): KubeObject[] => [...c.objects.values()];
const kinds = (c: FakeCluster): string[] => all(c).map((o) => o.kind ?? '').sort();

/** Runs the collector until it has nothing to do; returns what existed after each pass. */
function collect(c: FakeCluster): string[][] {
  const passes: string[][] = [];
  for (let i = 0; i < 10 && c.apply(collectGarbage(all(c))); i++) passes.push(kinds(c));
  return passes;
}

test('Background: the Deployment goes at once, then its ReplicaSet, then the pods', () => {
  const c = chain();
  assert.equal(kinds(c), ['Deployment', 'Pod', 'Pod', 'Pod', 'ReplicaSet']);
  c.remove('Deployment', 'default', 'web');
  const first = collectGarbage(all(c));
  assert.equal(first.delete?.map((d) => [d.kind, d.propagationPolicy]), [['ReplicaSet', 'Background']]);
  assert.is(first.delete?.[0].preconditions?.uid, c.list('ReplicaSet')[0].metadata.uid);
  assert.equal(collect(c), [['Pod', 'Pod', 'Pod'], []]);
});

test('Foreground: pods, then the ReplicaSet, then the Deployment, which holds foregroundDeletion until then', () => {
  const c = chain();
  c.remove('Deployment', 'default', 'web', ['foregroundDeletion']);
  const first = collectGarbage(all(c));
  // The ReplicaSet has dependents of its own, so it is deleted in the foreground too.
  assert.equal(first.delete?.map((d) => [d.kind, d.propagationPolicy]), [['ReplicaSet', 'Foreground']]);
  assert.equal(collect(c), [
    ['Deployment', 'Pod', 'Pod', 'Pod', 'ReplicaSet'],
    ['Deployment', 'ReplicaSet'],
    ['Deployment'],
    [],
  ]);
});

test('Foreground: a dependent without blockOwnerDeletion does not hold the owner', () => {
  const c = chain();
  for (const p of c.list('Pod')) for (const r of p.metadata.ownerReferences ?? []) r.blockOwnerDeletion = false;
  const rs = c.list('ReplicaSet')[0];
  c.remove('ReplicaSet', 'default', rs.metadata.name ?? '', ['foregroundDeletion']);
  const w = collectGarbage(all(c));
  assert.ok(w.update?.some((o) => o.kind === 'ReplicaSet' && !o.metadata.finalizers), 'finalizer removed at once');
  assert.is(w.delete?.filter((d) => d.kind === 'Pod').length, 3);
});

test('Orphan: the ReplicaSet loses its owner reference, the orphan finalizer comes off, pods stay', () => {
  const c = chain();
  c.remove('Deployment', 'default', 'web', ['orphan']);
  assert.ok(c.get('Deployment', 'default', 'web')?.metadata.deletionTimestamp);
  collect(c);
  assert.equal(kinds(c), ['Pod', 'Pod', 'Pod', 'ReplicaSet']);
  assert.is(c.list('ReplicaSet')[0].metadata.ownerReferences, undefined);
  assert.ok(c.list('Pod').every((p) => p.metadata.ownerReferences?.[0].kind === 'ReplicaSet'));
});

test('a dependent with another live owner only loses the reference to the deleted one', () => {
  const c = new FakeCluster();
  const a = c.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } });
  const b = c.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
  const ref = (o: KubeObject) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' });
  c.add({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shared', namespace: 'default', ownerReferences: [ref(a), ref(b)] } });
  c.add({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'only-a', namespace: 'default', ownerReferences: [ref(a)] } });
  assert.equal(dependentsToDelete(a, all(c), 'Background').map((o) => o.metadata.name), ['only-a']);
  assert.equal(dependentsToDelete(a, all(c), 'Orphan'), []);
  c.remove('ConfigMap', 'default', 'a');
  const w = collectGarbage(all(c));
  assert.equal(w.delete?.map((d) => d.name), ['only-a']);
  assert.equal(w.update?.map((o) => [o.metadata.name, o.metadata.ownerReferences?.map((r) => r.name)]), [['shared', ['b']]]);
  // An owner the snapshot lacks but a live lookup finds keeps its dependents.
  assert.equal(collectGarbage(all(c), () => true).delete, undefined);
});

test('every active namespace gets the default ServiceAccount, once', () => {
  assert.equal(defaultServiceAccount('team-a'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team-a' } });
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, status: { phase: 'Active' } };
  assert.equal(reconcileServiceAccounts(ns, []), { create: [defaultServiceAccount('team-a')] });
  assert.equal(reconcileServiceAccounts(ns, [defaultServiceAccount('team-a')]), {});
  assert.equal(reconcileServiceAccounts({ ...ns, status: { phase: 'Terminating' } }, []), {});
});

test.run();
