import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../../model/object.js';
import { computePodTemplateHash } from '../../../../model/lifecycle/workloads/hash.js';
import { reconcileDeployment } from '../../../../model/lifecycle/workloads/deployment.js';
import { deployment, FakeCluster, rolloutStatus } from './harness.js';

type Json = Record<string, unknown>;
const spec = (o: KubeObject | undefined): Json => (o?.spec ?? {}) as Json;
const status = (o: KubeObject | undefined): Json => (o?.status ?? {}) as Json;
const conds = (o: KubeObject | undefined): Json[] => (status(o).conditions ?? []) as Json[];
const cond = (o: KubeObject | undefined, type: string): Json | undefined => conds(o).find((c) => c.type === type);

test('a collision count changes the hash; quantities hash by their canonical form', () => {
  const t = spec(deployment('web', 1, 'nginx:1')).template as Json;
  assert.is.not(computePodTemplateHash(t, 1), computePodTemplateHash(t));
  const withRes = (cpu: string): Json => {
    const c = structuredClone(t);
    ((c.spec as Json).containers as Json[])[0].resources = { requests: { cpu } };
    return c;
  };
  // "0.5" is stored as "500m" by the apiserver, so the controller hashes the same value.
  assert.is(computePodTemplateHash(withRes('0.5')), computePodTemplateHash(withRes('500m')));
  assert.is.not(computePodTemplateHash(withRes('1')), computePodTemplateHash(withRes('500m')));
});

test('a Deployment scaled 0 -> 20 gets one ReplicaSet <name>-<hash> running 20 pods it owns', () => {
  const c = new FakeCluster();
  c.add(deployment('web', 0, 'nginx:1'));
  c.settleDeployments();
  const [rs] = c.list('ReplicaSet');
  const hash = computePodTemplateHash(spec(c.get('Deployment', 'default', 'web')).template);
  assert.is(rs.metadata.name, `web-${hash}`);
  assert.is(spec(rs).replicas, 0);
  assert.equal(rs.metadata.labels, { app: 'web', 'pod-template-hash': hash });
  assert.equal((spec(rs).selector as Json).matchLabels, { app: 'web', 'pod-template-hash': hash });
  assert.is(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.is(rs.metadata.ownerReferences?.[0].kind, 'Deployment');
  assert.is(c.get('Deployment', 'default', 'web')?.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');

  const d = c.get('Deployment', 'default', 'web')!;
  c.update({ ...d, spec: { ...spec(d), replicas: 20 } });
  c.settleDeployments();
  assert.is(c.list('ReplicaSet').length, 1);
  const scaled = c.list('ReplicaSet')[0];
  assert.is(spec(scaled).replicas, 20);
  assert.is(scaled.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '20');
  assert.is(scaled.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '25');
  const pods = c.list('Pod');
  assert.is(pods.length, 20);
  for (const p of pods) {
    assert.match(p.metadata.name ?? '', new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    assert.is(p.metadata.generateName, `web-${hash}-`);
    assert.equal(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: scaled.metadata.name, uid: scaled.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.is(p.metadata.labels?.['pod-template-hash'], hash);
  }
  c.readyPods();
  c.settleDeployments();
  const done = c.get('Deployment', 'default', 'web')!;
  assert.equal({ ...status(done), conditions: undefined }, { observedGeneration: 2, replicas: 20, updatedReplicas: 20, readyReplicas: 20, availableReplicas: 20, conditions: undefined });
  assert.is(rolloutStatus(done), 'deployment "web" successfully rolled out');
});

test('a rolling update of 8 replicas with 25% surge/unavailable takes upstream\'s steps and ends rolled out', () => {
  const c = new FakeCluster();
  c.add(deployment('web', 8, 'img:A'));
  c.settleDeployments();
  c.readyPods();
  c.settleDeployments();
  const oldName = c.list('ReplicaSet')[0].metadata.name;
  const d = c.get('Deployment', 'default', 'web')!;
  const t = structuredClone(spec(d).template) as Json;
  ((t.spec as Json).containers as Json[])[0].image = 'img:B';
  c.update({ ...d, spec: { ...spec(d), template: t } });

  const sizes: string[] = [];
  const record = (): void => {
    const old = spec(c.get('ReplicaSet', 'default', oldName ?? '')).replicas;
    const nu = c.list('ReplicaSet').find((rs) => rs.metadata.name !== oldName);
    const s = `${old}/${nu ? spec(nu).replicas : '-'}`;
    if (sizes[sizes.length - 1] !== s) sizes.push(s);
  };
  record();
  for (let i = 0; i < 4; i++) {
    c.settleDeployments(record);
    c.tick(5000);
    c.readyPods();
    c.settleDeployments(record);
  }
  // maxSurge 2, maxUnavailable 2: create the new RS at 2 and drop the old to 6 in one sync,
  // grow the new to 4, wait for its pods, then 2/4, 2/8, wait, 0/8.
  assert.equal(sizes, ['8/-', '6/2', '6/4', '2/4', '2/8', '0/8']);
  const done = c.get('Deployment', 'default', 'web')!;
  const newRS = c.list('ReplicaSet').find((rs) => rs.metadata.name !== oldName)!;
  assert.is(done.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.is(newRS.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.is(c.list('Pod').length, 8);
  assert.ok(c.list('Pod').every((p) => p.metadata.labels?.['pod-template-hash'] === newRS.metadata.labels?.['pod-template-hash']));
  assert.equal(cond(done, 'Available'), { type: 'Available', status: 'True', lastUpdateTime: cond(done, 'Available')?.lastUpdateTime, lastTransitionTime: cond(done, 'Available')?.lastTransitionTime, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  assert.is(cond(done, 'Progressing')?.status, 'True');
  assert.is(cond(done, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.is(cond(done, 'Progressing')?.message, `ReplicaSet "${newRS.metadata.name}" has successfully progressed.`);
  assert.equal(conds(done).map((x) => x.type), ['Available', 'Progressing']);
  assert.is(rolloutStatus(done), 'deployment "web" successfully rolled out');
  const events = c.log.flatMap((w) => w.events ?? []).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
  assert.ok(events.includes(`Scaled up replica set ${newRS.metadata.name} to 2`));
  assert.ok(events.includes(`Scaled down replica set ${oldName} to 6 from 8`));
});

test('while new pods are not ready the rollout waits with Progressing ReplicaSetUpdated', () => {
  const c = new FakeCluster();
  c.add(deployment('web', 4, 'img:A'));
  c.settleDeployments();
  const d = c.get('Deployment', 'default', 'web')!;
  assert.is(cond(d, 'Available')?.status, 'False');
  assert.is(cond(d, 'Available')?.reason, 'MinimumReplicasUnavailable');
  assert.is(cond(d, 'Progressing')?.reason, 'ReplicaSetUpdated');
  assert.match(rolloutStatus(d), /0 of 4 updated replicas are available/);
});

test('a Deployment past its progress deadline reports ProgressDeadlineExceeded; until then it asks to be requeued', () => {
  const c = new FakeCluster();
  c.add(deployment('web', 2, 'img:A', { progressDeadlineSeconds: 60 }));
  c.settleDeployments();
  const w = reconcileDeployment(c.get('Deployment', 'default', 'web')!, c.list('ReplicaSet'), c.list('Pod'), c.now);
  assert.ok(w.requeueAfterMs !== undefined && w.requeueAfterMs > 0 && w.requeueAfterMs <= 61_000);
  c.tick(61_000);
  c.settleDeployments();
  const d = c.get('Deployment', 'default', 'web')!;
  assert.is(cond(d, 'Progressing')?.status, 'False');
  assert.is(cond(d, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  assert.is(rolloutStatus(d), 'deployment "web" exceeded its progress deadline');
});

test('Recreate scales the old ReplicaSet to 0, waits for its pods to go, then creates the new one at full size', () => {
  const c = new FakeCluster();
  c.add(deployment('db', 3, 'pg:15', { strategy: { type: 'Recreate' } }));
  c.settleDeployments();
  c.readyPods();
  c.settleDeployments();
  const oldName = c.list('ReplicaSet')[0].metadata.name;
  const d = c.get('Deployment', 'default', 'db')!;
  const t = structuredClone(spec(d).template) as Json;
  ((t.spec as Json).containers as Json[])[0].image = 'pg:16';
  c.update({ ...d, spec: { ...spec(d), template: t } });
  // First sync: only the scale-down; no new ReplicaSet while old pods exist.
  c.apply(reconcileDeployment(c.get('Deployment', 'default', 'db')!, c.list('ReplicaSet'), c.list('Pod'), c.now));
  assert.is(c.list('ReplicaSet').length, 1);
  assert.is(spec(c.list('ReplicaSet')[0]).replicas, 0);
  c.settleDeployments();
  const rss = c.list('ReplicaSet');
  assert.is(rss.length, 2);
  const nu = rss.find((rs) => rs.metadata.name !== oldName)!;
  assert.is(spec(nu).replicas, 3);
  assert.is(c.list('Pod').filter((p) => p.metadata.labels?.['pod-template-hash'] === nu.metadata.labels?.['pod-template-hash']).length, 3);
  assert.is(c.list('Pod').length, 3);
  c.readyPods();
  c.settleDeployments();
  assert.is(rolloutStatus(c.get('Deployment', 'default', 'db')!), 'deployment "db" successfully rolled out');
});

test('scaling mid-rollout spreads the change over the active ReplicaSets in proportion', () => {
  const c = new FakeCluster();
  c.add(deployment('web', 10, 'img:A'));
  c.settleDeployments();
  c.readyPods();
  c.settleDeployments();
  const d = c.get('Deployment', 'default', 'web')!;
  const t = structuredClone(spec(d).template) as Json;
  ((t.spec as Json).containers as Json[])[0].image = 'img:B';
  c.update({ ...d, spec: { ...spec(d), template: t } });
  c.settleDeployments();
  const before = c.list('ReplicaSet').map((rs) => spec(rs).replicas as number);
  assert.equal(before.slice().sort((a, b) => a - b), [5, 8]);
  const d2 = c.get('Deployment', 'default', 'web')!;
  c.update({ ...d2, spec: { ...spec(d2), replicas: 20 } });
  c.apply(reconcileDeployment(c.get('Deployment', 'default', 'web')!, c.list('ReplicaSet'), c.list('Pod'), c.now));
  // 13 of 13 allowed become 25 of 25 (20 + 25% surge): 8 -> 15, 5 -> 10.
  const after = c.list('ReplicaSet').map((rs) => spec(rs).replicas as number);
  assert.equal(after.slice().sort((a, b) => a - b), [10, 15]);
  assert.ok(c.list('ReplicaSet').every((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'] === '20'));
});

test('old ReplicaSets beyond revisionHistoryLimit are deleted once the rollout completes', () => {
  const c = new FakeCluster();
  c.add(deployment('web', 1, 'img:0', { revisionHistoryLimit: 1 }));
  for (let i = 1; i <= 3; i++) {
    c.settleDeployments();
    c.readyPods();
    c.settleDeployments();
    const d = c.get('Deployment', 'default', 'web')!;
    const t = structuredClone(spec(d).template) as Json;
    ((t.spec as Json).containers as Json[])[0].image = `img:${i}`;
    c.update({ ...d, spec: { ...spec(d), template: t } });
  }
  c.settleDeployments();
  c.readyPods();
  c.settleDeployments();
  assert.is(c.list('ReplicaSet').length, 2);
  assert.equal(c.list('ReplicaSet').map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
});

test.run();
