import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../../model/object.js';
import { JOB_TRACKING_FINALIZER, reconcileJob } from '../../../../model/lifecycle/workloads/job.js';
import { FakeCluster } from './harness.js';

type Json = Record<string, unknown>;
const status = (o: KubeObject | undefined): Json => (o?.status ?? {}) as Json;
const condTypes = (o: KubeObject | undefined): string[] => ((status(o).conditions ?? []) as Json[]).map((c) => `${c.type}=${c.status}`);

function job(name: string, spec: Json): KubeObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: { backoffLimit: 6, template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  };
}

/** Job controller plus kubelet: each round, pods that are running finish with `phase`. */
function run(c: FakeCluster, name: string, phase: (p: KubeObject) => string, rounds = 30): number {
  let maxActive = 0;
  for (let i = 0; i < rounds; i++) {
    const j = c.get('Job', 'default', name)!;
    const wrote = c.apply(reconcileJob(j, c.list('Pod', 'default'), c.now, c.rng));
    maxActive = Math.max(maxActive, c.list('Pod').filter((p) => !['Succeeded', 'Failed'].includes(String(status(p).phase))).length);
    for (const p of c.list('Pod')) if (!status(p).phase) p.status = { phase: phase(p) };
    c.tick(1000);
    if (!wrote && c.list('Pod').every((p) => status(p).phase)) {
      if (condTypes(c.get('Job', 'default', name)).some((t) => t === 'Complete=True' || t === 'Failed=True')) break;
    }
  }
  return maxActive;
}

test('completions 3 / parallelism 2: at most 2 pods at a time, 3 succeed, then SuccessCriteriaMet and Complete', () => {
  const c = new FakeCluster();
  c.add(job('pi', { completions: 3, parallelism: 2 }));
  const first = reconcileJob(c.get('Job', 'default', 'pi')!, [], c.now, c.rng);
  assert.is(first.create?.length, 2);
  for (const p of first.create ?? []) {
    assert.match(p.metadata.name ?? '', /^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(p.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    assert.is(p.metadata.ownerReferences?.[0].kind, 'Job');
  }
  assert.equal(first.updateStatus?.[0].status, {
    startTime: '2025-01-01T00:00:00Z', active: 2, terminating: 0, uncountedTerminatedPods: {}, ready: 0,
  });
  const maxActive = run(c, 'pi', () => 'Succeeded');
  assert.is(maxActive, 2);
  const done = c.get('Job', 'default', 'pi')!;
  assert.is(c.list('Pod').length, 3);
  assert.ok(c.list('Pod').every((p) => !p.metadata.finalizers?.length), 'tracking finalizers removed');
  const st = status(done);
  assert.is(st.succeeded, 3);
  assert.is(st.active, undefined);
  assert.equal(st.uncountedTerminatedPods, {});
  assert.ok(typeof st.completionTime === 'string');
  assert.equal(condTypes(done), ['SuccessCriteriaMet=True', 'Complete=True']);
  const complete = (st.conditions as Json[])[1];
  assert.is(complete.reason, 'CompletionsReached');
  assert.is(complete.message, 'Reached expected number of succeeded pods');
  // Finished: nothing more to do.
  assert.equal(reconcileJob(done, c.list('Pod'), c.now, c.rng), {});
});

test('finished pods are counted once, even when the job syncs again before their finalizers are gone', () => {
  const c = new FakeCluster();
  c.add(job('once', { completions: 2, parallelism: 2 }));
  c.apply(reconcileJob(c.get('Job', 'default', 'once')!, [], c.now, c.rng));
  for (const p of c.list('Pod')) p.status = { phase: 'Succeeded' };
  const w1 = reconcileJob(c.get('Job', 'default', 'once')!, c.list('Pod'), c.now, c.rng);
  assert.equal(((w1.updateStatus?.[0].status as Json).uncountedTerminatedPods as Json).succeeded, c.list('Pod').map((p) => p.metadata.uid));
  // Only the status lands; the pods keep their finalizers.
  c.apply({ updateStatus: w1.updateStatus });
  const w2 = reconcileJob(c.get('Job', 'default', 'once')!, c.list('Pod'), c.now, c.rng);
  assert.is(w2.updateStatus, undefined);
  assert.is(w2.update?.length, 2);
  c.apply(w2);
  c.apply(reconcileJob(c.get('Job', 'default', 'once')!, c.list('Pod'), c.now, c.rng));
  assert.is(status(c.get('Job', 'default', 'once')).succeeded, 2);
});

test('failures beyond backoffLimit: FailureTarget, the pods go, then Failed with BackoffLimitExceeded', () => {
  const c = new FakeCluster();
  c.add(job('flaky', { completions: 1, parallelism: 1, backoffLimit: 2 }));
  run(c, 'flaky', () => 'Failed');
  const done = c.get('Job', 'default', 'flaky')!;
  assert.is(status(done).failed, 3);
  assert.equal(condTypes(done), ['FailureTarget=True', 'Failed=True']);
  assert.is(((status(done).conditions as Json[])[1]).reason, 'BackoffLimitExceeded');
  assert.is(status(done).completionTime, undefined);
});

test('Indexed completion: one pod per index with its annotation, hostname and env; completedIndexes 0-3', () => {
  const c = new FakeCluster();
  c.add(job('idx', { completions: 4, parallelism: 4, completionMode: 'Indexed' }));
  const w = reconcileJob(c.get('Job', 'default', 'idx')!, [], c.now, c.rng);
  const pods = w.create ?? [];
  assert.equal(pods.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']), ['0', '1', '2', '3']);
  assert.match(pods[2].metadata.name ?? '', /^idx-2-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.is((pods[2].spec as Json).hostname, 'idx-2');
  assert.equal((((pods[2].spec as Json).containers as Json[])[0].env as Json[])[0].name, 'JOB_COMPLETION_INDEX');
  run(c, 'idx', () => 'Succeeded');
  const done = c.get('Job', 'default', 'idx')!;
  assert.is(status(done).completedIndexes, '0-3');
  assert.is(status(done).succeeded, 4);
  assert.ok(condTypes(done).includes('Complete=True'));
});

test('suspend deletes the running pods and sets Suspended; resume brings them back', () => {
  const c = new FakeCluster();
  c.add(job('s', { completions: 2, parallelism: 2 }));
  c.apply(reconcileJob(c.get('Job', 'default', 's')!, [], c.now, c.rng));
  const j = c.get('Job', 'default', 's')!;
  c.update({ ...j, spec: { ...(j.spec as Json), suspend: true } });
  c.apply(reconcileJob(c.get('Job', 'default', 's')!, c.list('Pod'), c.now, c.rng));
  assert.is(c.list('Pod').length, 0);
  assert.equal(condTypes(c.get('Job', 'default', 's')), ['Suspended=True']);
  const j2 = c.get('Job', 'default', 's')!;
  c.update({ ...j2, spec: { ...(j2.spec as Json), suspend: false } });
  c.apply(reconcileJob(c.get('Job', 'default', 's')!, c.list('Pod'), c.now, c.rng));
  assert.is(c.list('Pod').length, 2);
  assert.equal(condTypes(c.get('Job', 'default', 's')), ['Suspended=False']);
});

test.run();
