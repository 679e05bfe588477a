// Durability: what a kemu acknowledged is still there after a clean restart and after kill -9,
// and resourceVersions never go back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../model/object.js';
import { seededRng } from '../../model/rng.js';
import { isStatus } from '../../model/status.js';
import { Store } from '../../model/store/store.js';
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

// The crash test. Trial after trial, 16 clients create, update (merge patch), delete and re-create
// (expected 409s, which take a resourceVersion without writing) ConfigMaps in two clusters and
// read list resourceVersions, while the server is killed with SIGKILL at a seeded random moment.
// After each kill the server restarts on the same data dir, and before new load starts:
//   - every acknowledged create or update is there, at a resourceVersion >= the acknowledged one,
//     with the data that write sent when the resourceVersion is the same;
//   - every acknowledged delete is still deleted;
//   - the list resourceVersion is >= every resourceVersion any client saw before the kill;
//   - the next write's resourceVersion is greater than all of them.
test('kill -9 at random moments under concurrent writers loses no acknowledged write; resourceVersions never go back', async () => {
  const TRIALS = 4;
  const CONCURRENCY = 16;
  const rng = seededRng(0x6b656d75);
  // Kill moments come from a generator of their own, so they do not depend on how many requests ran.
  const killRng = seededRng(0x6b696c6c);
  const dir = await tempDir('kemu-kill9-');
  dirs.push(dir);
  const prefixes = ['', '/clusters/spoke-1'];
  const coll = (prefix: string) => `${prefix}/api/v1/namespaces/crash/configmaps`;

  // `deleting`: a delete is in flight; `unknown`: the kill cut it, so either outcome is right.
  interface Known { path: string; rv: number; n: string; state: 'live' | 'deleting' | 'deleted' | 'unknown' }
  const acked = new Map<string, Known>();
  let highestSeenRV = 0;
  const seen = (rv: number) => { highestSeenRV = Math.max(highestSeenRV, rv); };
  const totals = { started: 0, creates: 0, updates: 0, deletes: 0, conflicts: 0, lists: 0, failedAtKill: 0, checked: 0 };

  let child = await spawnChildServer({ dataDir: dir, spokes: 1, extraArgs: ['--controllers', 'namespace'] });
  children.push(child);
  for (const p of prefixes) ok(await child.req('POST', `${p}/api/v1/namespaces`, ns('crash')), 201, `${p} create ns`);

  const verify = async (server: ChildServer, trial: number) => {
    const stored = new Map<string, Obj & { data?: Record<string, string> }>();
    for (const p of prefixes) {
      const r = await server.req('GET', coll(p));
      ok(r, 200, `${p} list after restart`);
      const l = r.json<List & { items: (Obj & { data?: Record<string, string> })[] }>();
      assert.ok(Number(l.metadata.resourceVersion) >= highestSeenRV,
        `trial ${trial}: list RV ${l.metadata.resourceVersion} >= every RV seen before the kill (${highestSeenRV})`);
      for (const o of l.items) stored.set(`${p}|${o.metadata.name}`, o);
    }
    for (const [id, k] of acked) {
      const o = stored.get(id);
      if (k.state === 'deleted') {
        assert.is(o, undefined, `trial ${trial}: acknowledged delete of ${id} stays deleted`);
        continue;
      }
      if (k.state === 'unknown') {
        k.state = o ? 'live' : 'deleted';
        if (!o) continue;
      }
      assert.ok(o, `trial ${trial}: acknowledged ${id} (rv ${k.rv}) is present`);
      const rv = Number(o?.metadata.resourceVersion);
      assert.ok(rv >= k.rv, `trial ${trial}: ${id} at rv ${rv} >= acknowledged ${k.rv}`);
      if (rv === k.rv) assert.is(o?.data?.n, k.n, `trial ${trial}: ${id} holds what its acknowledged write sent`);
      totals.checked++;
    }
    const probe = await server.req('POST', coll(''), cm(`probe-${trial}`, { n: `probe-${trial}` }));
    ok(probe, 201, `trial ${trial}: write after restart`);
    const rv = Number(probe.json<Obj>().metadata.resourceVersion);
    assert.ok(rv > highestSeenRV, `trial ${trial}: new write's RV ${rv} > every RV seen before (${highestSeenRV})`);
    acked.set(`|probe-${trial}`, { path: `${coll('')}/probe-${trial}`, rv, n: `probe-${trial}`, state: 'live' });
    seen(rv);
  };

  for (let trial = 1; trial <= TRIALS; trial++) {
    let killed = false;
    const live = () => [...acked.entries()].filter(([, k]) => k.state === 'live');
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const op = rng.next();
        const pick = live();
        totals.started++;
        try {
          if (op < 0.45 || pick.length < 8) {
            const prefix = prefixes[(w + i) % 2];
            const name = `t${trial}-w${w}-${i}`;
            const n = `${trial}.${w}.${i}`;
            const r = await child.req('POST', coll(prefix), cm(name, { n }));
            if (r.status !== 201) throw new Error(`create ${r.status} ${r.text}`);
            const rv = Number(r.json<Obj>().metadata.resourceVersion);
            acked.set(`${prefix}|${name}`, { path: `${coll(prefix)}/${name}`, rv, n, state: 'live' });
            seen(rv);
            totals.creates++;
          } else if (op < 0.8) {
            const [, k] = pick[Math.floor(rng.next() * pick.length)];
            const n = `${trial}.${w}.${i}.u`;
            const r = await child.req('PATCH', k.path, { data: { n } }, { 'Content-Type': 'application/merge-patch+json' });
            if (r.status !== 200) throw new Error(`patch ${r.status} ${r.text}`);
            const rv = Number(r.json<Obj>().metadata.resourceVersion);
            // Two clients may patch one object: the later acknowledgment is the one that counts.
            if (rv > k.rv) Object.assign(k, { rv, n });
            seen(rv);
            totals.updates++;
          } else if (op < 0.9) {
            const [, k] = pick[Math.floor(rng.next() * pick.length)];
            k.state = 'deleting'; // out of the pool at once, so no other client patches it meanwhile
            try {
              const r = await child.req('DELETE', k.path);
              if (r.status !== 200) throw new Error(`delete ${r.status} ${r.text}`);
              k.state = 'deleted';
            } finally {
              if (k.state === 'deleting') k.state = 'unknown';
            }
            totals.deletes++;
          } else if (op < 0.95) {
            const [id] = pick[Math.floor(rng.next() * pick.length)];
            const [prefix, name] = id.split('|');
            const r = await child.req('POST', coll(prefix), cm(name, { n: 'dup' }));
            if (r.status !== 409) throw new Error(`duplicate create ${r.status} ${r.text}`);
            totals.conflicts++;
          } else {
            const r = await child.req('GET', coll(prefixes[i % 2]));
            if (r.status !== 200) throw new Error(`list ${r.status}`);
            seen(Number(r.json<List>().metadata.resourceVersion));
            totals.lists++;
          }
        } catch (e) {
          if (killed) { totals.failedAtKill++; return; }
          throw e;
        }
      }
    };
    const killAfterMs = 300 + Math.floor(killRng.next() * 1200);
    const timer = setTimeout(() => { killed = true; child.proc.kill('SIGKILL'); }, killAfterMs);
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    clearTimeout(timer);
    const exit = await child.stop('SIGKILL', 5_000);
    assert.is(exit.signal, 'SIGKILL', `trial ${trial}: the server died of SIGKILL`);
    child = await spawnChildServer({ dataDir: dir, spokes: 1, extraArgs: ['--controllers', 'namespace'] });
    children.push(child);
    await verify(child, trial);
  }
  const exit = await child.stop('SIGTERM', 10_000);
  assert.is(exit.code, 0, 'the last server stops cleanly');
  console.log(`  kill -9: ${TRIALS} trials, ${totals.started} requests (${totals.creates} creates, ${totals.updates} updates, `
    + `${totals.deletes} deletes, ${totals.conflicts} expected 409s, ${totals.lists} lists acknowledged), ${totals.failedAtKill} cut by the kill; `
    + `${totals.checked} acknowledged writes checked after restarts, 0 lost, highest RV ${highestSeenRV}`);
});

// A create that finds its key taken settles a resourceVersion it never wrote; lists may report
// it, so the persisted counter moves past it too.
test('a write that loses its race still moves the persisted resourceVersion counter', async () => {
  const dir = await tempDir('kemu-rv-');
  dirs.push(dir);
  const key = { cluster: 'hub', group: '', resource: 'configmaps', namespace: 'd', name: 'a' };
  let store = Store.open({ path: join(dir, 'store.mdb') });
  const first = await store.create(key, cm('a') as unknown as KubeObject);
  assert.ok(first !== 'exists' && !isStatus(first));
  assert.is(await store.create(key, cm('a') as unknown as KubeObject), 'exists');
  const reported = store.currentRV;
  assert.is(reported, 2, 'the lost create settled resourceVersion 2');
  await store.close();
  store = Store.open({ path: join(dir, 'store.mdb') });
  try {
    assert.ok(store.openedAtRV >= reported, `reopened at ${store.openedAtRV} >= ${reported}`);
    const next = await store.create({ ...key, name: 'b' }, cm('b') as unknown as KubeObject);
    assert.ok(next !== 'exists' && !isStatus(next) && next.rv > reported, 'the next write gets a greater resourceVersion');
  } finally {
    await store.close();
  }
});

test.run();
