// The built-in scenarios at --scale 0.01 against the embedded emulator, asserting figures from
// their reports; and targets that cannot be reached or refuse the credentials fail fast.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCommand } from '../../../scenarios/engine/main.js';
import { ScenarioError } from '../../../scenarios/engine/spec.js';
import { compareReports } from '../../../scenarios/report/compare.js';
import type { Report } from '../../../scenarios/report/types.js';
import { startTestServer, tempDir } from '../../helpers/server.js';

let dir = '';
test.before(async () => { dir = await tempDir('kemu-run-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

function phase(r: Report, name: string) {
  const p = r.steps.flatMap((s) => s.phases).find((x) => x.name === name);
  assert.ok(p, `phase ${name} in the report`);
  return p;
}

let apfOn: Report | undefined;

// The latency SLOs are loosened: two shared cores under a parallel test suite can miss 1 s, and
// these tests are about counts. test/bin/run-cli.test.ts checks a failing SLO sets the verdict.
test('apf-load at 1%: every object created, Deployments ready, namespaces deleted, SLOs held', async () => {
  const { report, files } = await runCommand({ scenario: 'apf-load', scale: 0.01, sets: { mutatingP99Ms: '60000' }, out: join(dir, 'apf-on'), progress: false });
  apfOn = report;
  assert.equal(report.steps.flatMap((s) => s.phases).filter((p) => p.failed > 0 || p.error).map((p) => p.error), []);
  assert.is(phase(report, 'namespaces').succeeded, 10);
  assert.is(phase(report, 'serviceaccounts').succeeded, 10);
  assert.is(phase(report, 'deployments').succeeded, 7);
  assert.is(phase(report, 'secrets-and-configmaps').succeeded, 1000);
  assert.is(report.counters['deployments-ready'], 7);
  assert.is(report.timings['deployment-create-to-ready'].count, 7);
  const creates = report.requests.filter((r) => r.verb === 'create').reduce((n, r) => n + r.count, 0);
  assert.ok(creates >= 10 + 10 + 7 * 4 + 2000, `creates ${creates}`);
  assert.is(report.requests.find((r) => r.verb === 'create' && r.resource === 'secrets')?.count, 1007);
  assert.is(report.target.options.enablePriorityAndFairness, true);
  assert.equal(report.slos.map((x) => [x.name, x.ok]), [['mutating-p99', true], ['deployments-ready', true]]);
  assert.ok((report.slos[0].value ?? 0) > 0);
  assert.is(report.verdict, 'pass');
  assert.ok(report.series.seconds.length >= 2);
  assert.ok(Object.keys(report.series.values).some((k) => k.startsWith('inflight/')), 'in-flight sampled from /metrics');
  const saved = JSON.parse(await readFile(files.json, 'utf8')) as Report;
  assert.is(saved.counters['deployments-ready'], 7);
});

test('apf-load at 1% with APF off and max-in-flight 4: 429s with Retry-After, everything still created, compare shows both', async () => {
  const { report } = await runCommand({
    scenario: 'apf-load', scale: 0.01, sets: { apf: 'false', maxInflight: '4', maxMutatingInflight: '4', mutatingP99Ms: '60000' }, out: join(dir, 'apf-off'), progress: false,
  });
  assert.is(report.target.options.enablePriorityAndFairness, false);
  assert.is(phase(report, 'secrets-and-configmaps').succeeded, 1000);
  const tooMany = report.responses.filter((r) => r.code === 429).reduce((n, r) => n + r.count, 0);
  assert.ok(tooMany > 0, 'the client saw 429s');
  assert.ok(report.retryAfter.count > 0 && report.retryAfter.maxSeconds >= 1, JSON.stringify(report.retryAfter));
  assert.ok(report.rejections.some((r) => r.reason === 'max-in-flight mutating' && r.count > 0), JSON.stringify(report.rejections));
  assert.ok(apfOn, 'the APF-on run ran first');
  const table = compareReports(apfOn!, report, { a: 'apf on', b: 'apf off' });
  assert.match(table, 'apf on');
  assert.match(table, 'apf off');
});

test('kubevirt-density at 1%: 1, 4, 6 and 8 VMIs Running, creation-to-Running timed for each', async () => {
  const { report } = await runCommand({ scenario: 'kubevirt-density', scale: 0.01, sets: { apiP99Ms: '60000' }, out: join(dir, 'kv'), progress: false });
  assert.equal(report.steps.flatMap((s) => s.phases).filter((p) => p.error).map((p) => p.error), []);
  assert.is(report.counters['create-1'], 1);
  assert.is(report.counters['create-4'], 8);
  assert.is(report.counters['running-4'], 19);
  const t = report.timings['vmi-create-to-running'];
  assert.is(t.count, 19);
  assert.ok(t.p50Ms > 0 && t.p99Ms >= t.p50Ms, JSON.stringify(t));
  assert.ok((report.counters['running-4-per-second'] ?? 0) > 0);
  assert.equal(report.slos.map((s) => [s.name, s.ok]), [['api-mutating-p99', true], ['api-read-p99', true], ['vmi-running-p99', true], ['all-running', true]]);
  assert.is(report.verdict, 'pass');
});

test('an unreachable target fails fast with the address in the message', async () => {
  const server = await startTestServer();
  const kc = parse(await readFile(server.kubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
  await server.close();
  await writeFile(join(dir, 'dead.kubeconfig'), stringify(kc));
  const started = Date.now();
  const err = await runCommand({ scenario: 'apf-load', scale: 0.01, sets: {}, out: join(dir, 'dead'), progress: false, kubeconfig: join(dir, 'dead.kubeconfig') }).catch((e: unknown) => e);
  assert.instance(err, ScenarioError);
  assert.match((err as Error).message, /^cannot reach https:\/\/127\.0\.0\.1:\d+/);
  assert.ok(Date.now() - started < 15_000);
});

test('a target refusing the credentials fails fast with 401 in the message', async () => {
  const server = await startTestServer();
  try {
    const kc = parse(await readFile(server.kubeconfig, 'utf8')) as { users: Array<{ user: { token: string } }> };
    kc.users[0].user.token = 'not-the-token';
    await writeFile(join(dir, 'bad.kubeconfig'), stringify(kc));
    const err = await runCommand({ scenario: 'apf-load', scale: 0.01, sets: {}, out: join(dir, 'bad'), progress: false, kubeconfig: join(dir, 'bad.kubeconfig') }).catch((e: unknown) => e);
    assert.instance(err, ScenarioError);
    assert.match((err as Error).message, 'refused the credentials (401 Unauthorized)');
  } finally {
    await server.close();
  }
});

test.run();
