import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../../model/object.js';
import { reconcileStatefulSet } from '../../../../model/lifecycle/workloads/statefulset.js';
import { FakeCluster } from './harness.js';

type Json = Record<string, unknown>;
const status = (o: KubeObject | undefined): Json => (o?.status ?? {}) as Json;
const names = (c: FakeCluster): string[] => c.list('Pod').map((p) => p.metadata.name ?? '').sort();

function sts(replicas: number, extra: Json = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...extra,
    },
  };
}

function sync(c: FakeCluster): boolean {
  const set = c.get('StatefulSet', 'default', 'web')!;
  return c.apply(reconcileStatefulSet(set, c.list('Pod'), c.now, { revisions: c.list('ControllerRevision'), claims: c.list('PersistentVolumeClaim') }));
}

test('OrderedReady creates web-0, waits for it to be Running and Ready, then web-1, then web-2', () => {
  const c = new FakeCluster();
  c.add(sts(3));
  sync(c);
  assert.equal(names(c), ['web-0']);
  sync(c);
  assert.equal(names(c), ['web-0'], 'no second pod while web-0 is not ready');
  const p0 = c.get('Pod', 'default', 'web-0')!;
  assert.equal(p0.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(p0.metadata.labels?.['apps.kubernetes.io/pod-index'], '0');
  assert.match(p0.metadata.labels?.['controller-revision-hash'] ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal({ hostname: (p0.spec as Json).hostname, subdomain: (p0.spec as Json).subdomain }, { hostname: 'web-0', subdomain: 'web' });
  assert.equal((p0.spec as Json).volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }]);
  assert.ok(c.get('PersistentVolumeClaim', 'default', 'data-web-0'));
  assert.is(c.list('ControllerRevision').length, 1);
  for (let i = 1; i <= 3; i++) {
    c.readyPods();
    sync(c);
    assert.equal(names(c), ['web-0', 'web-1', 'web-2'].slice(0, Math.min(i + 1, 3)));
  }
  sync(c);
  const st = status(c.get('StatefulSet', 'default', 'web'));
  assert.equal(
    { replicas: st.replicas, readyReplicas: st.readyReplicas, currentReplicas: st.currentReplicas, updatedReplicas: st.updatedReplicas, availableReplicas: st.availableReplicas },
    { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 },
  );
  assert.is(st.currentRevision, st.updateRevision);
  assert.is(st.updateRevision, c.list('ControllerRevision')[0].metadata.name);
});

test('Parallel creates every ordinal at once', () => {
  const c = new FakeCluster();
  c.add(sts(3, { podManagementPolicy: 'Parallel' }));
  sync(c);
  assert.equal(names(c), ['web-0', 'web-1', 'web-2']);
});

test('scaling down removes the highest ordinal first, one at a time', () => {
  const c = new FakeCluster();
  c.add(sts(3, { podManagementPolicy: 'Parallel' }));
  sync(c);
  c.readyPods();
  const set = c.get('StatefulSet', 'default', 'web')!;
  c.update({ ...set, spec: { ...(set.spec as Json), replicas: 1, podManagementPolicy: 'OrderedReady' } });
  sync(c);
  assert.equal(names(c), ['web-0', 'web-1']);
  sync(c);
  assert.equal(names(c), ['web-0']);
});

test('a rolling update replaces pods from the highest ordinal down, waiting for each to be ready', () => {
  const c = new FakeCluster();
  c.add(sts(3, { podManagementPolicy: 'Parallel' }));
  sync(c);
  c.readyPods();
  sync(c);
  const oldRev = status(c.get('StatefulSet', 'default', 'web')).updateRevision;
  const set = c.get('StatefulSet', 'default', 'web')!;
  const t = structuredClone((set.spec as Json).template) as Json;
  ((t.spec as Json).containers as Json[])[0].image = 'nginx:2';
  c.update({ ...set, spec: { ...(set.spec as Json), template: t } });
  const order: string[] = [];
  for (let i = 0; i < 12; i++) {
    const before = new Set(names(c));
    sync(c);
    for (const n of before) if (!c.get('Pod', 'default', n)) order.push(n);
    c.readyPods();
  }
  assert.equal(order, ['web-2', 'web-1', 'web-0']);
  const st = status(c.get('StatefulSet', 'default', 'web'));
  assert.is.not(st.updateRevision, oldRev);
  assert.is(st.currentRevision, st.updateRevision);
  assert.ok(c.list('Pod').every((p) => p.metadata.labels?.['controller-revision-hash'] === st.updateRevision));
  assert.is(c.list('ControllerRevision').length, 2);
  assert.equal(c.list('ControllerRevision').map((r) => r.revision).sort(), [1, 2]);
});

test.run();
