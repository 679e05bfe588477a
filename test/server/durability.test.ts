// Durability: what a kemu acknowledged is still there after a clean restart and after kill -9.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { spawnChildServer, type ChildServer } from '../helpers/child-server.js';
import { startTestServer, tempDir, type TestResponse, type TestServer } from '../helpers/server.js';

interface Obj { metadata: { name: string; resourceVersion?: string; uid?: string } }
interface List { metadata: { resourceVersion: string }; items: Obj[] }

const dirs: string[] = [];
const children: ChildServer[] = [];
const servers: TestServer[] = [];

test.after(async () => {
  for (const c of children) await c.stop('SIGKILL', 5_000);
  for (const s of servers) await s.close({ keepData: true }).catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function ok(r: TestResponse, want: number, what: string): void {
  assert.is(r.status, want, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
}

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { suite: 'durability' } }, data });
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

test('restart keeps every object byte for byte, the clusters, and the resourceVersion counter', async () => {
  const dir = await tempDir('kemu-durability-');
  dirs.push(dir);
  const first = await startTestServer({ dataDir: dir, spokes: 1 });
  servers.push(first);

  ok(await first.req('POST', '/kemu/v1/clusters', { name: 'extra' }), 201, 'add cluster extra');
  const prefixes = ['', '/clusters/spoke-1', '/clusters/extra'];
  const paths: string[] = [];
  let maxRV = 0;
  for (const p of prefixes) {
    ok(await first.req('POST', `${p}/api/v1/namespaces`, ns('durable')), 201, `${p} create ns`);
    paths.push(`${p}/api/v1/namespaces/durable`);
    for (let i = 0; i < 5; i++) {
      const r = await first.req('POST', `${p}/api/v1/namespaces/durable/configmaps`, cm(`cm-${i}`, { i: String(i), text: 'ünïcødé ✓ "quoted"\n' }));
      ok(r, 201, `${p} create cm-${i}`);
      paths.push(`${p}/api/v1/namespaces/durable/configmaps/cm-${i}`);
      maxRV = Math.max(maxRV, Number(r.json<Obj>().metadata.resourceVersion));
    }
    // One update and one delete, so the restart sees more than creates.
    const got = (await first.req('GET', `${p}/api/v1/namespaces/durable/configmaps/cm-0`)).json<Obj & { data: Record<string, string> }>();
    const upd = await first.req('PUT', `${p}/api/v1/namespaces/durable/configmaps/cm-0`, { ...got, data: { ...got.data, updated: 'yes' } });
    ok(upd, 200, `${p} update cm-0`);
    maxRV = Math.max(maxRV, Number(upd.json<Obj>().metadata.resourceVersion));
    const del = await first.req('DELETE', `${p}/api/v1/namespaces/durable/configmaps/cm-4`);
    ok(del, 200, `${p} delete cm-4`);
    paths.splice(paths.indexOf(`${p}/api/v1/namespaces/durable/configmaps/cm-4`), 1);
  }

  const before = new Map<string, string>();
  for (const path of paths) {
    const r = await first.req('GET', path);
    ok(r, 200, `GET ${path} before restart`);
    before.set(path, r.text);
  }
  const listBefore = await first.req('GET', '/api/v1/namespaces/durable/configmaps');
  ok(listBefore, 200, 'list before');
  const listRVBefore = Number(listBefore.json<List>().metadata.resourceVersion);
  assert.ok(listRVBefore >= maxRV, `list RV ${listRVBefore} >= newest write ${maxRV}`);
  const clustersBefore = (await first.req('GET', '/kemu/v1/clusters')).json<{ items: { name: string; creationTimestamp: string }[] }>().items;
  assert.equal(clustersBefore.map((c) => c.name), ['hub', 'extra', 'spoke-1']);

  await first.close({ keepData: true });
  servers.splice(servers.indexOf(first), 1);

  const second = await startTestServer({ dataDir: dir, spokes: 1 });
  servers.push(second);
  for (const [path, text] of before) {
    const r = await second.req('GET', path);
    ok(r, 200, `GET ${path} after restart`);
    assert.is(r.text, text, `${path} identical after restart`);
  }
  for (const p of prefixes) {
    ok(await second.req('GET', `${p}/api/v1/namespaces/durable/configmaps/cm-4`), 404, `${p} deleted cm-4 stays deleted`);
  }
  const listAfter = await second.req('GET', '/api/v1/namespaces/durable/configmaps');
  ok(listAfter, 200, 'list after');
  assert.equal(listAfter.json<List>().items, listBefore.json<List>().items, 'list items identical');
  assert.ok(Number(listAfter.json<List>().metadata.resourceVersion) >= listRVBefore, 'list RV does not go back');

  const clustersAfter = (await second.req('GET', '/kemu/v1/clusters')).json<{ items: { name: string; creationTimestamp: string }[] }>().items;
  assert.equal(clustersAfter, clustersBefore, 'clusters (with creation times) survive');
  ok(await second.req('GET', '/clusters/extra/api/v1/namespaces/default'), 200, 'extra cluster serves after restart');

  const created = await second.req('POST', '/clusters/extra/api/v1/namespaces/durable/configmaps', cm('after-restart'));
  ok(created, 201, 'create after restart');
  const rvCreated = Number(created.json<Obj>().metadata.resourceVersion);
  assert.ok(rvCreated > listRVBefore, `new write RV ${rvCreated} > every earlier RV (${listRVBefore})`);
  const cur = JSON.parse(before.get('/api/v1/namespaces/durable/configmaps/cm-1')!) as Obj & { data: Record<string, string> };
  const upd = await second.req('PUT', '/api/v1/namespaces/durable/configmaps/cm-1', { ...cur, data: { changed: 'after-restart' } });
  ok(upd, 200, 'update with the pre-restart RV succeeds');
  assert.ok(Number(upd.json<Obj>().metadata.resourceVersion) > rvCreated, 'RVs keep increasing');
});

test('kill -9 mid write-loop loses no acknowledged write', async () => {
  const dir = await tempDir('kemu-kill9-');
  dirs.push(dir);
  const child = await spawnChildServer({ dataDir: dir, spokes: 1 });
  children.push(child);
  ok(await child.req('POST', '/api/v1/namespaces', ns('crash')), 201, 'create ns');
  ok(await child.req('POST', '/clusters/spoke-1/api/v1/namespaces', ns('crash')), 201, 'create spoke ns');

  const MAX_WRITES = 2000;
  const CONCURRENCY = 16;
  const LOOP_MS = 5_000;
  const KILL_AFTER_ACKS = 400;
  const KILL_AFTER_MS = 2_500;
  const acked = new Map<string, { path: string; rv: number }>();
  let started = 0;
  let inFlight = 0;
  let inFlightAtKill = -1;
  let failedAfterKill = 0;
  let ackedAfterKill = 0;
  let otherFailures = 0;
  let killed = false;
  const t0 = Date.now();

  const kill = () => {
    if (killed) return;
    killed = true;
    inFlightAtKill = inFlight;
    child.proc.kill('SIGKILL');
  };
  const killTimer = setTimeout(kill, KILL_AFTER_MS);

  const worker = async () => {
    while (started < MAX_WRITES && Date.now() - t0 < LOOP_MS && !killed) {
      const n = started++;
      const name = `w-${String(n).padStart(5, '0')}`;
      const prefix = n % 4 === 3 ? '/clusters/spoke-1' : '';
      const path = `${prefix}/api/v1/namespaces/crash/configmaps`;
      inFlight++;
      try {
        const r = await child.req('POST', path, cm(name, { n: String(n) }));
        if (r.status === 201) {
          acked.set(name, { path, rv: Number(r.json<Obj>().metadata.resourceVersion) });
          if (killed) ackedAfterKill++;
        } else if (!killed) {
          otherFailures++;
        }
      } catch {
        if (killed) failedAfterKill++; else otherFailures++;
      } finally {
        inFlight--;
      }
      if (acked.size >= KILL_AFTER_ACKS) kill();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearTimeout(killTimer);
  kill();
  const exit = await child.stop('SIGKILL', 5_000);
  assert.is(exit.signal, 'SIGKILL', `child died of SIGKILL: ${JSON.stringify(exit)}`);
  assert.is(otherFailures, 0, 'no write failed before the kill');
  assert.ok(acked.size > 0, 'some writes were acknowledged');

  const reopened = await startTestServer({ dataDir: dir, spokes: 1 });
  servers.push(reopened);
  const present = new Set<string>();
  for (const prefix of ['', '/clusters/spoke-1']) {
    const r = await reopened.req('GET', `${prefix}/api/v1/namespaces/crash/configmaps`);
    ok(r, 200, `${prefix} list after kill`);
    for (const o of r.json<List>().items) present.add(o.metadata.name);
  }
  const lost = [...acked.keys()].filter((n) => !present.has(n));
  const unacked = [...present].filter((n) => !acked.has(n));
  const maxAckedRV = Math.max(...[...acked.values()].map((v) => v.rv));
  console.log(`  kill -9: ${started} writes started, ${acked.size} acknowledged, ${inFlightAtKill} in flight at the kill `
    + `(${ackedAfterKill} of them answered before the process died, ${failedAfterKill} failed), ${lost.length} acknowledged writes lost, ${unacked.length} unacknowledged writes found stored`);
  assert.equal(lost, [], 'every acknowledged write survives kill -9');
  assert.ok(unacked.length <= Math.max(inFlightAtKill, 0), 'only in-flight writes may appear unacknowledged');

  for (const [name, { path, rv }] of [...acked].slice(0, 20)) {
    const r = await reopened.req('GET', `${path}/${name}`);
    ok(r, 200, `GET ${name}`);
    assert.is(Number(r.json<Obj>().metadata.resourceVersion), rv, `${name} keeps the RV it was acknowledged with`);
  }
  const after = await reopened.req('POST', '/api/v1/namespaces/crash/configmaps', cm('after-kill'));
  ok(after, 201, 'write after reopen');
  assert.ok(Number(after.json<Obj>().metadata.resourceVersion) > maxAckedRV, 'RV continues upward after kill -9');
  await reopened.close({ keepData: true });
  servers.splice(servers.indexOf(reopened), 1);
});

test.run();
