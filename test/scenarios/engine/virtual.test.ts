// Scenarios on the virtual clock against the embedded emulator: modeled minutes in real seconds,
// with the server's lifecycle delays on the same clock as the load client's rate limits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runScenarioCommand } from '../../../bin/scenario-commands.js';
import { repoRoot } from '../../../model/fixtures.js';
import { VirtualClock } from '../../../model/virtual-clock.js';
import { runCommand } from '../../../scenarios/engine/main.js';
import { ScenarioError } from '../../../scenarios/engine/spec.js';
import type { Report } from '../../../scenarios/report/types.js';
import { tempDir } from '../../helpers/server.js';

let dir = '';
test.before(async () => { dir = await tempDir('kemu-virtual-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

const fixture = (p: string): string => join(repoRoot(), 'fixtures', p);

// 30 ConfigMaps at 0.1 per second (the first at once, then one every 10 s: 290 modeled seconds)
// while 5 VMIs go through the kwok VMI stages, each watched until Running.
const TRICKLE = `
name: virtual-trickle
description: A slow trickle that would take five real minutes.
server:
  crdsDir: ${JSON.stringify(fixture('crds/kubevirt'))}
  hubNodes: 2
client: { qps: 50, burst: 100 }
steps:
  - name: setup
    phases:
      - name: namespace
        action: create
        count: 1
        template: { apiVersion: v1, kind: Namespace, metadata: { name: trickle } }
  - name: trickle
    phases:
      - name: configmaps
        action: create
        count: 30
        rate: 0.1
        workers: 2
        namespace: trickle
        template: { apiVersion: v1, kind: ConfigMap, metadata: { name: "cm-{{i}}" }, data: { i: "{{i}}" } }
      - name: seen
        action: wait
        resource: { apiVersion: v1, kind: ConfigMap }
        count: 30
        until: "data.i >= 0"
        timing: cm-create-to-seen
        timeoutSeconds: 600
      - name: vmis
        action: create
        count: 5
        rate: 0.05
        namespace: trickle
        objectName: "vmi-{{i}}"
        templateFile: ${JSON.stringify(fixture('manifests/kubevirt/vmi-ephemeral.yaml'))}
      - name: running
        action: wait
        resource: { apiVersion: kubevirt.io/v1, kind: VirtualMachineInstance }
        count: 5
        until: "status.phase == 'Running'"
        timing: vmi-create-to-running
        timeoutSeconds: 600
`;

function phases(r: Report) {
  return r.steps.flatMap((s) => s.phases);
}

// The kwok VMI stages (fixtures/kwok-stages/vmi): Pending 0–0.2 s, Scheduling 0.5–1 s, Scheduled
// and Running 1–2 s each after the one before; with no capacity profile, requests and watch
// events take no modeled time, so every VMI's creation-to-Running lies within their sum.
function assertVmiTimings(r: Report, count: number): void {
  const t = r.timings['vmi-create-to-running'];
  assert.is(t.count, count);
  assert.ok(t.p50Ms >= 2500 && t.maxMs <= 8200, JSON.stringify(t));
}

test('a 290-second trickle runs in real seconds, on modeled time, every item done', async () => {
  const file = join(dir, 'trickle.yaml');
  await writeFile(file, TRICKLE);
  const clock = new VirtualClock();
  const real = performance.now();
  const { report } = await runCommand({ scenario: file, scale: 1, sets: {}, out: join(dir, 'trickle'), progress: false, clock });
  const realSeconds = (performance.now() - real) / 1000;
  clock.stop();
  process.stdout.write(`\n  trickle: ${report.durationSeconds.toFixed(1)} modeled s in ${realSeconds.toFixed(1)} real s, ${clock.stats.advances} advances\n`);
  assert.is(report.clock, 'virtual');
  assert.ok(report.durationSeconds >= 290, `${report.durationSeconds}`);
  assert.ok(realSeconds < 20, `${realSeconds} s real`);
  assert.equal(phases(report).map((p) => [p.name, p.succeeded, p.failed, p.error ?? '']), [
    ['namespace', 1, 0, ''], ['configmaps', 30, 0, ''], ['seen', 30, 0, ''], ['vmis', 5, 0, ''], ['running', 5, 0, ''],
  ]);
  assertVmiTimings(report, 5);
  // The sampler ticks every modeled second.
  assert.ok(report.series.seconds.length >= 290, `${report.series.seconds.length} samples`);
  assert.is(report.verdict, 'pass');
});

test('kubevirt-density at 1% on the virtual clock: VMIs Running after the kwok stage delays', async () => {
  const clock = new VirtualClock();
  const real = performance.now();
  const { report } = await runCommand({ scenario: 'kubevirt-density', scale: 0.01, sets: {}, out: join(dir, 'kv'), progress: false, clock });
  const realSeconds = (performance.now() - real) / 1000;
  clock.stop();
  process.stdout.write(`  kubevirt-density: ${report.durationSeconds.toFixed(1)} modeled s in ${realSeconds.toFixed(1)} real s\n`);
  assert.is(report.clock, 'virtual');
  assert.equal(phases(report).filter((p) => p.error).map((p) => p.error), []);
  assert.is(report.counters['running-4'], 19);
  assertVmiTimings(report, 19);
  // Four steps, each waiting for its slowest VMI: at least 4 × 2.5 modeled seconds.
  assert.ok(report.durationSeconds >= 10, `${report.durationSeconds}`);
  assert.is(report.verdict, 'pass');
});

test('--clock virtual is refused for a target outside this process', async () => {
  const err = await runCommand({ scenario: 'apf-load', scale: 0.01, sets: {}, out: join(dir, 'remote'), progress: false, target: 'https://127.0.0.1:1', clock: new VirtualClock() }).catch((e: unknown) => e);
  assert.instance(err, ScenarioError);
  assert.match((err as Error).message, '--clock virtual needs the embedded target');
  const write = process.stderr.write;
  const said: string[] = [];
  process.stderr.write = ((s: string) => { said.push(s); return true; }) as typeof process.stderr.write;
  try {
    assert.is(await runScenarioCommand(['apf-load', '--clock', 'virtual', '--target', 'https://127.0.0.1:1', '--quiet']), 2);
    assert.is(await runScenarioCommand(['apf-load', '--clock', 'sundial', '--quiet']), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(said.join(''), '--clock virtual needs the embedded target');
  assert.match(said.join(''), '--clock must be real or virtual');
});

test.run();
