import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../../model/object.js';
import { reconcileDaemonSet } from '../../../../model/lifecycle/workloads/daemonset.js';
import { computePodTemplateHash } from '../../../../model/lifecycle/workloads/hash.js';
import { FakeCluster } from './harness.js';

type Json = Record<string, unknown>;
const status = (o: KubeObject | undefined): Json => (o?.status ?? {}) as Json;

function node(name: string, labels: Record<string, string>, extra: { ready?: string; taints?: Json[]; unschedulable?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels },
    spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: [{ type: 'Ready', status: extra.ready ?? 'True' }] },
  };
}

function ds(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'a', image: 'agent:1' }] } },
    },
  };
}

function sync(c: FakeCluster): boolean {
  const d = c.get('DaemonSet', 'kube-system', 'agent')!;
  return c.apply(reconcileDaemonSet(d, c.list('Node'), c.list('Pod'), c.now, c.rng, c.list('ControllerRevision')));
}

const podNodes = (c: FakeCluster): string[] => c.list('Pod').map((p) => String((p.spec as Json).nodeName)).sort();

test('one pod per node matching the nodeSelector, bound to it, tolerating the daemon taints', () => {
  const c = new FakeCluster();
  for (const n of [node('n1', { disk: 'ssd' }), node('n2', { disk: 'ssd' }), node('n3', { disk: 'hdd' })]) c.add(n);
  c.add(ds());
  sync(c);
  assert.equal(podNodes(c), ['n1', 'n2']);
  const p = c.list('Pod').find((x) => (x.spec as Json).nodeName === 'n1')!;
  const hash = computePodTemplateHash((c.get('DaemonSet', 'kube-system', 'agent')!.spec as Json).template);
  assert.match(p.metadata.name ?? '', /^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(p.metadata.labels, { app: 'agent', 'pod-template-generation': '1', 'controller-revision-hash': hash });
  assert.is(c.list('ControllerRevision')[0].metadata.name, `agent-${hash}`);
  assert.equal(((((p.spec as Json).affinity as Json).nodeAffinity as Json).requiredDuringSchedulingIgnoredDuringExecution),
    { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
  const tolerations = ((p.spec as Json).tolerations as Json[]).map((t) => `${t.key}:${t.effect}`);
  assert.equal(tolerations, [
    'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  // Status counts what the sync started from; the next sync sees the pods.
  sync(c);
  assert.equal(status(c.get('DaemonSet', 'kube-system', 'agent')), {
    currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 0, observedGeneration: 1,
    updatedNumberScheduled: 2, numberUnavailable: 2,
  });
  c.readyPods();
  sync(c);
  const st = status(c.get('DaemonSet', 'kube-system', 'agent'));
  assert.equal([st.numberReady, st.numberAvailable, st.numberUnavailable], [2, 2, undefined]);
  assert.is(sync(c), false, 'settled');
});

test('nodes that stop matching lose their pod; new matching nodes gain one; NotReady and tainted nodes get none', () => {
  const c = new FakeCluster();
  for (const n of [node('n1', { disk: 'ssd' }), node('n2', { disk: 'ssd' }), node('n3', { disk: 'hdd' })]) c.add(n);
  c.add(ds());
  sync(c);
  c.readyPods();
  const n2 = c.get('Node', undefined, 'n2')!;
  c.update({ ...n2, metadata: { ...n2.metadata, labels: { disk: 'hdd' } } });
  const n3 = c.get('Node', undefined, 'n3')!;
  c.update({ ...n3, metadata: { ...n3.metadata, labels: { disk: 'ssd' } } });
  sync(c);
  assert.equal(podNodes(c), ['n1', 'n3']);
  c.add(node('n4', { disk: 'ssd' }, { ready: 'False' }));
  c.add(node('n5', { disk: 'ssd' }, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
  c.add(node('n6', { disk: 'ssd' }, { unschedulable: true }));
  sync(c);
  // Cordoned nodes still run daemons (they tolerate node.kubernetes.io/unschedulable).
  assert.equal(podNodes(c), ['n1', 'n3', 'n6']);
});

test('a template change rolls pods one node at a time (maxUnavailable 1)', () => {
  const c = new FakeCluster();
  for (const n of [node('n1', { disk: 'ssd' }), node('n2', { disk: 'ssd' }), node('n3', { disk: 'ssd' })]) c.add(n);
  c.add(ds());
  sync(c);
  c.readyPods();
  sync(c);
  const d = c.get('DaemonSet', 'kube-system', 'agent')!;
  const t = structuredClone((d.spec as Json).template) as Json;
  ((t.spec as Json).containers as Json[])[0].image = 'agent:2';
  c.update({ ...d, spec: { ...(d.spec as Json), template: t } });
  sync(c);
  assert.is(c.list('Pod').length, 2, 'one old pod deleted');
  sync(c);
  assert.is(c.list('Pod').length, 3, 'its replacement created');
  sync(c);
  assert.is(c.list('Pod').length, 3, 'no more deletions while the new pod is unavailable');
  for (let i = 0; i < 8; i++) { c.readyPods(); sync(c); }
  const hash = computePodTemplateHash(t);
  assert.ok(c.list('Pod').every((p) => p.metadata.labels?.['controller-revision-hash'] === hash));
  assert.is(status(c.get('DaemonSet', 'kube-system', 'agent')).updatedNumberScheduled, 3);
});

test.run();
