// The informer: paged list then watch against kemu (adds, updates, deletes, selectors), relisting
// when a watch's resourceVersion expires (a kemu fault sends the 410 ERROR event), and, against a
// scripted server, a 410 watch answer and an expired continue token.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { waitUntil } from '../../helpers/wait-until.js';
import { Informer, type KubeObject } from '../../../scenarios/client/informer.js';
import { ClientMetrics } from '../../../scenarios/client/metrics.js';
import { collectionPath, resourceRef } from '../../../scenarios/client/resource.js';
import { RestClient, Transport } from '../../../scenarios/client/rest.js';
import { fromKemu } from '../../../scenarios/client/target.js';

const CONFIGMAPS = resourceRef('v1', 'configmaps');
const NAMESPACES = resourceRef('v1', 'namespaces', false);

let ts: TestServer;
let transport: Transport;
const informers: Informer[] = [];

test.before(async () => {
  ts = await startTestServer();
  transport = new Transport();
});

test.after(async () => {
  for (const i of informers) i.stop();
  await transport.close();
  await ts.close();
});

function client(opts: { metrics?: ClientMetrics; userAgent?: string } = {}): RestClient {
  const target = fromKemu(ts.server.url, ts.server.caCertPem, ts.server.adminToken, ['hub']);
  return new RestClient({ connection: target.connection('hub'), transport, qps: 0, ...opts });
}

interface Log {
  readonly events: string[];
  readonly handlers: ConstructorParameters<typeof Informer>[0]['handlers'];
}

function log(): Log {
  const events: string[] = [];
  const name = (o: KubeObject) => o.metadata?.name ?? '?';
  return {
    events,
    handlers: {
      onAdd: (o) => events.push(`add ${name(o)}`),
      onUpdate: (_old, o) => events.push(`update ${name(o)} ${JSON.stringify((o as { data?: unknown }).data ?? {})}`),
      onDelete: (o) => events.push(`delete ${name(o)}`),
    },
  };
}

async function namespace(c: RestClient, name: string): Promise<void> {
  assert.equal((await c.create(NAMESPACES, undefined, { metadata: { name } })).status, 201);
}

function cm(name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

test('paged list, then watch: adds, updates and deletes reach the handlers and the store', async () => {
  const c = client();
  await namespace(c, 'inf');
  for (let i = 0; i < 5; i++) assert.equal((await c.create(CONFIGMAPS, 'inf', cm(`pre-${i}`))).status, 201);
  const metrics = new ClientMetrics();
  const l = log();
  const inf = new Informer({
    client: client({ metrics }), resource: CONFIGMAPS.label, path: collectionPath(CONFIGMAPS, 'inf'),
    handlers: l.handlers, pageSize: 2, initialResourceVersion: '',
  });
  informers.push(inf);
  assert.equal(inf.hasSynced(), false);
  inf.start();
  assert.equal(await inf.waitForSync(10_000), true);
  assert.equal(inf.hasSynced(), true);
  assert.equal(inf.size, 5);
  assert.equal(l.events.filter((e) => e.startsWith('add ')).length, 5);
  // Pages of 2: three list requests for one list walk.
  assert.equal(metrics.summary().find((s) => s.verb === 'list')?.count, 3);
  assert.equal(inf.stats().lists, 1);

  assert.equal((await c.create(CONFIGMAPS, 'inf', cm('new'))).status, 201);
  assert.equal((await c.patch(CONFIGMAPS, 'inf', 'pre-0', 'merge', { data: { k: 'v' } })).status, 200);
  assert.equal((await c.delete(CONFIGMAPS, 'inf', 'pre-1')).status, 200);
  await waitUntil('the delete', () => l.events.includes('delete pre-1'));
  assert.equal(l.events.slice(5), ['add new', 'update pre-0 {"k":"v"}', 'delete pre-1']);
  assert.equal(inf.size, 5);
  assert.equal((inf.get('inf', 'pre-0') as { data?: unknown }).data, { k: 'v' });
  assert.equal(inf.get('inf', 'pre-1'), undefined);
  assert.equal(inf.stats().relists, 0);
  assert.equal(inf.stats().events, 3);
  assert.ok(Number(inf.stats().resourceVersion) > 0);
  assert.equal(metrics.summary().find((s) => s.verb === 'watch')?.count, 1);
  inf.stop();
});

test('label and field selectors reach the list and the watch', async () => {
  const c = client();
  await namespace(c, 'sel');
  assert.equal((await c.create(CONFIGMAPS, 'sel', cm('a1', { app: 'a' }))).status, 201);
  assert.equal((await c.create(CONFIGMAPS, 'sel', cm('b1', { app: 'b' }))).status, 201);
  const byLabel = log();
  const byField = log();
  const path = collectionPath(CONFIGMAPS, 'sel');
  const labelled = new Informer({ client: c, resource: 'configmaps', path, labelSelector: 'app=a', handlers: byLabel.handlers });
  const named = new Informer({ client: c, resource: 'configmaps', path, fieldSelector: 'metadata.name=b2', handlers: byField.handlers });
  informers.push(labelled, named);
  labelled.start();
  named.start();
  assert.ok(await labelled.waitForSync(10_000));
  assert.ok(await named.waitForSync(10_000));
  assert.equal(labelled.list().map((o) => o.metadata?.name), ['a1']);
  assert.equal(named.size, 0);
  assert.equal((await c.create(CONFIGMAPS, 'sel', cm('a2', { app: 'a' }))).status, 201);
  assert.equal((await c.create(CONFIGMAPS, 'sel', cm('b2', { app: 'b' }))).status, 201);
  await waitUntil('a2 and b2', () => byLabel.events.includes('add a2') && byField.events.includes('add b2'));
  assert.equal(byLabel.events, ['add a1', 'add a2']);
  assert.equal(byField.events, ['add b2']);
  labelled.stop();
  named.stop();
});

test('a 410 ERROR event in the watch (kemu fault expireWatch) relists and the store still converges', async () => {
  const put = await ts.req('PUT', '/kemu/v1/faults', { rules: [{ name: 'expire', match: { verbs: ['watch'], userAgent: { substring: 'expiring-informer' } }, action: { type: 'expireWatch', afterEvents: 2, reason: 'Expired' } }] });
  assert.equal(put.status, 200);
  try {
    const c = client();
    await namespace(c, 'exp');
    const l = log();
    const inf = new Informer({ client: client({ userAgent: 'expiring-informer/v1' }), resource: 'configmaps', path: collectionPath(CONFIGMAPS, 'exp'), handlers: l.handlers });
    informers.push(inf);
    inf.start();
    assert.ok(await inf.waitForSync(10_000));
    for (let i = 0; i < 6; i++) assert.equal((await c.create(CONFIGMAPS, 'exp', cm(`e${i}`))).status, 201);
    await waitUntil('a relist', () => inf.stats().relists >= 1);
    assert.equal((await c.delete(CONFIGMAPS, 'exp', 'e0')).status, 200);
    await waitUntil('all six seen and e0 gone', () => inf.size === 5 && inf.get('exp', 'e5') !== undefined && inf.get('exp', 'e0') === undefined);
    assert.ok(inf.stats().watches >= 2);
    assert.ok(inf.stats().lists >= 2);
    // Every object was added exactly once: a relist of known objects is an update, not an add.
    for (let i = 0; i < 6; i++) assert.equal(l.events.filter((e) => e === `add e${i}`).length, 1, `e${i}`);
    inf.stop();
  } finally {
    await ts.req('PUT', '/kemu/v1/faults', { rules: [] });
  }
});

test('stop() before sync: waitForSync answers false, and nothing more is sent', async () => {
  const metrics = new ClientMetrics();
  const inf = new Informer({ client: client({ metrics }), resource: 'configmaps', path: collectionPath(CONFIGMAPS, 'default') });
  const synced = inf.waitForSync();
  inf.start();
  inf.stop();
  assert.equal(await synced, false);
  assert.equal(await inf.waitForSync(), false);
});

// A scripted apiserver: lists and watches answer from queues the test fills.
interface Scripted {
  readonly server: Server;
  readonly url: string;
  readonly requests: string[];
  lists: Array<(res: ServerResponse, url: URL) => void>;
  watches: Array<(res: ServerResponse) => void>;
}

async function scripted(): Promise<Scripted> {
  const s: Scripted = { server: createServer(), url: '', requests: [], lists: [], watches: [] };
  s.server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    s.requests.push(`${url.searchParams.get('watch') ? 'watch' : 'list'} ${url.search}`);
    const step = url.searchParams.get('watch') ? s.watches.shift() : s.lists.shift();
    if (step) step(res, url);
    // Unscripted watches stay open, as a quiet watch does.
    else res.writeHead(200, { 'content-type': 'application/json' });
  });
  await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
  return Object.assign(s, { url: `http://127.0.0.1:${(s.server.address() as AddressInfo).port}` });
}

const item = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const listOf = (rv: string, items: unknown[], cont?: string) => (res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) }, items }));
const gone = (res: ServerResponse) =>
  res.writeHead(410, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 }));

test('scripted: a 410 watch answer relists with resourceVersion ""; an expired continue token falls back to a full list', async () => {
  const s = await scripted();
  const c = new RestClient({ connection: { cluster: 'hub', baseUrl: s.url, insecureSkipTLSVerify: false }, qps: 0 });
  try {
    s.lists = [listOf('5', [item('a', '3'), item('b', '4')])];
    s.watches = [(res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '6' } } })}\n`);
      res.end(`${JSON.stringify({ type: 'MODIFIED', object: item('a', '7') }).slice(0, 20)}`);
    }, gone];
    // After the 410: page 1, then the token has expired, then the unpaged list.
    s.lists.push(listOf('9', [item('a', '8')], 'tok'), gone, listOf('9', [item('a', '8'), item('c', '9')]));
    const l = log();
    const inf = new Informer({ client: c, resource: 'configmaps', path: '/api/v1/namespaces/ns/configmaps', handlers: l.handlers });
    informers.push(inf);
    inf.start();
    await waitUntil('the relist', () => inf.stats().lists === 2);
    // As DeltaFIFO.Replace queues them: the listed objects first, then the missing ones.
    assert.equal(l.events, ['add a', 'add b', 'update a {}', 'add c', 'delete b']);
    assert.equal(inf.stats().relists, 1);
    assert.equal(inf.stats().resourceVersion, '9');
    await waitUntil('the last watch', () => s.requests.filter((r) => r.startsWith('watch')).length === 3);
    inf.stop();
    const q = s.requests.map((r) => r.replace(/timeoutSeconds=\d+/, 'timeoutSeconds=T'));
    assert.equal(q, [
      'list ?limit=500&resourceVersion=0',
      'watch ?watch=true&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=T',
      // A cut stream (the half line) ends the watch: watch again from the bookmark's RV.
      'watch ?watch=true&resourceVersion=6&allowWatchBookmarks=true&timeoutSeconds=T',
      'list ?limit=500',
      'list ?limit=500&continue=tok',
      'list ',
      'watch ?watch=true&resourceVersion=9&allowWatchBookmarks=true&timeoutSeconds=T',
    ]);
    const timeout = Number(/timeoutSeconds=(\d+)/.exec(s.requests[1])?.[1]);
    assert.ok(timeout >= 300 && timeout < 600, String(timeout));
  } finally {
    await c.close();
    s.server.closeAllConnections();
    await new Promise((r) => s.server.close(r));
  }
});

test.run();
