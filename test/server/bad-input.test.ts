// Bad input: each request gets the Status kube-apiserver 1.32 sends, and nothing stored changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { httpRequest, startTestServer, type TestResponse, type TestServer } from '../helpers/server.js';

interface Obj { metadata: { name: string; resourceVersion?: string; uid?: string; creationTimestamp?: string }; data?: Record<string, string> }
interface List { metadata: { resourceVersion: string }; items: Obj[] }
interface StatusBody {
  kind: string; apiVersion: string; status: string; code: number; reason: string; message: string;
  details?: { name?: string; kind?: string; group?: string; causes?: { reason: string; message: string; field: string }[] };
}

let t: TestServer;
const CM = '/api/v1/namespaces/bad/configmaps';

test.before(async () => {
  // Controllers off: node Lease renewals and the like would move the store under the 'nothing changed' checks.
  t = await startTestServer({ spokes: 1, controllers: 'namespace' });
  const ns = await t.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad' } });
  assert.is(ns.status, 201, ns.text);
  for (const name of ['one', 'two']) {
    const r = await t.req('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });
    assert.is(r.status, 201, r.text);
  }
});
test.after(async () => {
  await t?.close();
});

/** Everything stored that a bad request could touch, with the lists' resourceVersions. */
async function snapshot(): Promise<string> {
  const parts: unknown[] = [];
  for (const path of ['/api/v1/namespaces', '/api/v1/configmaps', '/clusters/spoke-1/api/v1/namespaces', '/clusters/spoke-1/api/v1/configmaps']) {
    const r = await t.req('GET', path);
    assert.is(r.status, 200, `${path}: ${r.text}`);
    const l = r.json<List>();
    parts.push(path, l.metadata.resourceVersion, l.items);
  }
  return JSON.stringify(parts);
}

/** Runs `fn` and asserts the stored state (and the store's resourceVersion) did not change. */
async function unchanged(fn: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await fn();
  assert.is(await snapshot(), before, 'nothing stored changed');
}

function expectStatus(r: TestResponse, code: number, reason: string, message?: string | RegExp): StatusBody {
  assert.is(r.status, code, `HTTP ${r.status}: ${r.text.slice(0, 400)}`);
  assert.match(String(r.headers['content-type']), /^application\/json/, 'Status is JSON');
  const s = r.json<StatusBody>();
  assert.is(s.kind, 'Status');
  assert.is(s.apiVersion, 'v1');
  assert.is(s.status, 'Failure');
  assert.is(s.code, code);
  assert.is(s.reason, reason);
  assert.type(s.message, 'string');
  if (typeof message === 'string') assert.is(s.message, message);
  else if (message) assert.match(s.message, message);
  return s;
}

test('malformed JSON body on create: 400 BadRequest', () => unchanged(async () => {
  const r = await t.req('POST', CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"}');
  const s = expectStatus(r, 400, 'BadRequest');
  // Upstream: `the object provided is unrecognized (must be of type ConfigMap): couldn't get
  // version/kind; json parse error: unexpected end of JSON input (…)` (handlers/create.go transformDecodeError).
  assert.match(s.message, /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: .* \(\{.*\)$/);
  assert.is((await t.req('GET', `${CM}/broken`)).status, 404);
}));

test('kind in the body does not match the URL: 400 BadRequest', () => unchanged(async () => {
  const r = await t.req('POST', CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrongkind' } });
  const s = expectStatus(r, 400, 'BadRequest');
  assert.is(s.message, 'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion');
  assert.is((await t.req('GET', `${CM}/wrongkind`)).status, 404);
}));

test('apiVersion in the body does not match the URL: 400 BadRequest', () => unchanged(async () => {
  const r = await t.req('POST', CM, { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'wronggv' } });
  expectStatus(r, 400, 'BadRequest', 'the API version in the data (apps/v1) does not match the expected API version (v1)');
  assert.is((await t.req('GET', `${CM}/wronggv`)).status, 404);
}));

test('name that is not a DNS subdomain: 422 Invalid with a metadata.name cause', () => unchanged(async () => {
  const r = await t.req('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } });
  const s = expectStatus(r, 422, 'Invalid');
  assert.ok(s.message.startsWith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters'), s.message);
  assert.is(s.details?.name, 'Bad_Name');
  assert.is(s.details?.kind, 'ConfigMap');
  const cause = s.details?.causes?.[0];
  assert.ok(cause, 'has a cause');
  assert.is(cause?.field, 'metadata.name');
  assert.is(cause?.reason, 'FieldValueInvalid');
  assert.match(cause?.message ?? '', /^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
}));

test('unknown resource: 404 (plain text, as kube-apiserver answers unknown paths)', () => unchanged(async () => {
  for (const [m, body] of [['GET', undefined], ['POST', { apiVersion: 'v1', kind: 'Foo', metadata: { name: 'f' } }]] as const) {
    const r = await t.req(m, '/api/v1/foos', body);
    assert.is(r.status, 404, `${m}: ${r.text}`);
    assert.is(r.text, '404 page not found');
  }
  assert.is((await t.req('GET', '/api/v1/namespaces/bad/foos')).status, 404);
}));

test('unknown cluster: 404', () => unchanged(async () => {
  const r = await t.req('GET', '/clusters/nope/api/v1/namespaces');
  assert.is(r.status, 404, r.text);
  assert.is(r.text, '404 page not found');
  const w = await t.req('POST', '/clusters/nope/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
  assert.is(w.status, 404, w.text);
  const clusters = (await t.req('GET', '/kemu/v1/clusters')).json<{ items: { name: string }[] }>().items.map((c) => c.name);
  assert.not.ok(clusters.includes('nope'), 'no cluster was created');
}));

test('body over 3 MiB: 413 RequestEntityTooLarge', () => unchanged(async () => {
  const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024) } };
  const r = await t.req('POST', CM, big);
  expectStatus(r, 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  assert.is((await t.req('GET', `${CM}/big`)).status, 404);
}));

test('no token and a wrong token: 401 Unauthorized', () => unchanged(async () => {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'anon' } };
  for (const token of [undefined, 'not-the-token']) {
    for (const [m, path] of [['GET', CM], ['POST', CM], ['DELETE', `${CM}/one`]] as const) {
      const r = await httpRequest(t.server.url, t.server.caCertPem, token, m, path, m === 'POST' ? body : undefined);
      expectStatus(r, 401, 'Unauthorized', 'Unauthorized');
    }
  }
  assert.is((await t.req('GET', `${CM}/one`)).status, 200, 'the delete did not happen');
}));

test('stale resourceVersion on PUT: 409 Conflict with the optimistic-lock message', async () => {
  const got = (await t.req('GET', `${CM}/two`)).json<Obj>();
  const fresh = await t.req('PUT', `${CM}/two`, { ...got, data: { k: 'newer' } });
  assert.is(fresh.status, 200, fresh.text);
  assert.ok(Number(fresh.json<Obj>().metadata.resourceVersion) > Number(got.metadata.resourceVersion));
  await unchanged(async () => {
    const r = await t.req('PUT', `${CM}/two`, { ...got, data: { k: 'stale' } });
    const s = expectStatus(r, 409, 'Conflict', 'Operation cannot be fulfilled on configmaps "two": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal(s.details, { name: 'two', kind: 'configmaps' });
  });
  assert.equal((await t.req('GET', `${CM}/two`)).json<Obj>().data, { k: 'newer' });
});

test('create in a missing namespace: 404 namespaces "nope" not found', () => unchanged(async () => {
  const r = await t.req('POST', '/api/v1/namespaces/nope/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  const s = expectStatus(r, 404, 'NotFound', 'namespaces "nope" not found');
  assert.equal(s.details, { name: 'nope', kind: 'namespaces' });
  assert.is((await t.req('GET', '/api/v1/namespaces/nope')).status, 404, 'the namespace was not created');
}));

test('invalid label selector: 400 BadRequest', () => unchanged(async () => {
  for (const sel of ['a in (b', 'a=b=c', '!']) {
    const r = await t.req('GET', `${CM}?labelSelector=${encodeURIComponent(sel)}`);
    expectStatus(r, 400, 'BadRequest');
  }
}));

test('invalid continue token: 400 BadRequest', () => unchanged(async () => {
  for (const tok of ['garbage', Buffer.from('{"v":"meta.k8s.io/v1"').toString('base64url')]) {
    const r = await t.req('GET', `${CM}?limit=1&continue=${encodeURIComponent(tok)}`);
    expectStatus(r, 400, 'BadRequest', /^invalid continue token: continue key is not valid/);
  }
}));

test('dryRun=All create: 201 with a uid, nothing stored', async () => {
  let uid: string | undefined;
  await unchanged(async () => {
    const r = await t.req('POST', `${CM}?dryRun=All`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' }, data: { a: 'b' } });
    assert.is(r.status, 201, r.text);
    const o = r.json<Obj>();
    assert.is(o.metadata.name, 'dry');
    assert.ok(o.metadata.uid, 'uid set');
    assert.ok(o.metadata.creationTimestamp, 'creationTimestamp set');
    assert.is(o.metadata.resourceVersion, undefined, 'no resourceVersion on a dry-run create');
    uid = o.metadata.uid;
    assert.is((await t.req('GET', `${CM}/dry`)).status, 404, 'not stored');
  });
  const real = await t.req('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } });
  assert.is(real.status, 201, `the name is still free: ${real.text}`);
  assert.is.not(real.json<Obj>().metadata.uid, uid);
});

test.run();
