// The hive-syncsets built-in scenario at 1% (10 clusters) with 6 SelectorSyncSets: the simulated
// Hive controller creates and applies all 60 SyncSetInstances in both apply modes, every spoke
// checked gets the 6 × 10 ConfigMaps, and the workqueue's figures reach the report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../../scenarios/engine/main.js';
import type { Report } from '../../../scenarios/report/types.js';
import { tempDir } from '../../helpers/server.js';

let dir = '';
test.before(async () => { dir = await tempDir('kemu-hive-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

function phase(r: Report, name: string) {
  const p = r.steps.flatMap((s) => s.phases).find((x) => x.name === name);
  assert.ok(p, `phase ${name} in the report`);
  return p!;
}

for (const applyMode of ['client-side', 'server-side'] as const) {
  test(`hive-syncsets at 1%, 6 syncsets, ${applyMode}: 60 SSIs created and applied, spokes hold 60 ConfigMaps`, async () => {
    const started = performance.now();
    const { report } = await runCommand({
      scenario: 'hive-syncsets', scale: 0.01, sets: { applyOverheadMs: '0', syncsets: '6', applyMode, apiP99Ms: '60000' },
      out: join(dir, applyMode), progress: false,
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(report.steps.flatMap((s) => s.phases).filter((p) => p.failed > 0 || p.error).map((p) => `${p.name}: ${p.error}`), []);
    assert.is(phase(report, 'clusterdeployments').succeeded, 10);
    assert.is(phase(report, 'selectorsyncsets').succeeded, 6);
    const ssis = phase(report, 'syncsetinstances');
    assert.equal([ssis.action, ssis.count, ssis.succeeded, ssis.failed], ['run', 60, 60, 0]);
    assert.is(report.counters['ssis-created'], 60);
    assert.is(report.counters['ssis-applied'], 60);
    assert.is(report.counters['spoke-first-configmaps'], 60);
    assert.is(report.counters['spoke-last-configmaps'], 60);
    assert.ok(report.counters['workqueue syncsetinstances adds'] >= 60, JSON.stringify(report.counters));
    assert.is(report.timings['ssi-reconcile'].count, 60 + (report.counters['ssi-reconcile-errors'] ?? 0));
    assert.is(report.timings['list-selectorsyncsets'].count, 1);
    // One status write per SSI; the spokes saw the mode's verbs.
    const reqs = (verb: string, resource: string) => report.requests.find((r) => r.verb === verb && r.resource === resource)?.count ?? 0;
    assert.is(reqs('create', 'syncsetinstances.hive.openshift.io'), 60);
    assert.is(reqs('patch', 'syncsetinstances.hive.openshift.io/status'), 60);
    if (applyMode === 'server-side') assert.is(reqs('apply', 'configmaps'), 600);
    else {
      assert.is(reqs('get', 'configmaps'), 600);
      assert.is(reqs('create', 'configmaps'), 600);
    }
    assert.is(report.verdict, 'pass', JSON.stringify(report.slos));
    assert.ok(seconds < 60, `ran in ${seconds.toFixed(1)} s`);
  });
}

test.run();
