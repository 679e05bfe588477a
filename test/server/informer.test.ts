// An @kubernetes/client-node informer (LIST then WATCH) against kemu: it must see the adds, updates
// and deletes made through the raw API, and a spoke-cluster informer must see none of the hub's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait-until.js';

const PATH = '/api/v1/namespaces/default/configmaps';
const WAIT_MS = 10_000;

type Verb = 'add' | 'update' | 'delete' | 'error';
interface Seen { readonly verb: Verb; readonly obj?: k8s.V1ConfigMap; readonly err?: unknown }

interface Watched {
  readonly informer: k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>;
  readonly seen: Seen[];
  find(verb: Verb, name: string, pred?: (o: k8s.V1ConfigMap) => boolean): k8s.V1ConfigMap | undefined;
  names(): string[];
}

let ts: TestServer;
const informers: Watched[] = [];

function kubeConfig(context: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(ts.kubeconfig);
  kc.setCurrentContext(context);
  return kc;
}

async function startInformer(context: string): Promise<Watched> {
  const kc = kubeConfig(context);
  const coreApi = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer<k8s.V1ConfigMap>(kc, PATH, () => coreApi.listNamespacedConfigMap({ namespace: 'default' }));
  const seen: Seen[] = [];
  for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, (obj) => seen.push({ verb, obj }));
  informer.on('error', (err) => seen.push({ verb: 'error', err }));
  const w: Watched = {
    informer, seen,
    find: (verb, name, pred = () => true) => seen.find((s) => s.verb === verb && s.obj?.metadata?.name === name && pred(s.obj))?.obj,
    names: () => seen.flatMap((s) => (s.obj?.metadata?.name ? [s.obj.metadata.name] : [])),
  };
  informers.push(w);
  await informer.start();
  return w;
}

function cm(name: string, data: Record<string, string>, labels?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

async function create(path: string, body: Record<string, unknown>): Promise<any> {
  const r = await ts.req('POST', path, body);
  assert.is(r.status, 201, r.text);
  return r.json<any>();
}

function noErrors(w: Watched): void {
  const errs = w.seen.filter((s) => s.verb === 'error');
  assert.is(errs.length, 0, `informer errors: ${errs.map((e) => String(e.err)).join('; ')}`);
}

test.before(async () => {
  ts = await startTestServer({ spokes: 1 });
});

test.after(async () => {
  await Promise.all(informers.map((w) => w.informer.stop()));
  await ts?.close();
});

let hub: Watched;

test('the initial LIST delivers existing objects as add', async () => {
  const pre = await create(PATH, cm('pre-existing', { k: 'v0' }));
  hub = await startInformer('hub');
  const obj = await waitUntil('add pre-existing', () => hub.find('add', 'pre-existing'), WAIT_MS);
  assert.equal(obj.data, { k: 'v0' });
  assert.is(obj.metadata?.uid, pre.metadata.uid);
  assert.is(obj.metadata?.resourceVersion, pre.metadata.resourceVersion);
  assert.is(hub.informer.get('pre-existing', 'default')?.metadata?.uid, pre.metadata.uid);
  noErrors(hub);
});

test('add fires for a configmap created after the informer started', async () => {
  const created = await create(PATH, cm('c1', { a: '1' }, { app: 'informer' }));
  const obj = await waitUntil('add c1', () => hub.find('add', 'c1'), WAIT_MS);
  assert.is(obj.metadata?.namespace, 'default');
  assert.is(obj.metadata?.uid, created.metadata.uid);
  assert.is(obj.metadata?.resourceVersion, created.metadata.resourceVersion);
  assert.equal(obj.metadata?.labels, { app: 'informer' });
  assert.equal(obj.data, { a: '1' });
  // The watch event is a full object: client-node keeps kind/apiVersion as sent.
  assert.is(obj.kind, 'ConfigMap');
  assert.is(obj.apiVersion, 'v1');
  assert.is(hub.find('update', 'c1'), undefined, 'a create is not an update');
  assert.is(hub.informer.get('c1', 'default')?.data?.a, '1');
  // makeInformer returns a ListWatch; its resume point is the last event's resourceVersion.
  assert.instance(hub.informer, k8s.ListWatch);
  assert.is((hub.informer as k8s.ListWatch<k8s.V1ConfigMap>).latestResourceVersion(), created.metadata.resourceVersion);
});

test('update fires for a PUT with the new object', async () => {
  const current = (await ts.req('GET', `${PATH}/c1`)).json<any>();
  const body = { ...current, data: { a: '2', b: 'x' } };
  const r = await ts.req('PUT', `${PATH}/c1`, body);
  assert.is(r.status, 200, r.text);
  const updated = r.json<any>();
  assert.ok(BigInt(updated.metadata.resourceVersion) > BigInt(current.metadata.resourceVersion));
  const obj = await waitUntil('update c1', () => hub.find('update', 'c1'), WAIT_MS);
  assert.equal(obj.data, { a: '2', b: 'x' });
  assert.is(obj.metadata?.resourceVersion, updated.metadata.resourceVersion);
  assert.is(obj.metadata?.uid, current.metadata.uid);
  assert.equal(hub.informer.get('c1', 'default')?.data, { a: '2', b: 'x' });
});

test('update fires for a merge PATCH', async () => {
  const r = await ts.req('PATCH', `${PATH}/c1`, { data: { a: '3' } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.is(r.status, 200, r.text);
  const patched = r.json<any>();
  const obj = await waitUntil('update c1 to a=3', () => hub.find('update', 'c1', (o) => o.data?.a === '3'), WAIT_MS);
  assert.equal(obj.data, { a: '3', b: 'x' });
  assert.is(obj.metadata?.resourceVersion, patched.metadata.resourceVersion);
});

test('delete fires with the last state of the object', async () => {
  const before = (await ts.req('GET', `${PATH}/c1`)).json<any>();
  const r = await ts.req('DELETE', `${PATH}/c1`);
  assert.is(r.status, 200, r.text);
  const obj = await waitUntil('delete c1', () => hub.find('delete', 'c1'), WAIT_MS);
  assert.is(obj.metadata?.uid, before.metadata.uid);
  assert.equal(obj.data, { a: '3', b: 'x' });
  // The DELETED event carries the deletion's own resourceVersion, newer than the last write.
  assert.ok(BigInt(obj.metadata!.resourceVersion!) > BigInt(before.metadata.resourceVersion),
    `${obj.metadata?.resourceVersion} should be > ${before.metadata.resourceVersion}`);
  assert.is(hub.informer.get('c1', 'default'), undefined);
  assert.equal(hub.informer.list('default').map((o) => o.metadata?.name), ['pre-existing']);
  const events = hub.seen.filter((s) => s.obj?.metadata?.name === 'c1').map((s) => s.verb);
  assert.equal(events, ['add', 'update', 'update', 'delete']);
  noErrors(hub);
});

test('a spoke-1 informer sees only spoke-1 objects', async () => {
  const spokePath = `/clusters/spoke-1${PATH}`;
  await create(spokePath, cm('spoke-pre', { s: '0' }));
  const spoke = await startInformer('spoke-1');
  await waitUntil('spoke add spoke-pre', () => spoke.find('add', 'spoke-pre'), WAIT_MS);

  // Hub writes first, then a spoke write; the spoke informer must see only the latter.
  await create(PATH, cm('hub-only', { h: '1' }));
  await waitUntil('hub add hub-only', () => hub.find('add', 'hub-only'), WAIT_MS);
  const spokeObj = await create(spokePath, cm('spoke-only', { s: '1' }));
  const seen = await waitUntil('spoke add spoke-only', () => spoke.find('add', 'spoke-only'), WAIT_MS);
  assert.is(seen.metadata?.uid, spokeObj.metadata.uid);

  // And the hub informer must not see the spoke write: a later hub write marks "caught up".
  await create(PATH, cm('hub-sentinel', { h: '2' }));
  await waitUntil('hub add hub-sentinel', () => hub.find('add', 'hub-sentinel'), WAIT_MS);
  const r = await ts.req('DELETE', `${PATH}/pre-existing`);
  assert.is(r.status, 200, r.text);
  await waitUntil('hub delete pre-existing', () => hub.find('delete', 'pre-existing'), WAIT_MS);

  assert.equal(spoke.names(), ['spoke-pre', 'spoke-only']);
  assert.equal(spoke.informer.list('default').map((o) => o.metadata?.name).sort(), ['spoke-only', 'spoke-pre']);
  assert.is(spoke.informer.get('hub-only', 'default'), undefined);
  assert.ok(!hub.names().some((n) => n.startsWith('spoke-')), hub.names().join(','));
  assert.equal(hub.informer.list('default').map((o) => o.metadata?.name).sort(), ['hub-only', 'hub-sentinel']);
  noErrors(spoke);
  noErrors(hub);
});

test('stopped informers get no more events', async () => {
  await Promise.all(informers.map((w) => w.informer.stop()));
  const counts = informers.map((w) => w.seen.length);
  await create(PATH, cm('after-stop', { z: '1' }));
  await create(`/clusters/spoke-1${PATH}`, cm('after-stop', { z: '1' }));
  // The objects were written; give any lingering watch a moment to (wrongly) deliver them.
  assert.is((await ts.req('GET', `${PATH}/after-stop`)).status, 200);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(informers.map((w) => w.seen.length), counts);
});

test.run();
