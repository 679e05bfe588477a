// Flow control end to end: API Priority and Fairness and the classic max-in-flight filter
// rejecting a burst with the 429 a real apiserver writes (plain text, Retry-After, the PF
// headers), the bootstrap objects being real and editable, the debug dumps, injected faults
// through the admin API, and clients that retry: kubectl (client-go honours Retry-After) and
// @kubernetes/client-node (which surfaces the 429 for its caller to retry).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { seededRng } from '../../model/rng.js';
import { Kubectl } from '../helpers/kubectl.js';
import { httpRequest, startTestServer, tempDir, type TestResponse, type TestServer } from '../helpers/server.js';

const TOKENS = '# token,user,uid,groups\nalice-token,alice,1001\n';
const CM = '/api/v1/namespaces/default/configmaps';

async function serverWith(opts: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const dir = await tempDir('kemu-apf-');
  const tokensFile = join(dir, 'tokens.csv');
  await writeFile(tokensFile, TOKENS);
  return startTestServer({ dataDir: dir, tokensFile, spokes: 0, ...opts });
}

const asAlice = (ts: TestServer, method: string, path: string, body?: unknown): Promise<TestResponse> =>
  httpRequest(ts.server.url, ts.server.caCertPem, 'alice-token', method, path, body);

async function slowCreates(ts: TestServer, ms: number): Promise<void> {
  const res = await ts.req('PUT', '/kemu/v1/faults', { rules: [{ name: 'slow-creates', match: { verbs: ['create'], resources: ['configmaps'] }, action: { type: 'latency', ms } }] });
  assert.is(res.status, 200, res.text);
}

test('APF: the bootstrap objects are stored, classify requests, and set the PF headers', async () => {
  const ts = await serverWith({});
  try {
    const pls = (await ts.req('GET', '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations')).json<{ items: { metadata: { name: string; uid: string } }[] }>();
    assert.equal(pls.items.map((p) => p.metadata.name).sort(), ['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
    const fss = (await ts.req('GET', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas')).json<{ items: { metadata: { name: string; uid: string } }[] }>();
    const res = await asAlice(ts, 'GET', CM);
    assert.is(res.status, 200);
    const globalDefault = fss.items.find((f) => f.metadata.name === 'global-default')!;
    assert.is(res.headers['x-kubernetes-pf-flowschema-uid'], globalDefault.metadata.uid);
    assert.is(res.headers['x-kubernetes-pf-prioritylevel-uid'], pls.items.find((p) => p.metadata.name === 'global-default')!.metadata.uid);
    const admin = await ts.req('GET', CM);
    assert.is(admin.headers['x-kubernetes-pf-flowschema-uid'], fss.items.find((f) => f.metadata.name === 'exempt')!.metadata.uid);
    const dump = await ts.req('GET', '/debug/api_priority_and_fairness/dump_priority_levels');
    assert.is(dump.status, 200);
    assert.match(dump.text, /^PriorityLevelName, ActiveQueues, IsIdle, IsQuiescing, WaitingRequests, ExecutingRequests/);
    assert.match(dump.text, /global-default,/);
  } finally {
    await ts.close();
  }
});

test('APF: a burst from one user beyond its level\'s seats and queue wait gets plain-text 429s with Retry-After', async () => {
  // 20 + 20 seats in all: global-default's nominal share is ceil(40 * 20 / 245) = 4, which
  // borrowing can move a few seats either way; 12 requests holding a seat 300 ms each, with
  // 250 ms to wait, cannot all be served.
  const ts = await serverWith({ maxRequestsInflight: 20, maxMutatingRequestsInflight: 20 });
  try {
    await slowCreates(ts, 300);
    // ?timeout=1s: a request may wait a quarter of its deadline in a queue.
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => asAlice(ts, 'POST', `${CM}?timeout=1s`, { metadata: { name: `burst-${i}` } })));
    const rejected = all.filter((r) => r.status === 429);
    const created = all.filter((r) => r.status === 201);
    assert.is(created.length + rejected.length, 12);
    assert.ok(created.length >= 2 && rejected.length >= 4, `created ${created.length}, rejected ${rejected.length}`);
    for (const r of rejected) {
      assert.is(r.text, 'Too many requests, please try again later.\n');
      assert.match(String(r.headers['content-type']), /^text\/plain/);
      assert.match(String(r.headers['retry-after']), /^\d+$/);
      assert.ok(r.headers['x-kubernetes-pf-flowschema-uid']);
      assert.ok(r.headers['x-kubernetes-pf-prioritylevel-uid']);
    }
    const metrics = (await ts.req('GET', '/metrics')).text;
    assert.match(metrics, /apiserver_flowcontrol_rejected_requests_total\{priority_level="global-default",flow_schema="global-default",reason="time-out",cluster="hub"\} \d+/);
    // Faults apply to admitted requests only, after flow control.
    assert.match(metrics, new RegExp(`kemu_injected_faults_total\\{rule="slow-creates",action="latency"\\} ${created.length}\n`));
    // The admin (system:masters) is exempt and never waits.
    assert.is((await ts.req('POST', CM, { metadata: { name: 'admin-ok' } })).status, 201);
  } finally {
    await ts.close();
  }
});

test('APF configuration is live: a PriorityLevelConfiguration edited with Reject answers concurrency-limit', async () => {
  const ts = await serverWith({ maxRequestsInflight: 20, maxMutatingRequestsInflight: 20 });
  try {
    const path = '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations/global-default';
    const patched = await ts.req('PATCH', path, { spec: { limited: { limitResponse: { type: 'Reject', queuing: null } } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.is(patched.status, 200, patched.text);
    await slowCreates(ts, 300);
    const all = await Promise.all(Array.from({ length: 6 }, (_, i) => asAlice(ts, 'POST', CM, { metadata: { name: `r-${i}` } })));
    const statuses = all.map((r) => r.status);
    assert.ok(statuses.includes(201) && statuses.includes(429), statuses.join(','));
    const metrics = (await ts.req('GET', '/metrics')).text;
    assert.match(metrics, /apiserver_flowcontrol_rejected_requests_total\{priority_level="global-default",flow_schema="global-default",reason="concurrency-limit",cluster="hub"\} [1-9]/);
  } finally {
    await ts.close();
  }
});

test('--enable-priority-and-fairness=false: max-in-flight rejects mutating requests over the limit with Retry-After 1', async () => {
  // Controllers off: their writes (Lease renewals) would take mutating slots too.
  const ts = await serverWith({ enablePriorityAndFairness: false, maxRequestsInflight: 10, maxMutatingRequestsInflight: 2, controllers: 'namespace' });
  try {
    await slowCreates(ts, 200);
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => asAlice(ts, 'POST', CM, { metadata: { name: `m-${i}` } })));
    const statuses = all.map((r) => r.status).sort();
    assert.equal(statuses, [201, 201, 429, 429, 429, 429, 429, 429]);
    const rejected = all.find((r) => r.status === 429)!;
    assert.is(rejected.headers['retry-after'], '1');
    assert.is(rejected.headers['x-kubernetes-pf-flowschema-uid'], undefined);
    // Reads have their own limit and are not affected.
    assert.is((await asAlice(ts, 'GET', CM)).status, 200);
    // Watches are long-running and exempt from the limits.
    assert.is((await asAlice(ts, 'GET', `${CM}?watch=1&timeoutSeconds=1`)).status, 200);
  } finally {
    await ts.close();
  }
});

test('injected 429s: kubectl (client-go) retries after Retry-After and succeeds; client-node surfaces the 429', async () => {
  const ts = await serverWith({ rng: seededRng(7) });
  const k = await Kubectl.create(ts);
  try {
    const put = await ts.req('PUT', '/kemu/v1/faults', { rules: [{
      name: 'throttle-kubectl', match: { verbs: ['create'], resources: ['configmaps'] }, probability: 0.5,
      action: { type: 'tooManyRequests', retryAfterSeconds: 1 },
    }] });
    assert.is(put.status, 200, put.text);
    for (let i = 0; i < 3; i++) {
      assert.is(await k.ok('hub', '-n', 'default', 'create', 'configmap', `kc-${i}`, '--from-literal=a=b'), `configmap/kc-${i} created\n`);
    }
    const fired = /kemu_injected_faults_total\{rule="throttle-kubectl",action="tooManyRequests"\} (\d+)/.exec((await ts.req('GET', '/metrics')).text);
    assert.ok(fired && Number(fired[1]) >= 1, 'no 429 was injected, so no retry was exercised');

    // client-node has no retry of its own: it surfaces the 429 with its Retry-After, the caller
    // waits and retries. The overload ends (the rule is cleared) while it waits.
    await ts.req('PUT', '/kemu/v1/faults', { rules: [{ name: 'throttle-all', match: { verbs: ['create'] }, action: { type: 'tooManyRequests', retryAfterSeconds: 1 } }] });
    const kc = new KubeConfig();
    kc.loadFromFile(ts.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const create = () => api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client-node' } } });
    const err = await create().then(() => undefined, (e: unknown) => e as { code?: number; headers?: Record<string, string> });
    assert.ok(err, 'the first create should have been throttled');
    assert.is(err.code, 429);
    assert.is(err.headers?.['retry-after'], '1');
    await ts.req('PUT', '/kemu/v1/faults', { rules: [] });
    await new Promise((r) => setTimeout(r, 1000 * Number(err.headers?.['retry-after'])));
    const made = await create();
    assert.is(made.metadata?.name, 'from-client-node');
  } finally {
    await k.close();
    await ts.close();
  }
});

test('injected watch faults: a watch cut after N events, and a 410 that forces a relist', async () => {
  const ts = await serverWith({});
  try {
    for (const name of ['w1', 'w2', 'w3']) assert.is((await ts.req('POST', CM, { metadata: { name } })).status, 201);
    await ts.req('PUT', '/kemu/v1/faults', { rules: [{ name: 'cut', match: { verbs: ['watch'] }, action: { type: 'cutWatch', afterEvents: 2 } }] });
    const cut = await ts.req('GET', `${CM}?watch=1&timeoutSeconds=5`);
    assert.equal(cut.text.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type), ['ADDED', 'ADDED']);
    await ts.req('PUT', '/kemu/v1/faults', { rules: [{ name: 'expire', match: { verbs: ['watch'] }, action: { type: 'expireWatch', afterEvents: 1, reason: 'Expired' } }] });
    const expired = await ts.req('GET', `${CM}?watch=1&timeoutSeconds=5`);
    const events = expired.text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { code?: number; reason?: string } });
    assert.equal(events.map((e) => e.type), ['ADDED', 'ERROR']);
    assert.is(events[1].object.code, 410);
    assert.is(events[1].object.reason, 'Expired');
  } finally {
    await ts.close();
  }
});

test.run();
