// Graceful shutdown on SIGTERM: kemu stops accepting connections, lets the requests in flight
// finish, ends watches with a clean end of stream, closes the store and exits 0; what the
// in-flight write stored is there after a restart. The drain is bounded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:https';
import { connect } from 'node:net';
import { rm } from 'node:fs/promises';
import { spawnChildServer, type ChildServer } from '../helpers/child-server.js';
import { startTestServer, tempDir } from '../helpers/server.js';

const dirs: string[] = [];
const children: ChildServer[] = [];
test.after(async () => {
  for (const c of children) await c.stop('SIGKILL', 5_000);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CM = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

/** A watch over HTTP: resolves `ended` true when the chunked stream ended cleanly, false when cut. */
function watch(url: string, ca: string, token: string, path: string): Promise<{ ended: Promise<boolean> }> {
  return new Promise((resolve, reject) => {
    const r = request(new URL(path, url), { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const ended = new Promise<boolean>((done) => {
        res.on('end', () => done(true));
        res.on('aborted', () => done(false));
        res.on('error', () => done(false));
      });
      res.resume();
      resolve({ ended });
    });
    r.on('error', reject);
    r.end();
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('SIGTERM: no new connections, the in-flight write finishes, watches end cleanly, exit 0, the write is kept', async () => {
  const dir = await tempDir('kemu-shutdown-');
  dirs.push(dir);
  const child = await spawnChildServer({ dataDir: dir, extraArgs: ['--controllers', 'namespace'] });
  children.push(child);
  const port = Number(new URL(child.url).port);
  assert.is((await child.req('POST', '/api/v1/namespaces', { metadata: { name: 'slow' } })).status, 201);
  // Creates in namespace "slow" take 1.5 s: one will be in flight when the signal comes.
  const rules = { rules: [{ name: 'slow-creates', match: { verbs: ['create'], namespaces: ['slow'] }, action: { type: 'latency', ms: 1500 } }] };
  assert.is((await child.req('PUT', '/kemu/v1/faults', rules)).status, 200);
  const watches = await Promise.all([CM('default'), CM('slow'), '/api/v1/namespaces'].map((p) => watch(child.url, child.caCertPem, child.token, `${p}?watch=true`)));

  const inFlight = child.req('POST', CM('slow'), { metadata: { name: 'in-flight' }, data: { k: 'v' } });
  await sleep(300);
  const signalled = Date.now();
  child.proc.kill('SIGTERM');
  await sleep(300);
  assert.ok(await refused(port), 'no new connection is accepted once shutdown began');
  const written = await inFlight;
  assert.is(written.status, 201, `the in-flight create finishes: ${written.text}`);
  for (const w of watches) assert.ok(await w.ended, 'each watch stream ends cleanly');
  // Wait for the exit without signalling again: a second SIGTERM ends kemu at once, as it ends kube-apiserver.
  while (!child.exited && Date.now() - signalled < 10_000) await sleep(20);
  const ms = Date.now() - signalled;
  const exit = await child.stop('SIGKILL');
  assert.equal(exit, { code: 0, signal: null }, `clean exit: ${child.output().slice(-500)}`);
  assert.ok(ms < 5_000, `stopped ${ms} ms after the signal`);
  assert.match(child.output(), /"msg":"shutting down"/);
  assert.match(child.output(), /kemu stopped/);

  const again = await spawnChildServer({ dataDir: dir, extraArgs: ['--controllers', 'namespace'] });
  children.push(again);
  const kept = await again.req('GET', `${CM('slow')}/in-flight`);
  assert.is(kept.status, 200, 'the write finished during the drain is stored');
  assert.equal(kept.json<{ data: Record<string, string> }>().data, { k: 'v' });
  await again.stop('SIGTERM');
});

test('the drain is bounded: a request still running at the bound has its connection closed', async () => {
  const t = await startTestServer({ spokes: 0, controllers: 'namespace', http: { shutdownDrainMs: 500 } });
  const rules = { rules: [{ name: 'stuck', match: { verbs: ['list'], resources: ['secrets'] }, action: { type: 'latency', ms: 10_000 } }] };
  assert.is((await t.req('PUT', '/kemu/v1/faults', rules)).status, 200);
  const stuck = t.req('GET', '/api/v1/secrets').then((r) => `HTTP ${r.status}`, (e: Error) => e.message);
  await sleep(200);
  const started = Date.now();
  await t.close();
  const ms = Date.now() - started;
  assert.ok(ms < 2_000, `closed in ${ms} ms with a 500 ms drain bound`);
  assert.not.match(await stuck, /^HTTP/, 'the stuck request got no answer');
});

test.run();
