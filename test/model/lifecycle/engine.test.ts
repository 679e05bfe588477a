// The lifecycle engine with its controllers on a virtual clock (harness.ts): states are asserted,
// never real time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  deploymentController, garbageCollector, replicaSetController, makeScheduler, stageController,
} from '../../../model/lifecycle/controllers.js';
import { bundledStages, type Stage } from '../../../model/lifecycle/kwok/index.js';
import type { KubeObject } from '../../../model/object.js';
import { isStatus } from '../../../model/status.js';
import { deployment, Harness, ownedBy } from './harness.js';

interface DeployStatus { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; conditions?: { type: string; status: string; reason?: string }[] }
const dstatus = (d: KubeObject | undefined) => (d?.status ?? {}) as DeployStatus;
const rsReady = (rs: KubeObject) => ((rs.status ?? {}) as { readyReplicas?: number }).readyReplicas ?? 0;
const rsReplicas = (rs: KubeObject) => ((rs.spec ?? {}) as { replicas?: number }).replicas ?? 0;
const phase = (p: KubeObject | undefined) => ((p?.status ?? {}) as { phase?: string }).phase;

function stages(...sets: string[]): Stage[] {
  const s = bundledStages(...sets);
  if (isStatus(s)) throw new Error(s.message);
  return s;
}

/** Creates a Deployment and runs until it is fully available. */
async function availableDeployment(h: Harness, ns: string, name: string, replicas: number): Promise<KubeObject> {
  await h.create('apps', 'deployments', ns, deployment(ns, name, replicas));
  await h.runUntil(() => dstatus(h.get('apps', 'deployments', ns, name)).availableReplicas === replicas, `${name} available`);
  return h.get('apps', 'deployments', ns, name) as KubeObject;
}

test('a Deployment of 20 replicas reaches 20 Running pods, availableReplicas 20, Available and Progressing', async () => {
  const h = await Harness.start({ nodes: 3 });
  try {
    await h.namespace('web');
    const d = await availableDeployment(h, 'web', 'nginx', 20);
    const st = dstatus(d);
    assert.is(st.replicas, 20);
    assert.is(st.readyReplicas, 20);
    assert.is(st.updatedReplicas, 20);
    const cond = (t: string) => st.conditions?.find((c) => c.type === t);
    assert.is(cond('Available')?.status, 'True');
    assert.is(cond('Progressing')?.status, 'True');
    assert.is(cond('Progressing')?.reason, 'NewReplicaSetAvailable');
    const pods = h.list('', 'pods', 'web');
    assert.is(pods.length, 20);
    assert.is(h.running('web').length, 20);
    const nodes = new Set(pods.map((p) => (p.spec as { nodeName?: string }).nodeName));
    assert.ok([...nodes].every((n) => n?.startsWith('kwok-node-')), 'bound to fake nodes');
    assert.is(nodes.size, 3, 'spread over the 3 nodes');
    const rss = h.list('apps', 'replicasets', 'web');
    assert.is(rss.length, 1);
    assert.ok(ownedBy(rss[0], d.metadata.uid));
    assert.ok(pods.every((p) => ownedBy(p, rss[0].metadata.uid)));
  } finally {
    await h.close();
  }
});

test('a rolling update completes: the new ReplicaSet has 20 ready, the old one is scaled to 0', async () => {
  const h = await Harness.start({ nodes: 3 });
  try {
    await h.namespace('web');
    const d = await availableDeployment(h, 'web', 'nginx', 20);
    const oldRs = h.list('apps', 'replicasets', 'web')[0];
    const changed = structuredClone(d);
    ((changed.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]).image = 'nginx:1.28';
    await h.update('apps', 'deployments', 'web', changed);
    await h.runUntil(() => {
      const cur = h.get('apps', 'deployments', 'web', 'nginx');
      const st = dstatus(cur);
      return (st as { observedGeneration?: number }).observedGeneration === cur?.metadata.generation
        && st.updatedReplicas === 20 && st.availableReplicas === 20 && st.replicas === 20;
    }, 'rollout complete');
    const rss = h.list('apps', 'replicasets', 'web');
    assert.is(rss.length, 2);
    const newRs = rss.find((r) => r.metadata.uid !== oldRs.metadata.uid) as KubeObject;
    const old = rss.find((r) => r.metadata.uid === oldRs.metadata.uid) as KubeObject;
    assert.is(rsReplicas(newRs), 20);
    assert.is(rsReady(newRs), 20);
    assert.is(rsReplicas(old), 0);
    assert.is(((old.status ?? {}) as { replicas?: number }).replicas ?? 0, 0);
    const pods = h.list('', 'pods', 'web');
    assert.is(pods.length, 20);
    assert.ok(pods.every((p) => ownedBy(p, newRs.metadata.uid)), 'every pod is the new ReplicaSet\'s');
    assert.ok(pods.every((p) => (p.spec as { containers: { image: string }[] }).containers[0].image === 'nginx:1.28'));
    assert.is(h.running('web').length, 20);
    const progressing = dstatus(h.get('apps', 'deployments', 'web', 'nginx')).conditions?.find((c) => c.type === 'Progressing');
    assert.is(progressing?.reason, 'NewReplicaSetAvailable');
  } finally {
    await h.close();
  }
});

test('deleting a namespace holding 1,000 ConfigMaps and a Deployment: the namespace goes', async () => {
  const h = await Harness.start({ nodes: 3 });
  try {
    await h.namespace('full');
    for (let i = 0; i < 1000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => h.create('', 'configmaps', 'full', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i + j}` }, data: { k: 'v' } })));
    }
    await availableDeployment(h, 'full', 'app', 5);
    assert.is(h.list('', 'configmaps', 'full').length, 1000);
    await h.delete('', 'namespaces', '', 'full');
    const ns = h.get('', 'namespaces', '', 'full');
    assert.ok(!ns || ns.metadata.deletionTimestamp, 'Terminating at once');
    await h.runUntil(() => !h.get('', 'namespaces', '', 'full'), 'namespace gone');
    assert.is(h.list('', 'configmaps', 'full').length, 0);
    assert.is(h.list('', 'pods', 'full').length, 0);
    assert.is(h.list('apps', 'replicasets', 'full').length, 0);
    assert.is(h.list('apps', 'deployments', 'full').length, 0);
    assert.ok(h.get('', 'namespaces', '', 'default'), 'other namespaces stay');
  } finally {
    await h.close();
  }
});

test('a foreground-deleted Deployment keeps foregroundDeletion until its ReplicaSet and pods are gone', async () => {
  const h = await Harness.start({ nodes: 3 });
  try {
    await h.namespace('fg');
    const d = await availableDeployment(h, 'fg', 'app', 10);
    // When the Deployment's DELETED event goes out, nothing it owned (directly or not) may be left.
    const leftAtDelete: number[] = [];
    const unsubscribe = h.store.subscribe((e) => {
      if (e.type === 'DELETED' && e.key.resource === 'deployments' && e.key.name === 'app') {
        leftAtDelete.push(h.list('apps', 'replicasets', 'fg').length + h.list('', 'pods', 'fg').length);
      }
    });
    try {
      await h.delete('apps', 'deployments', 'fg', 'app', { propagationPolicy: 'Foreground' });
      const held = h.get('apps', 'deployments', 'fg', 'app');
      assert.ok(held, 'the Deployment is still there right after the delete');
      assert.ok(held?.metadata.deletionTimestamp);
      assert.equal(held?.metadata.finalizers, ['foregroundDeletion']);
      let sawHeldWithDependents = false;
      await h.runUntil(() => {
        const cur = h.get('apps', 'deployments', 'fg', 'app');
        const dependents = h.list('apps', 'replicasets', 'fg').length + h.list('', 'pods', 'fg').length;
        if (cur && dependents > 0) {
          sawHeldWithDependents = true;
          assert.ok(cur.metadata.finalizers?.includes('foregroundDeletion'), 'foregroundDeletion kept while dependents remain');
        }
        if (!cur) assert.is(dependents, 0, 'gone only after its dependents');
        return !cur;
      }, 'Deployment gone');
      assert.ok(sawHeldWithDependents || leftAtDelete.length === 1, 'observed');
      assert.equal(leftAtDelete, [0], 'no ReplicaSet or pod left when the Deployment went');
      assert.is(h.list('apps', 'replicasets', 'fg').length, 0);
      assert.is(h.list('', 'pods', 'fg').length, 0);
      assert.not.ok(h.get('apps', 'deployments', 'fg', 'app'));
      void d;
    } finally {
      unsubscribe();
    }
  } finally {
    await h.close();
  }
});

test('orphan propagation keeps the ReplicaSet and its pods, without the owner reference', async () => {
  const h = await Harness.start({ nodes: 3 });
  try {
    await h.namespace('orph');
    const d = await availableDeployment(h, 'orph', 'app', 10);
    const rsBefore = h.list('apps', 'replicasets', 'orph');
    assert.is(rsBefore.length, 1);
    const podUids = h.list('', 'pods', 'orph').map((p) => p.metadata.uid).sort();
    await h.delete('apps', 'deployments', 'orph', 'app', { propagationPolicy: 'Orphan' });
    await h.runUntil(() => !h.get('apps', 'deployments', 'orph', 'app'), 'Deployment gone');
    // Give any late collector wave its chance.
    h.clock.advance(60_000);
    await h.settle();
    const rs = h.list('apps', 'replicasets', 'orph');
    assert.is(rs.length, 1);
    assert.is(rs[0].metadata.uid, rsBefore[0].metadata.uid, 'the same ReplicaSet');
    assert.not.ok(ownedBy(rs[0], d.metadata.uid), 'owner reference to the Deployment removed');
    assert.not.ok(rs[0].metadata.deletionTimestamp);
    assert.equal(h.list('', 'pods', 'orph').map((p) => p.metadata.uid).sort(), podUids, 'the same pods');
    assert.is(h.running('orph').length, 10);
  } finally {
    await h.close();
  }
});

test('KWOK pod/general stages (shared data): Pending until the stage delays have passed on the virtual clock', async () => {
  // pod/general from fixtures/kwok-stages: pod-create and pod-ready each wait 1 s plus up to 5 s of
  // jitter, or what the pod's annotations say. Here 2 s and 3 s exactly (jitter = delay).
  const controllers = [
    deploymentController, replicaSetController, garbageCollector, makeScheduler(),
    stageController('kwok-node', '', 'nodes', stages('node/fast')),
    stageController('kwok-pod', '', 'pods', stages('pod/general')),
  ];
  const h = await Harness.start({ nodes: 2, controllers });
  try {
    await h.namespace('kw');
    const t0 = h.clock.now();
    await h.create('', 'pods', 'kw', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'p', annotations: {
          'pod-create.stage.kwok.x-k8s.io/delay': '2s', 'pod-create.stage.kwok.x-k8s.io/jitter-delay': '2s',
          'pod-ready.stage.kwok.x-k8s.io/delay': '3s', 'pod-ready.stage.kwok.x-k8s.io/jitter-delay': '3s',
        },
      },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await h.settle();
    const bound = h.get('', 'pods', 'kw', 'p');
    assert.ok((bound?.spec as { nodeName?: string }).nodeName?.startsWith('kwok-node-'), 'scheduled at once');
    assert.is.not(phase(bound), 'Running');
    h.clock.advanceTo(t0 + 1999);
    await h.settle();
    assert.is.not(phase(h.get('', 'pods', 'kw', 'p')), 'Running', 'before pod-create\'s delay');
    h.clock.advanceTo(t0 + 2000);
    await h.settle();
    const created = h.get('', 'pods', 'kw', 'p');
    assert.is(phase(created), 'Pending', 'pod-create applied: still Pending');
    h.clock.advanceTo(t0 + 4999);
    await h.settle();
    assert.is(phase(h.get('', 'pods', 'kw', 'p')), 'Pending', 'before pod-ready\'s delay');
    h.clock.advanceTo(t0 + 5000);
    await h.settle();
    const ready = h.get('', 'pods', 'kw', 'p');
    assert.is(phase(ready), 'Running', 'Running once both delays have passed');
    const conds = ((ready?.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? [];
    assert.is(conds.find((c) => c.type === 'Ready')?.status, 'True');

    // Without annotations the shipped defaults hold: nothing Runs before 1 s + 1 s.
    const t1 = h.clock.now();
    await h.create('', 'pods', 'kw', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await h.settle();
    h.clock.advanceTo(t1 + 1999);
    await h.settle();
    assert.is.not(phase(h.get('', 'pods', 'kw', 'q')), 'Running');
    const took = await h.runUntil(() => phase(h.get('', 'pods', 'kw', 'q')) === 'Running', 'q Running', 20_000);
    assert.ok(h.clock.now() - t1 >= 2000 && h.clock.now() - t1 <= 12_000, `Running between 2 s and 12 s of virtual time (took ${h.clock.now() - t1} ms)`);
    void took;
  } finally {
    await h.close();
  }
});

test('KWOK node/fast: fake Nodes are Ready with the stage\'s allocatable', async () => {
  const h = await Harness.start({ nodes: 4 });
  try {
    const nodes = h.list('', 'nodes');
    assert.is(nodes.length, 4);
    for (const n of nodes) {
      const st = (n.status ?? {}) as { conditions?: { type: string; status: string }[]; allocatable?: { pods?: string } };
      assert.is(st.conditions?.find((c) => c.type === 'Ready')?.status, 'True', n.metadata.name);
      assert.is(st.allocatable?.pods, '1M');
    }
  } finally {
    await h.close();
  }
});

test.run();
