// `kemu run`, `kemu scenarios` and `kemu compare` as a user calls them: exit codes, the summary
// on stdout, the report files, and line-and-field errors for a broken scenario file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kemuCli } from '../helpers/kemu-cli.js';
import { startTestServer, tempDir } from '../helpers/server.js';

const kemu = (...args: string[]) => kemuCli(args);

let dir = '';
test.before(async () => { dir = await tempDir('kemu-run-cli-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

// 20 ConfigMaps, and an SLO no server can meet: the run succeeds, the verdict fails.
const STRICT = `name: strict
description: Twenty ConfigMaps with an impossible latency objective.
params:
  n: { value: 20, scaled: true }
slos:
  - name: impossible
    latency: { verbs: [create], percentile: 99 }
    maxMs: 0.000001
  - name: all-created
    counter: cms
    min: "{{n}}"
steps:
  - name: create
    phases:
      - name: cms
        action: create
        count: "{{n}}"
        workers: 4
        template: { apiVersion: v1, kind: ConfigMap, metadata: { name: "cm-{{i}}" }, data: { i: "{{i}}" } }
`;

test('kemu scenarios lists the built-in scenarios with their descriptions', async () => {
  const r = await kemu('scenarios');
  assert.is(r.code, 0);
  assert.match(r.stdout, /^apf-load\n {4}The API Priority and Fairness load test/m);
  assert.match(r.stdout, /^kubevirt-density\n {4}KubeVirt VMI density/m);
});

test('a scenario with a typo exits 2 with file, line, column and field, before anything runs', async () => {
  const file = join(dir, 'typo.yaml');
  await writeFile(file, STRICT.replace('        workers: 4', '        wrokers: 4'));
  const r = await kemu('run', file, '--out', join(dir, 'typo-out'));
  assert.is(r.code, 2);
  assert.match(r.stderr, `${file}:18:9: steps[0].phases[0].wrokers: unknown field "wrokers" (did you mean "workers"?)`);
  await stat(join(dir, 'typo-out')).then(() => assert.unreachable('no report for a rejected file'), () => undefined);
});

test('a failed SLO exits 1 with the summary and both report files; compare puts two reports side by side', async () => {
  const file = join(dir, 'strict.yaml');
  await writeFile(file, STRICT);
  const out = join(dir, 'strict-out');
  const r = await kemu('run', file, '--out', out, '--set', 'n=30');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /scenario strict .*verdict FAIL/);
  assert.match(r.stdout, /impossible .* FAIL/);
  assert.match(r.stdout, /all-created +30 +30 +count +PASS/);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { counters: Record<string, number>; verdict: string };
  assert.is(report.counters.cms, 30);
  assert.is(report.verdict, 'fail');
  assert.match(await readFile(join(out, 'report.html'), 'utf8'), '<html');
  const c = await kemu('compare', join(out, 'report.json'), join(out, 'report.json'));
  assert.is(c.code, 0, c.stderr);
  assert.match(c.stdout, /cms .*\| +30 +\| +30 +\| +1\.00/);
  const bad = await kemu('compare', join(out, 'report.html'), join(out, 'report.json'));
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'is not a kemu report');
});

test('a URL target that is gone, or whose CA cannot be read, exits 2 at once with a clear message', async () => {
  const server = await startTestServer();
  const ca = join(dir, 'ca.crt');
  await writeFile(ca, server.server.caCertPem);
  const url = server.server.url;
  await server.close();
  const gone = await kemu('run', 'apf-load', '--scale', '0.01', '--target', url, '--token', 't', '--ca', ca, '--out', join(dir, 'gone'));
  assert.is(gone.code, 2);
  assert.match(gone.stderr, `kemu run: cannot reach ${url}: ECONNREFUSED`);
  const noCa = await kemu('run', 'apf-load', '--target', url, '--token', 't', '--ca', join(dir, 'missing.crt'));
  assert.is(noCa.code, 2);
  assert.match(noCa.stderr, `kemu run: --target ${url}: cannot read the CA from ${join(dir, 'missing.crt')}`);
});

test.run();
