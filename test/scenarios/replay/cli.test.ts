// `kemu replay` as a user calls it: exit code 0 and the summary for a good log; exit code 2 with the
// line number for a malformed one, and with the clusters for a log whose clusters the target lacks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kemuCli } from '../../helpers/kemu-cli.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';

const LOG = join(import.meta.dirname, 'fixtures', 'audit.log');

const kemu = (...args: string[]) => kemuCli(args);

let dir = '';
let server: TestServer;
let target: string[] = [];
test.before(async () => {
  dir = await tempDir('kemu-replay-cli-');
  server = await startTestServer({ spokes: 1 });
  const ca = join(dir, 'ca.crt');
  await writeFile(ca, server.server.caCertPem);
  target = ['--target', server.server.url, `--token=${server.server.adminToken}`, '--ca', ca];
});
test.after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('kemu replay: exit 0, the summary on stdout, report.json written', async () => {
  const out = join(dir, 'out');
  const r = await kemu('replay', LOG, ...target, '--speed', 'max', '--concurrency', '4', '--map-clusters', '*=hub', '--out', out);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'scenario audit.log');
  assert.match(r.stdout, /skipped watch\s+1/);
  assert.match(r.stdout, /replayed\s+11/);
  assert.match(r.stdout, /create\s+configmaps\s+3/);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { counters: Record<string, number> };
  assert.is(report.counters.succeeded, 11);
});

test('kemu replay: a malformed line is exit 2 with its number; unknown clusters are listed; bad flags named', async () => {
  const bad = join(dir, 'bad.log');
  const lines = (await readFile(LOG, 'utf8')).split('\n');
  await writeFile(bad, [lines[0], lines[1], '{"kind":"Event",', lines[2]].join('\n'));
  let r = await kemu('replay', bad, ...target);
  assert.is(r.code, 2);
  assert.match(r.stderr, `${bad}:3: not JSON`);

  const elsewhere = join(dir, 'elsewhere.log');
  await writeFile(elsewhere, lines.slice(0, 6).map((l) => l.replace('"annotations":{', '"annotations":{"kemu.io/cluster":"spoke-9",')).join('\n'));
  r = await kemu('replay', elsewhere, ...target, '--quiet');
  assert.is(r.code, 2);
  assert.match(r.stderr, 'clusters spoke-9 are not in the target (it has hub, spoke-1)');
  r = await kemu('replay', elsewhere, ...target, '--quiet', '--map-clusters', 'spoke-9=spoke-1', '--out', join(dir, 'mapped'));
  assert.is(r.code, 0, r.stderr);

  r = await kemu('replay', LOG, ...target, '--speed', 'fast');
  assert.is(r.code, 2);
  assert.match(r.stderr, '--speed must be a positive number or max');
  r = await kemu('replay', LOG, '--target', 'https://127.0.0.1:1', '--token', 't', '--ca', join(dir, 'ca.crt'));
  assert.is(r.code, 2);
  assert.match(r.stderr, 'cannot reach https://127.0.0.1:1');
});

test.run();
