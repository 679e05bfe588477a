// The benchmark suite runs end to end (bench/run.ts --smoke: every workload at tiny counts
// against an embedded kemu) and writes its result and table. No thresholds on time: CI machines
// are noisy; this checks that each workload did work and saw no errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compare, select, type SuiteResult } from '../../bench/suite.js';
import { suite } from '../../bench/workloads/index.js';
import { REPO_ROOT } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';

function runSmoke(out: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { output += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { output += s; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

test('npm run bench -- --smoke runs every workload and writes the result and its table', async () => {
  const out = await tempDir('kemu-bench-smoke-');
  try {
    const t0 = performance.now();
    const { code, output } = await runSmoke(out, 120_000);
    const seconds = (performance.now() - t0) / 1000;
    assert.is(code, 0, `exit code ${code}:\n${output.slice(-4000)}`);
    const files = await readdir(out);
    const json = files.filter((f) => f.endsWith('-embedded.json'));
    assert.is(json.length, 1, `one result file, got ${files.join(', ')}`);
    assert.ok(files.includes(json[0].replace(/\.json$/, '.md')), 'the markdown table is written next to it');
    const r = JSON.parse(await readFile(join(out, json[0]), 'utf8')) as SuiteResult;
    assert.is(r.bench, 'suite');
    assert.is(r.target, 'embedded');
    assert.ok(r.cores > 0 && r.totalMemoryMB > 0 && r.node.startsWith('v'), 'machine info');
    assert.match(r.commit, /^([0-9a-f]{40}|unknown)$/);
    assert.ok(r.options.smoke);
    const names = suite(true).map((w) => w.name);
    assert.equal(r.workloads.map((w) => w.workload), names, 'every workload, in order');
    for (const w of r.workloads) {
      assert.not.ok(w.error, `${w.workload}: ${w.error}`);
      assert.not.ok(w.skipped, `${w.workload} skipped: ${w.skipped}`);
      assert.ok(w.rows.length > 0, `${w.workload} has figures`);
      assert.ok(w.serverMemory && w.serverMemory.rssKB > 0, `${w.workload}: server RSS recorded`);
      for (const row of w.rows) {
        assert.ok(row.requests > 0, `${row.name}: requests ${row.requests}`);
        assert.is(row.errors, 0, `${row.name}: errors ${row.errors} ${JSON.stringify(row.extra)}`);
        assert.ok(row.reqPerSec > 0, `${row.name}: rate ${row.reqPerSec}`);
      }
    }
    const md = await readFile(join(out, json[0].replace(/\.json$/, '.md')), 'utf8');
    assert.match(md, /\| workload \| req\/s \| p50 ms \| p99 ms \|/);
    assert.match(md, /\| list-60k paged \|/);
    // Side by side with itself: every ratio 1.
    const side = compare(r, r);
    assert.match(side, /\| get \| [\d,]+ \| [\d,]+ \| 1\.00× \|/);
    process.stderr.write(`  (bench smoke: ${seconds.toFixed(1)} s)\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('--only picks workloads by name or by the prefix before a dash', () => {
  const all = suite(true);
  assert.equal(select(all, ['list']).map((w) => w.name), ['list-100', 'list-10k', 'list-60k']);
  assert.equal(select(all, ['get', 'patch']).map((w) => w.name), ['get', 'patch-merge', 'patch-apply']);
  assert.throws(() => select(all, ['nope']), /unknown workload/);
});

test.run();
