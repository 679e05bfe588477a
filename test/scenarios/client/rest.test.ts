// The REST client against a real kemu: every verb, client-side QPS, a 429 fault retried as its
// Retry-After says, the User-Agent, and metrics that count exactly what was sent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { ClientMetrics } from '../../../scenarios/client/metrics.js';
import { resourceRef } from '../../../scenarios/client/resource.js';
import { RestClient, Transport } from '../../../scenarios/client/rest.js';
import { defaultUserAgent } from '../../../scenarios/client/wire.js';
import { fromKemu } from '../../../scenarios/client/target.js';

const CONFIGMAPS = resourceRef('v1', 'configmaps');
const SECRETS = resourceRef('v1', 'secrets');
const NAMESPACES = resourceRef('v1', 'namespaces', false);

interface Obj {
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; managedFields?: Array<{ manager: string; operation: string }> };
  data?: Record<string, string>;
}

let ts: TestServer;
let transport: Transport;

test.before(async () => {
  ts = await startTestServer();
  transport = new Transport({ connections: 4 });
});

test.after(async () => {
  await transport.close();
  await ts.close();
});

function client(opts: Partial<ConstructorParameters<typeof RestClient>[0]> = {}, cluster = 'hub'): RestClient {
  const target = fromKemu(ts.server.url, ts.server.caCertPem, ts.server.adminToken, ['hub', 'spoke-1']);
  return new RestClient({ connection: target.connection(cluster), transport, qps: 0, ...opts });
}

test('create, get, list, update, patch (merge, strategic, json), apply, delete', async () => {
  const metrics = new ClientMetrics();
  const c = client({ metrics }, 'spoke-1');
  const created = await c.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: '1' } });
  assert.equal(created.status, 201);
  assert.equal(created.retries, 0);
  assert.equal((created.body as Obj).metadata.name, 'cm1');

  const got = await c.get(CONFIGMAPS, 'default', 'cm1');
  assert.equal(got.status, 200);
  assert.equal((got.body as Obj).data, { a: '1' });
  assert.match(String(got.headers['content-type']), /application\/json/);

  const listed = await c.list(CONFIGMAPS, 'default');
  assert.equal(listed.status, 200);
  assert.ok((listed.body as { items: Obj[] }).items.some((o) => o.metadata.name === 'cm1'));

  const obj = got.body as Obj;
  const updated = await c.update(CONFIGMAPS, 'default', 'cm1', { ...obj, data: { a: '2' } });
  assert.equal(updated.status, 200);
  assert.equal((updated.body as Obj).data, { a: '2' });
  // A stale resourceVersion is a 409 answer, not an exception.
  const stale = await c.update(CONFIGMAPS, 'default', 'cm1', { ...obj, data: { a: '3' } });
  assert.equal(stale.status, 409);
  assert.equal((stale.body as { reason: string }).reason, 'Conflict');

  assert.equal((await c.patch(CONFIGMAPS, 'default', 'cm1', 'merge', { data: { b: 'm' } })).status, 200);
  assert.equal((await c.patch(CONFIGMAPS, 'default', 'cm1', 'strategic', { metadata: { labels: { s: 'y' } } })).status, 200);
  const jp = await c.patch(CONFIGMAPS, 'default', 'cm1', 'json', [{ op: 'add', path: '/data/c', value: 'j' }]);
  assert.equal(jp.status, 200);
  assert.equal((jp.body as Obj).data, { a: '2', b: 'm', c: 'j' });
  assert.equal((jp.body as Obj).metadata.labels, { s: 'y' });

  const applied = await c.apply(CONFIGMAPS, 'default', 'cm2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2' }, data: { x: '1' } }, { fieldManager: 'loadtest', force: true });
  assert.equal(applied.status, 201);
  assert.ok((applied.body as Obj).metadata.managedFields?.some((m) => m.manager === 'loadtest' && m.operation === 'Apply'));

  assert.equal((await c.delete(CONFIGMAPS, 'default', 'cm1')).status, 200);
  const gone = await c.get(CONFIGMAPS, 'default', 'cm1');
  assert.equal(gone.status, 404);
  assert.equal((gone.body as { reason: string }).reason, 'NotFound');
  // The hub never saw these.
  assert.equal((await client().get(CONFIGMAPS, 'default', 'cm2')).status, 404);

  const byKey = new Map(metrics.summary().map((s) => [`${s.verb} ${s.resource}`, s]));
  assert.equal([...byKey.keys()].sort(), ['apply configmaps', 'create configmaps', 'delete configmaps', 'get configmaps', 'list configmaps', 'patch configmaps', 'update configmaps']);
  assert.equal(byKey.get('get configmaps')?.count, 2);
  assert.equal(byKey.get('get configmaps')?.errors, 1);
  assert.equal(byKey.get('update configmaps')?.count, 2);
  assert.equal(byKey.get('update configmaps')?.errors, 1);
  assert.equal(byKey.get('patch configmaps')?.count, 3);
  assert.equal(metrics.total().count, 11);
  assert.equal(metrics.total().errors, 2);
  assert.equal(metrics.total(['get', 'list']).count, 3);
  assert.equal(metrics.responses(), [{ code: 404, reason: 'NotFound', count: 1 }, { code: 409, reason: 'Conflict', count: 1 }]);
  for (const s of metrics.summary()) assert.ok(s.p50Ms > 0 && s.p99Ms >= s.p50Ms && s.maxMs >= s.p99Ms, `${s.verb}: ${JSON.stringify(s)}`);
  // The limiter is off (qps 0): no waits recorded.
  assert.equal(metrics.rateLimiterSummary().count, 0);
});

test('User-Agent: client-go shaped by default, configurable; it names the field manager', async () => {
  assert.match(defaultUserAgent('demo'), /^kemu-loadclient\/v\d+\.\d+\.\d+ \([a-z0-9]+\/[a-z0-9]+\) kemu\/demo$/);
  const c = client({ userAgent: 'my-operator/v9 (linux/amd64) kemu/x' });
  const r = await c.create(CONFIGMAPS, 'default', { metadata: { name: 'ua' }, data: { k: 'v' } });
  assert.equal(r.status, 201);
  assert.equal((r.body as Obj).metadata.managedFields?.[0].manager, 'my-operator');
});

test('client-side QPS: qps 20 burst 5 spreads 45 requests over at least ~2 s, and records the waits', async () => {
  const metrics = new ClientMetrics();
  const c = client({ qps: 20, burst: 5, metrics });
  const started = Date.now();
  const rs = await Promise.all(Array.from({ length: 45 }, () => c.get(NAMESPACES, undefined, 'default')));
  const elapsed = Date.now() - started;
  assert.ok(rs.every((r) => r.status === 200));
  // 5 from the burst, then 40 tokens at 20/s: 2 s.
  assert.ok(elapsed >= 1800, `took ${elapsed} ms`);
  const waits = metrics.rateLimiterSummary();
  assert.equal(waits.count, 45);
  assert.ok(waits.maxMs >= 1800, `longest wait ${waits.maxMs} ms`);
  // Latency excludes the limiter's wait: the server answers these in far less than the waits.
  assert.ok(metrics.total().p50Ms < waits.maxMs);
});

test('a shared limiter is shared: two clusters draw from one bucket', async () => {
  const { TokenBucketRateLimiter } = await import('../../../model/workqueue/token-bucket.js');
  const { realClock } = await import('../../../model/clock.js');
  const limiter = new TokenBucketRateLimiter(10, 2, realClock);
  const a = client({ rateLimiter: limiter });
  const b = client({ rateLimiter: limiter }, 'spoke-1');
  const started = Date.now();
  await Promise.all([...Array.from({ length: 6 }, () => a.get(NAMESPACES, undefined, 'default')), ...Array.from({ length: 6 }, () => b.get(NAMESPACES, undefined, 'default'))]);
  // 2 from the burst, 10 more at 10/s.
  assert.ok(Date.now() - started >= 900, `took ${Date.now() - started} ms`);
});

test('429 from a kemu fault: retried after Retry-After up to maxRetries, then the 429 is the answer', async () => {
  const put = await ts.req('PUT', '/kemu/v1/faults', { rules: [{ name: 'throttle-secrets', match: { verbs: ['create'], resources: ['secrets'] }, action: { type: 'tooManyRequests', retryAfterSeconds: 1 } }] });
  assert.equal(put.status, 200);
  try {
    const metrics = new ClientMetrics();
    const c = client({ metrics, maxRetries: 1 });
    const started = Date.now();
    const r = await c.create(SECRETS, 'default', { metadata: { name: 's1' } });
    assert.equal(r.status, 429);
    assert.equal(r.retries, 1);
    assert.equal(r.headers['retry-after'], '1');
    assert.ok(Date.now() - started >= 950, `took ${Date.now() - started} ms`);
    assert.equal(metrics.retryAfterStats(), { count: 1, maxSeconds: 1, totalWaitSeconds: 1 });
    assert.equal(metrics.responses(), [{ code: 429, reason: 'TooManyRequests', count: 2 }]);
    const [s] = metrics.summary();
    assert.equal([s.verb, s.resource, s.count, s.errors, s.retries], ['create', 'secrets', 1, 1, 1]);
    // Latency includes the retry's wait.
    assert.ok(s.maxMs >= 950, `latency ${s.maxMs} ms`);
    assert.equal(metrics.sample().throttledPerSecond > 0, true);
  } finally {
    await ts.req('PUT', '/kemu/v1/faults', { rules: [] });
  }
});

test('sampler: per-verb rates and interval percentiles, reset at each sample', async () => {
  let now = 0;
  const metrics = new ClientMetrics(() => now);
  const c = client({ metrics });
  for (let i = 0; i < 4; i++) await c.get(NAMESPACES, undefined, 'default');
  await c.list(NAMESPACES);
  now = 2000;
  const s = metrics.sample();
  assert.equal(s.intervalSeconds, 2);
  assert.equal(s.requestsPerSecond, { get: 2, list: 0.5 });
  assert.ok(s.p50Ms !== null && s.p99Ms !== null && s.p99Ms >= s.p50Ms);
  now = 3000;
  const empty = metrics.sample();
  assert.equal(empty.requestsPerSecond, {});
  assert.equal(empty.p50Ms, null);
  assert.equal(metrics.total().count, 5);
});

test('discardBody leaves 2xx bodies unparsed but still parses errors', async () => {
  const c = client();
  const ok = await c.request({ verb: 'get', resource: 'namespaces', method: 'GET', path: '/api/v1/namespaces/default', discardBody: true });
  assert.equal([ok.status, ok.body], [200, undefined]);
  const missing = await c.request({ verb: 'get', resource: 'namespaces', method: 'GET', path: '/api/v1/namespaces/nope', discardBody: true });
  assert.equal(missing.status, 404);
  assert.equal((missing.body as { reason: string }).reason, 'NotFound');
});

test('a bad token is a 401 answer; an unreachable server a status-0 answer with the error code', async () => {
  const target = fromKemu(ts.server.url, ts.server.caCertPem, 'wrong', ['hub']);
  const r = await new RestClient({ connection: target.connection('hub'), transport, qps: 0 }).get(NAMESPACES, undefined, 'default');
  assert.equal(r.status, 401);
  const dead = new RestClient({ connection: { cluster: 'hub', baseUrl: 'https://127.0.0.1:1', insecureSkipTLSVerify: true }, qps: 0 });
  try {
    const d = await dead.get(NAMESPACES, undefined, 'default');
    assert.equal(d.status, 0);
    assert.equal(d.retries, 0);
    assert.match(d.error ?? '', /^ECONNREFUSED/);
  } finally {
    await dead.close();
  }
});

test.run();
