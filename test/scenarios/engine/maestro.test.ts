// maestro-manifestworks at 1% (30 spokes) with 5 works per cluster at 200/s: every work created,
// applied to its spoke by the simulated agents and reported Applied then Available on the hub.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../../scenarios/engine/main.js';
import type { Report } from '../../../scenarios/report/types.js';
import { tempDir } from '../../helpers/server.js';

function phase(r: Report, name: string) {
  const p = r.steps.flatMap((s) => s.phases).find((x) => x.name === name);
  assert.ok(p, `phase ${name} in the report`);
  return p;
}

test('maestro-manifestworks at 1%: 150 works created, 300 status updates, all Available, guestbook on every spoke', async () => {
  const dir = await tempDir('kemu-maestro-');
  try {
    const started = performance.now();
    const { report } = await runCommand({
      scenario: 'maestro-manifestworks', scale: 0.01, sets: { worksPerCluster: '5', rate: '200', availableP99Ms: '60000' },
      out: join(dir, 'out'), progress: false,
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(report.steps.flatMap((s) => s.phases).filter((p) => p.failed > 0 || p.error).map((p) => `${p.name}: ${p.error}`), []);
    assert.is(phase(report, 'namespaces').succeeded, 30);
    assert.is(phase(report, 'managedclusters').succeeded, 30);
    assert.is(phase(report, 'create-works').succeeded, 150);
    assert.is(phase(report, 'work-agents').succeeded, 150);
    assert.is(phase(report, 'works-seen-available').succeeded, 150);
    assert.is(report.counters['status-updates'], 300);
    assert.is(report.counters['works-available'], 150);
    assert.is(report.timings['work-create-to-applied'].count, 150);
    assert.is(report.timings['work-create-to-available'].count, 150);
    assert.ok(report.timings['work-create-to-available'].p50Ms >= report.timings['work-create-to-applied'].p50Ms);
    const statusPatches = report.requests.find((r) => r.verb === 'patch' && r.resource === 'manifestworks/status');
    assert.is(statusPatches?.count, 300);
    // 6 guestbook manifests per work, server-side applied to its spoke.
    const applies = report.requests.filter((r) => r.verb === 'apply').reduce((n, r) => n + r.count, 0);
    assert.is(applies, 900);
    assert.ok((report.counters['workqueue work-agents adds'] ?? 0) >= 150);
    assert.equal(report.slos.map((s) => [s.name, s.ok]), [['available-p99', true], ['all-available', true], ['status-updates', true]]);
    assert.is(report.verdict, 'pass');
    assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('maestro-manifestworks with watch=namespace: one hub watch per spoke, every work Available', async () => {
  const dir = await tempDir('kemu-maestro-ns-');
  try {
    const { report } = await runCommand({
      scenario: 'maestro-manifestworks', scale: 0.01, sets: { worksPerCluster: '2', rate: '200', watch: 'namespace', availableP99Ms: '60000' },
      out: join(dir, 'out'), progress: false,
    });
    assert.equal(report.steps.flatMap((s) => s.phases).filter((p) => p.failed > 0 || p.error).map((p) => `${p.name}: ${p.error}`), []);
    assert.is(phase(report, 'work-agents').succeeded, 60);
    assert.is(report.counters['status-updates'], 120);
    // 30 agents' lists and watches on the hub, plus the wait phase's one of each.
    const lists = report.requests.find((r) => r.verb === 'list' && r.resource === 'manifestworks');
    assert.ok((lists?.count ?? 0) >= 31, JSON.stringify(lists));
    assert.is(report.verdict, 'pass');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
