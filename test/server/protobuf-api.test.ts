// A protobuf client against a running kemu, written with protobufjs and the .proto files
// alone (none of kemu's codec): what client-go does with
// `Accept: application/vnd.kubernetes.protobuf, application/json`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import WebSocket from 'ws';
import { fixturesDir } from '../../model/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const PB = 'application/vnd.kubernetes.protobuf';
const CLIENT_GO_ACCEPT = `${PB}, application/json`;
const MAGIC = Buffer.from('k8s\0', 'latin1');
const CM = '/api/v1/namespaces/default/configmaps';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const GADGETS = '/apis/example.com/v1/namespaces/default/gadgets';

let ts: TestServer;

const root = new protobuf.Root();
const protoDir = join(fixturesDir(), 'k8s', 'proto');
root.resolvePath = (_origin, target) => join(protoDir, target);
root.loadSync([
  'k8s.io/api/core/v1/generated.proto',
  'k8s.io/api/autoscaling/v1/generated.proto',
  'k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/generated.proto',
], { keepCase: true });
const Unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
const WatchEvent = root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent');
const TYPES: Record<string, protobuf.Type> = {
  ConfigMap: root.lookupType('k8s.io.api.core.v1.ConfigMap'),
  ConfigMapList: root.lookupType('k8s.io.api.core.v1.ConfigMapList'),
  Status: root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.Status'),
  Scale: root.lookupType('k8s.io.api.autoscaling.v1.Scale'),
  CustomResourceDefinition: root.lookupType('k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'),
};

// Test-only: decoded messages are checked structurally, so untyped access keeps assertions short.
type Msg = Record<string, any>;

function toObject(t: protobuf.Type, bytes: Uint8Array): Msg {
  return t.toObject(t.decode(bytes), { longs: Number, bytes: String }) as Msg;
}

/** "k8s\0" + Unknown{typeMeta, raw} of a ConfigMap-like object, encoded by protobufjs. */
function body(apiVersion: string, kind: string, obj: Msg): Buffer {
  const t = TYPES[kind];
  const raw = t.encode(t.fromObject(obj)).finish();
  return Buffer.concat([MAGIC, Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish()]);
}

/** The envelope's kind and the object in it. */
function decode(bytes: Buffer): { apiVersion: string; kind: string; object: Msg } {
  assert.ok(bytes.subarray(0, 4).equals(MAGIC), `no k8s\\0 prefix: ${bytes.subarray(0, 16).toString('hex')}`);
  const unk = toObject(Unknown, bytes.subarray(4));
  const { apiVersion, kind } = unk.typeMeta as { apiVersion: string; kind: string };
  assert.is(unk.contentType, '');
  return { apiVersion, kind, object: toObject(TYPES[kind], Buffer.from(unk.raw as string, 'base64')) };
}

interface Answer { status: number; type: string; bytes: Buffer }

function call(method: string, path: string, opts: { body?: Buffer; contentType?: string; accept?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${ts.server.adminToken}`, Accept: opts.accept ?? CLIENT_GO_ACCEPT };
  if (opts.body) headers['Content-Type'] = opts.contentType ?? PB;
  return new Promise((resolve, reject) => {
    const r = request(new URL(path, ts.server.url), { method, ca: ts.server.caCertPem, headers } satisfies RequestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), bytes: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}

interface Event { type: string; kind: string; object: Msg }

/** A protobuf watch: length-prefixed WatchEvents whose objects are whole k8s\0 bodies. */
function watch(path: string): Promise<{ type: string; waitFor(n: number): Promise<Event[]>; close(): void }> {
  return new Promise((resolve, reject) => {
    const events: Event[] = [];
    let pending = Buffer.alloc(0);
    const waiters: (() => void)[] = [];
    const r = request(new URL(path, ts.server.url), {
      ca: ts.server.caCertPem, headers: { Authorization: `Bearer ${ts.server.adminToken}`, Accept: CLIENT_GO_ACCEPT },
    }, (res) => {
      res.on('data', (c: Buffer) => {
        pending = Buffer.concat([pending, c]);
        while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
          const n = pending.readUInt32BE(0);
          const e = toObject(WatchEvent, pending.subarray(4, 4 + n));
          pending = pending.subarray(4 + n);
          const inner = decode(Buffer.from((e.object as { raw: string }).raw, 'base64'));
          events.push({ type: e.type as string, kind: inner.kind, object: inner.object });
        }
        for (const w of [...waiters]) w();
      });
      resolve({
        type: String(res.headers['content-type']),
        waitFor: (n) => new Promise((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`only ${events.length} of ${n} events: ${events.map((e) => e.type).join(',')}`)), 5000);
          const check = (): void => {
            if (events.length >= n) { clearTimeout(timer); ok(events.slice(0, n)); }
          };
          waiters.push(check);
          check();
        }),
        close: () => r.destroy(),
      });
    });
    r.on('error', (err) => { if (!r.destroyed) reject(err); });
    r.end();
  });
}

test.before(async () => {
  ts = await startTestServer({ watchWindow: 4 });
});

test.after(async () => {
  await ts.close();
});

test('create, get, update and list a ConfigMap in protobuf', async () => {
  const created = await call('POST', CM, { body: body('v1', 'ConfigMap', { metadata: { name: 'pb1' }, data: { a: 'b' } }) });
  assert.is(created.status, 201, created.bytes.toString());
  assert.is(created.type, PB);
  const c = decode(created.bytes);
  assert.equal([c.apiVersion, c.kind], ['v1', 'ConfigMap']);
  assert.is(c.object.metadata.name, 'pb1');
  assert.ok(Number(c.object.metadata.resourceVersion) > 0);
  assert.ok(c.object.metadata.creationTimestamp.seconds > 1_600_000_000);
  assert.equal(c.object.data, { a: 'b' });

  const got = await call('GET', `${CM}/pb1`);
  assert.is(got.type, PB);
  assert.ok(got.bytes.equals(created.bytes), 'GET answers the bytes the create answered');

  const updated = await call('PUT', `${CM}/pb1`, { body: body('v1', 'ConfigMap', { ...c.object, data: { a: 'c' } }) });
  assert.is(updated.status, 200);
  const u = decode(updated.bytes);
  assert.equal(u.object.data, { a: 'c' });
  assert.ok(Number(u.object.metadata.resourceVersion) > Number(c.object.metadata.resourceVersion));

  const listed = await call('GET', CM);
  assert.is(listed.type, PB);
  const l = decode(listed.bytes);
  assert.equal([l.apiVersion, l.kind], ['v1', 'ConfigMapList']);
  assert.ok(Number(l.object.metadata.resourceVersion) >= Number(u.object.metadata.resourceVersion));
  const pb1 = (l.object.items as Msg[]).find((i) => i.metadata.name === 'pb1');
  assert.equal(pb1?.data, { a: 'c' });
  // The list carries the same message the GET's envelope carries.
  const asJSON = await ts.req('GET', `${CM}/pb1`);
  assert.is(asJSON.json<{ data: Record<string, string> }>().data.a, 'c');
});

test('paged lists carry continue and remainingItemCount in ListMeta', async () => {
  for (const n of ['pg1', 'pg2', 'pg3']) await call('POST', CM, { body: body('v1', 'ConfigMap', { metadata: { name: n } }) });
  const page = decode((await call('GET', `${CM}?limit=1`)).bytes).object;
  assert.is(page.items.length, 1);
  assert.ok(page.metadata.continue);
  assert.ok(page.metadata.remainingItemCount >= 2);
});

test('errors are metav1.Status in protobuf', async () => {
  const missing = await call('GET', `${CM}/nope`);
  assert.is(missing.status, 404);
  assert.is(missing.type, PB);
  const s = decode(missing.bytes);
  assert.equal([s.apiVersion, s.kind], ['v1', 'Status']);
  assert.equal([s.object.status, s.object.reason, s.object.code], ['Failure', 'NotFound', 404]);
  assert.is(s.object.message, 'configmaps "nope" not found');
  // Go writes StatusDetails' value fields even when empty.
  assert.equal(s.object.details, { name: 'nope', group: '', kind: 'configmaps', uid: '', retryAfterSeconds: 0 });

  const again = await call('POST', CM, { body: body('v1', 'ConfigMap', { metadata: { name: 'pb1' } }) });
  assert.is(again.status, 409);
  assert.equal([decode(again.bytes).object.reason, decode(again.bytes).object.code], ['AlreadyExists', 409]);

  const deleted = await call('DELETE', `${CM}/pg3`);
  assert.is(deleted.status, 200);
  const gone = decode(deleted.bytes);
  assert.equal([gone.kind, gone.object.status, gone.object.details.name], ['Status', 'Success', 'pg3']);
});

test('the scale subresource reads and writes autoscaling/v1 Scale in protobuf', async () => {
  const rc = '/api/v1/namespaces/default/replicationcontrollers';
  const made = await ts.req('POST', rc, { metadata: { name: 'rc1' }, spec: { replicas: 1, selector: { a: 'b' }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  assert.is(made.status, 201, made.text);
  const got = decode((await call('GET', `${rc}/rc1/scale`)).bytes);
  assert.equal([got.apiVersion, got.kind, got.object.spec.replicas], ['autoscaling/v1', 'Scale', 1]);
  const put = await call('PUT', `${rc}/rc1/scale`, { body: body('autoscaling/v1', 'Scale', { ...got.object, spec: { replicas: 3 } }) });
  assert.is(put.status, 200, put.bytes.toString());
  assert.is(decode(put.bytes).object.spec.replicas, 3);
  assert.is((await ts.req('GET', `${rc}/rc1`)).json<{ spec: { replicas: number } }>().spec.replicas, 3);
});

test('a protobuf watch frames events as kube-apiserver does', async () => {
  const rv = decode((await call('GET', CM)).bytes).object.metadata.resourceVersion as string;
  const w = await watch(`${CM}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
  assert.is(w.type, `${PB};stream=watch`);
  await call('POST', CM, { body: body('v1', 'ConfigMap', { metadata: { name: 'w1' }, data: { x: '1' } }) });
  await call('PUT', `${CM}/w1`, { body: body('v1', 'ConfigMap', { metadata: { name: 'w1' }, data: { x: '2' } }) });
  await call('DELETE', `${CM}/w1`);
  const events = await w.waitFor(3);
  w.close();
  assert.equal(events.map((e) => [e.type, e.kind, e.object.metadata.name]), [
    ['ADDED', 'ConfigMap', 'w1'], ['MODIFIED', 'ConfigMap', 'w1'], ['DELETED', 'ConfigMap', 'w1'],
  ]);
  assert.equal(events[1].object.data, { x: '2' });
});

test('initial events end with a bookmark of the watched kind', async () => {
  const w = await watch(`${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  const listed = decode((await call('GET', CM)).bytes).object.items as Msg[];
  const events = await w.waitFor(listed.length + 1);
  w.close();
  assert.equal(events.slice(0, -1).map((e) => e.type), listed.map(() => 'ADDED'));
  const bookmark = events[events.length - 1];
  assert.equal([bookmark.type, bookmark.kind], ['BOOKMARK', 'ConfigMap']);
  assert.equal(bookmark.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
  assert.ok(Number(bookmark.object.metadata.resourceVersion) > 0);
});

test('a watch from a resourceVersion out of the window gets an ERROR event with a 410 Status', async () => {
  const first = decode((await call('POST', CM, { body: body('v1', 'ConfigMap', { metadata: { name: 'old0' } }) })).bytes);
  for (let i = 1; i <= 5; i++) await call('POST', CM, { body: body('v1', 'ConfigMap', { metadata: { name: `old${i}` } }) });
  const w = await watch(`${CM}?watch=true&resourceVersion=${first.object.metadata.resourceVersion as string}`);
  const [e] = await w.waitFor(1);
  w.close();
  assert.equal([e.type, e.kind, e.object.code, e.object.reason], ['ERROR', 'Status', 410, 'Expired']);
});

test('a protobuf watch over a WebSocket is one binary WatchEvent per message, without the length', async () => {
  const rv = decode((await call('GET', CM)).bytes).object.metadata.resourceVersion as string;
  const url = `${ts.server.url.replace('https://', 'wss://')}${CM}?watch=true&resourceVersion=${rv}`;
  const socket = new WebSocket(url, { ca: ts.server.caCertPem, headers: { Authorization: `Bearer ${ts.server.adminToken}`, Accept: CLIENT_GO_ACCEPT } });
  const got = new Promise<{ binary: boolean; data: Buffer }>((resolve, reject) => {
    socket.on('message', (data: Buffer, binary: boolean) => resolve({ binary, data }));
    socket.on('error', reject);
  });
  await new Promise((r) => socket.on('open', r));
  await call('POST', CM, { body: body('v1', 'ConfigMap', { metadata: { name: 'ws1' } }) });
  const { binary, data } = await got;
  socket.close();
  assert.ok(binary);
  const e = toObject(WatchEvent, data);
  assert.is(e.type, 'ADDED');
  assert.is(decode(Buffer.from(e.object.raw as string, 'base64')).object.metadata.name, 'ws1');
});

test('Accept q-values choose between protobuf and JSON', async () => {
  const pbFirst = await call('GET', `${CM}/pb1`, { accept: `application/json;q=0.5, ${PB}` });
  assert.is(pbFirst.type, PB);
  const jsonFirst = await call('GET', `${CM}/pb1`, { accept: `${PB};q=0.5, application/json` });
  assert.is(jsonFirst.type, 'application/json');
  const wildcard = await call('GET', `${CM}/pb1`, { accept: '*/*' });
  assert.is(wildcard.type, 'application/json');
  // Tables are JSON only here: the protobuf clause is passed over.
  const table = await call('GET', CM, { accept: `${PB};as=Table;g=meta.k8s.io;v=v1, application/json;as=Table;g=meta.k8s.io;v=v1` });
  assert.ok(table.type.startsWith('application/json;as=Table'), table.type);
});

test('a CRD reads back in protobuf as its JSON; custom resources are JSON only', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { size: { type: 'integer', minimum: 1, default: 2 } } } } } },
      }],
    },
  };
  assert.is((await ts.req('POST', CRD_PATH, crd)).status, 201);
  const pb = decode((await call('GET', `${CRD_PATH}/gadgets.example.com`)).bytes);
  assert.is(pb.kind, 'CustomResourceDefinition');
  const schema = pb.object.spec.versions[0].schema.openAPIV3Schema;
  assert.is(schema.properties.spec.properties.size.minimum, 1);
  assert.is(Buffer.from(schema.properties.spec.properties.size.default.raw as string, 'base64').toString(), '2');

  let created = await call('POST', GADGETS, { body: Buffer.from(JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: {} })), contentType: 'application/json' });
  for (let i = 0; i < 100 && created.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 20));
    created = await call('POST', GADGETS, { body: Buffer.from(JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: {} })), contentType: 'application/json' });
  }
  assert.is(created.status, 201, created.bytes.toString());
  assert.is(created.type, 'application/json');
  const got = await call('GET', `${GADGETS}/g1`);
  assert.is(got.type, 'application/json');
  assert.is(JSON.parse(got.bytes.toString()).spec.size, 2);
  const list = await call('GET', GADGETS);
  assert.is(list.type, 'application/json');
  const only = await call('GET', `${GADGETS}/g1`, { accept: PB });
  assert.is(only.status, 406);
  const s = JSON.parse(only.bytes.toString()) as { reason: string; message: string };
  assert.is(s.reason, 'NotAcceptable');
  assert.is(s.message, 'only the following media types are accepted: application/json, application/yaml');
  const missing = await call('GET', `${GADGETS}/none`);
  assert.equal([missing.status, missing.type], [404, 'application/json']);
});

test('a built-in type asked for in protobuf only is served; an unknown media type is a 406', async () => {
  assert.is((await call('GET', `${CM}/pb1`, { accept: PB })).type, PB);
  const none = await call('GET', `${CM}/pb1`, { accept: 'application/cbor' });
  assert.is(none.status, 406);
  assert.is(JSON.parse(none.bytes.toString()).message, `only the following media types are accepted: application/json, application/yaml, ${PB}`);
});

test('the protobuf cache is reported in /metrics', async () => {
  const m = (await ts.req('GET', '/metrics')).text;
  assert.match(m, /^kemu_protobuf_cache_bytes [1-9]\d*$/m);
  assert.match(m, /^kemu_protobuf_cache_objects [1-9]\d*$/m);
  assert.match(m, /^kemu_protobuf_cache_lookups_total\{result="hit"\} [1-9]\d*$/m);
  assert.match(m, /^kemu_protobuf_cache_lookups_total\{result="miss"\} [1-9]\d*$/m);
});

async function absent(name: string): Promise<void> {
  assert.is((await call('GET', `${CM}/${name}`)).status, 404, `${name} was stored`);
}

test('a truncated or corrupt protobuf body is a 400 and stores nothing', async () => {
  const good = body('v1', 'ConfigMap', { metadata: { name: 'bad1' }, data: { a: 'b' } });
  for (const b of [good.subarray(0, good.length - 3), good.subarray(0, 9), Buffer.concat([good.subarray(0, 12), Buffer.from([0xff, 0xff, 0xff])])]) {
    const r = await call('POST', CM, { body: b });
    assert.is(r.status, 400, `${b.toString('hex')}: ${r.status}`);
    assert.equal([decode(r.bytes).kind, decode(r.bytes).object.reason], ['Status', 'BadRequest']);
  }
  await absent('bad1');
});

test('a body without the k8s\\0 prefix is a 400 and stores nothing', async () => {
  const good = body('v1', 'ConfigMap', { metadata: { name: 'bad2' } });
  const r = await call('POST', CM, { body: Buffer.concat([Buffer.from('k8s\x01', 'latin1'), good.subarray(4)]) });
  assert.is(r.status, 400);
  assert.match(decode(r.bytes).object.message as string, 'expected prefix [107 56 115 0]');
  const json = await call('POST', CM, { body: Buffer.from(JSON.stringify({ metadata: { name: 'bad2' } })) });
  assert.is(json.status, 400);
  await absent('bad2');
});

test('an envelope naming another kind than the URL is a 400 and stores nothing', async () => {
  const r = await call('POST', CM, { body: body('v1', 'Status', { metadata: {}, status: 'Success', message: 'bad3' }) });
  assert.is(r.status, 400, r.bytes.toString());
  const s = decode(r.bytes).object;
  assert.is(s.reason, 'BadRequest');
  const unknown = await call('POST', CM, { body: Buffer.concat([MAGIC, Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'Gizmo' }, raw: Buffer.alloc(0) })).finish()]) });
  assert.is(unknown.status, 400);
  assert.match(decode(unknown.bytes).object.message as string, 'no kind "Gizmo" is registered for version "v1"');
  const cm = await call('PUT', `${CM}/pb1`, { body: body('v1', 'ConfigMap', { metadata: { name: 'other' } }) });
  assert.is(cm.status, 400);
  assert.match(decode(cm.bytes).object.message as string, 'does not match');
});

test.run();
