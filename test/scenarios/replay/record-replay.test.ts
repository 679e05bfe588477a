// Record a scenario run with `record`, check the log is audit.k8s.io/v1 Events, replay it against a
// fresh kemu, and find the same objects in every cluster.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../../scenarios/engine/main.js';
import { runReplay } from '../../../scenarios/replay/main.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';

const SCENARIO = join(import.meta.dirname, 'fixtures', 'record-me.yaml');
const CLUSTERS = ['hub', 'spoke-1', 'spoke-2'];
// What the scenario's client wrote, and what the controllers made of the Deployment.
const COLLECTIONS = [
  '/api/v1/namespaces', '/api/v1/namespaces/demo/configmaps', '/api/v1/namespaces/demo/secrets', '/api/v1/namespaces/demo/serviceaccounts',
  '/apis/apps/v1/namespaces/demo/deployments', '/apis/apps/v1/namespaces/demo/replicasets', '/api/v1/namespaces/demo/pods',
];

type Obj = Record<string, unknown> & { metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string> };

let dir = '';
test.before(async () => { dir = await tempDir('kemu-replay-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

function prefix(cluster: string): string {
  return cluster === 'hub' ? '' : `/clusters/${cluster}`;
}

async function counts(s: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of CLUSTERS) {
    for (const path of COLLECTIONS) {
      const r = await s.req('GET', prefix(c) + path);
      out[`${c} ${path}`] = r.status === 200 ? r.json<{ items: unknown[] }>().items.length : -r.status;
    }
  }
  return out;
}

async function object(s: TestServer, cluster: string, path: string): Promise<Obj> {
  const r = await s.req('GET', prefix(cluster) + path);
  assert.is(r.status, 200, `${cluster} ${path}: ${r.text}`);
  return r.json<Obj>();
}

const SAMPLES: Array<[string, string]> = [
  ['hub', '/api/v1/namespaces/demo/configmaps/cm-3'],
  ['spoke-1', '/api/v1/namespaces/demo/configmaps/cm-2'],
  ['spoke-2', '/api/v1/namespaces/demo/secrets/s-1'],
];

test('a recorded scenario run replays onto a fresh kemu: same objects in every cluster', async () => {
  const log = join(dir, 'requests.log');
  const first = await startTestServer({ record: log, spokes: 2 });
  const caFile = join(dir, 'ca.crt');
  await writeFile(caFile, first.server.caCertPem);
  let before: Record<string, number>;
  const samples: Obj[] = [];
  try {
    const { report } = await runCommand({
      scenario: SCENARIO, scale: 1, sets: {}, out: join(dir, 'run'), progress: false,
      target: first.server.url, token: first.server.adminToken, caFile,
    });
    assert.is(report.verdict, 'pass', JSON.stringify(report.steps));
    before = await counts(first);
    for (const [c, p] of SAMPLES) samples.push(await object(first, c, p));
  } finally {
    await first.close();
  }
  assert.is(before['hub /api/v1/namespaces/demo/configmaps'], 4);
  assert.is(before['spoke-1 /api/v1/namespaces/demo/configmaps'], 5);
  assert.is(before['hub /api/v1/namespaces/demo/pods'], 2);

  // The log: one audit Event per line, mode 0600, every cluster named, bodies kept.
  assert.is((await stat(log)).mode & 0o777, 0o600);
  const events = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  assert.ok(events.length > 50, `${events.length} events`);
  for (const e of events) {
    assert.is(e.kind, 'Event');
    assert.is(e.apiVersion, 'audit.k8s.io/v1');
    assert.is(e.level, 'RequestResponse');
    assert.ok(['ResponseComplete', 'ResponseStarted'].includes(e.stage), e.stage);
    assert.match(e.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(e.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(CLUSTERS.includes(e.annotations['kemu.io/cluster']), JSON.stringify(e.annotations));
    assert.is(e.responseObject, undefined);
    assert.not.match(e.requestURI, /^\/(clusters|metrics|healthz|readyz|livez)/);
  }
  const cmCreate = events.find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.annotations['kemu.io/cluster'] === 'spoke-2');
  assert.ok(cmCreate, 'a spoke-2 configmap create');
  assert.is(cmCreate!.requestObject.kind, 'ConfigMap');
  assert.is(cmCreate!.requestURI, '/api/v1/namespaces/demo/configmaps');
  assert.match(cmCreate!.objectRef.name, /^cm-\d$/);
  assert.is(cmCreate!.responseStatus.code, 201);
  assert.is(cmCreate!.user.username, 'kemu-admin');
  const jsonPatch = events.find((e) => e.verb === 'patch' && Array.isArray(e.requestObject));
  assert.is(jsonPatch?.annotations['kemu.io/content-type'], 'application/json-patch+json');
  const apply = events.find((e) => e.verb === 'patch' && e.objectRef?.resource === 'secrets');
  assert.is(apply?.annotations['kemu.io/content-type'], 'application/apply-patch+yaml');
  assert.is(apply?.requestObject.stringData.token.startsWith('t-'), true);
  assert.ok(events.some((e) => e.verb === 'watch' && e.stage === 'ResponseStarted'), 'the wait phase\'s watch, once');
  assert.ok(events.some((e) => e.user.username.startsWith('system:serviceaccount:kube-system:')), 'controller writes recorded');

  // Replayed as fast as it goes onto a second kemu: the same objects, the same contents.
  const second = await startTestServer({ spokes: 2 });
  try {
    await writeFile(caFile, second.server.caCertPem);
    const { report } = await runReplay({
      file: log, speed: 'max', out: join(dir, 'replay'), target: second.server.url, token: second.server.adminToken, caFile,
    });
    assert.is(report.verdict, 'pass', JSON.stringify(report.responses));
    assert.is(report.counters.failed, 0);
    assert.ok(report.counters['skipped watch'] >= 1, JSON.stringify(report.counters));
    assert.ok(report.counters['skipped control-plane'] > 0, JSON.stringify(report.counters));
    assert.is(report.counters.replayed, report.counters.succeeded);
    const creates = report.requests.filter((r) => r.verb === 'create').reduce((n, r) => n + r.count, 0);
    assert.is(creates, 3 + 6 + 10 + 1);
    assert.is(report.requests.find((r) => r.verb === 'apply')?.count, 4);
    assert.is(report.requests.find((r) => r.verb === 'delete')?.count, 2);
    // The controllers of the second kemu make the Deployment's ReplicaSet and pods on their own.
    let after: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      after = await counts(second);
      if (JSON.stringify(after) === JSON.stringify(before)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(after, before);
    for (const [k, [c, p]] of SAMPLES.entries()) {
      const o = await object(second, c, p);
      assert.equal(o.metadata.labels, samples[k].metadata.labels, p);
      assert.equal(o.data, samples[k].data, p);
    }
  } finally {
    await second.close();
  }
});

test.run();
