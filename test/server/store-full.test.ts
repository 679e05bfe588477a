// A full store (--max-db-size): every write that adds data gets etcd's "database space exceeded"
// as kube-apiserver relays it (a 500 with etcd's text), reads and deletes go on, nothing is lost,
// and a restart with a larger limit writes again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openWatch } from '../helpers/watch.js';
import { startTestServer, tempDir, type TestResponse, type TestServer } from '../helpers/server.js';

interface Obj { metadata: { name: string; resourceVersion: string } }
interface List { metadata: { resourceVersion: string }; items: Obj[] }

const LIMIT = 1024 * 1024;
const CM = '/api/v1/namespaces/full/configmaps';
const SPACE_EXCEEDED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: mvcc: database space exceeded', code: 500 };

const servers: TestServer[] = [];
const dirs: string[] = [];
test.after(async () => {
  for (const s of servers) await s.close({ keepData: true }).catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function start(dataDir: string, maxDbSizeBytes: number): Promise<TestServer> {
  const s = await startTestServer({ dataDir, spokes: 0, controllers: 'namespace', maxDbSizeBytes });
  servers.push(s);
  return s;
}

async function stop(s: TestServer): Promise<void> {
  await s.close({ keepData: true });
  servers.splice(servers.indexOf(s), 1);
}

function spaceExceeded(r: TestResponse, what: string): void {
  assert.is(r.status, 500, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
  assert.equal(r.json(), SPACE_EXCEEDED, what);
}

const cm = (name: string, bytes: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { pad: 'x'.repeat(bytes) } });

test('writes past --max-db-size get "database space exceeded", reads and deletes go on, a larger limit writes again', async () => {
  const dir = await tempDir('kemu-full-');
  dirs.push(dir);
  let t = await start(dir, LIMIT);
  assert.is((await t.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'full' } })).status, 201);

  const acked: string[] = [];
  let refused: TestResponse | undefined;
  for (let i = 0; i < 2_000 && !refused; i++) {
    const r = await t.req('POST', CM, cm(`cm-${i}`, 4096));
    if (r.status === 201) acked.push(`cm-${i}`);
    else refused = r;
  }
  assert.ok(refused, 'the store filled up');
  spaceExceeded(refused as TestResponse, 'the create that did not fit');
  const fileBytes = statSync(join(dir, 'store.mdb')).size;
  assert.ok(fileBytes <= LIMIT, `the store file (${fileBytes} bytes) stays within the limit (${LIMIT})`);
  console.log(`  store full after ${acked.length} creates of 4 KiB: file ${fileBytes} of ${LIMIT} bytes`);

  // From then on every write that adds data is refused the same way, small or large, by any verb,
  // as etcd's NOSPACE alarm refuses them.
  spaceExceeded(await t.req('POST', CM, { metadata: { name: 'tiny' } }), 'a tiny create');
  const first = (await t.req('GET', `${CM}/cm-0`)).json<Obj & { data: Record<string, string> }>();
  spaceExceeded(await t.req('PUT', `${CM}/cm-0`, { ...first, data: { pad: 'y' } }), 'an update that shrinks the object');
  spaceExceeded(await t.req('PATCH', `${CM}/cm-0`, { data: { more: 'z' } }, { 'Content-Type': 'application/merge-patch+json' }), 'a merge patch');
  spaceExceeded(await t.req('PATCH', `${CM}/applied?fieldManager=test`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' } }, { 'Content-Type': 'application/apply-patch+yaml' }), 'a server-side apply');
  spaceExceeded(await t.req('POST', '/api/v1/namespaces', { metadata: { name: 'another' } }), 'a namespace');
  spaceExceeded(await t.req('POST', '/kemu/v1/clusters', { name: 'more' }), 'adding a cluster');
  const clusters = (await t.req('GET', '/kemu/v1/clusters')).json<{ items: { name: string }[] }>().items.map((c) => c.name);
  assert.equal(clusters, ['hub'], 'the refused cluster is not listed');

  // Reads keep working: get, list, watch, health, metrics.
  assert.is((await t.req('GET', `${CM}/cm-0`)).status, 200);
  const list = await t.req('GET', CM);
  assert.is(list.status, 200);
  const items = list.json<List>().items;
  assert.equal(items.map((o) => o.metadata.name).sort(), [...acked].sort(), 'every acknowledged object is listed');
  const w = await openWatch(t, `${CM}?watch=true&resourceVersion=0`);
  assert.is((await w.waitFor(acked.length)).length, acked.length, 'a watch from 0 gets every object');
  w.close();
  assert.is((await t.req('GET', '/readyz')).text, 'ok');
  const metrics = (await t.req('GET', '/metrics')).text;
  const size = Number(/^apiserver_storage_size_bytes\{storage_cluster_id="kemu"\} (\d+)$/m.exec(metrics)?.[1]);
  assert.ok(size > 0 && size <= LIMIT, `apiserver_storage_size_bytes ${size}`);
  assert.match(metrics, new RegExp(`^kemu_store_max_size_bytes ${LIMIT}$`, 'm'));

  // Deletes go through, as etcd lets delete-only transactions pass its quota; LMDB reuses the
  // pages inside its file but does not shrink it, so writes stay refused, as on etcd before a defrag.
  assert.is((await t.req('DELETE', `${CM}/cm-0`)).status, 200);
  assert.is((await t.req('GET', `${CM}/cm-0`)).status, 404);
  spaceExceeded(await t.req('POST', CM, { metadata: { name: 'after-delete' } }), 'a create after a delete');
  const kept = (await t.req('GET', CM)).json<List>();
  await stop(t);

  // The same limit: the store opens, serves its objects and still refuses writes.
  t = await start(dir, LIMIT);
  assert.is((await t.req('GET', CM)).json<List>().items.length, acked.length - 1);
  spaceExceeded(await t.req('POST', CM, cm('same-limit', 4096)), 'a create after restarting at the same limit');
  await stop(t);

  // A larger limit: nothing lost, byte for byte, and writes work with greater resourceVersions.
  t = await start(dir, 4 * LIMIT);
  const after = (await t.req('GET', CM)).json<List>();
  assert.equal(after.items, kept.items, 'every object survives, byte for byte');
  const created = await t.req('POST', CM, cm('after-grow', 4096));
  assert.is(created.status, 201, created.text);
  assert.ok(Number(created.json<Obj>().metadata.resourceVersion) > Number(kept.metadata.resourceVersion), 'resourceVersions go on upward');
  const updated = await t.req('PATCH', `${CM}/cm-1`, { data: { more: 'z' } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.is(updated.status, 200, updated.text);
  await stop(t);
});

test.run();
