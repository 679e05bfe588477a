import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReports, loadReport } from '../../../scenarios/report/compare.js';
import type { Report } from '../../../scenarios/report/types.js';
import { fixtureReport } from './fixture.js';

// B: a shorter run with APF tuned: no throttling, faster creates, twice the gets, no watch,
// a new patch of nodes, more memory.
function variant(): Report {
  const a = fixtureReport();
  const [create, get, list, , del] = a.requests;
  if (create === undefined || get === undefined || list === undefined || del === undefined) throw new Error('fixture changed');
  return {
    ...a,
    durationSeconds: 41,
    requests: [
      { ...create, errors: 0, p50Ms: 4.1, p99Ms: 42.65 },
      { ...get, count: 600 },
      list,
      del,
      { verb: 'patch', resource: 'nodes', count: 10, errors: 0, retries: 0, meanMs: 3, p50Ms: 3, p90Ms: 4, p99Ms: 5, maxMs: 6 },
    ],
    responses: [],
    rejections: [],
    retryAfter: { count: 0, maxSeconds: 0, totalWaitSeconds: 0 },
    counters: { ...a.counters, podsFailed: 2 },
    timings: { creationToRunning: { count: 1200, meanMs: 1000, p50Ms: 900, p90Ms: 1500, p99Ms: 2050, maxMs: 2600 } },
    series: {
      ...a.series,
      values: { ...a.series.values, 'memory/rss': a.series.seconds.map((t) => 270 + 3 * t) },
    },
    slos: [
      { name: 'mutating-p99', description: 'p99 latency of mutating requests', threshold: 50, value: 42.65, unit: 'ms', ok: true },
      { name: 'pods-running', description: 'share of pods Running within 30 s', threshold: 99, value: 100, unit: '%', ok: true },
    ],
    verdict: 'pass',
  };
}

const out = compareReports(fixtureReport(), variant(), { a: 'before', b: 'after' });

// The cells of the table row for `metric`.
function row(metric: string): string[] {
  const line = out.split('\n').find((l) => l.startsWith(`| ${metric} `));
  if (line === undefined) throw new Error(`no row ${JSON.stringify(metric)} in:\n${out}`);
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

test('header names both runs with the labels', () => {
  assert.ok(out.includes('# before: pod-churn (scale 1, embedded, clock virtual, FAIL)'));
  assert.ok(out.includes('# after: pod-churn (scale 1, embedded, clock virtual, PASS)'));
  assert.ok(out.includes('| metric '));
  assert.ok(out.includes('after/before |'));
});

test('overview ratios', () => {
  assert.equal(row('duration s'), ['duration s', '61.5', '41', '0.67']);
  // A: 1200+300+60+4+1200 = 2764; B: 1200+600+60+1200+10 = 3070.
  assert.equal(row('requests'), ['requests', '2764', '3070', '1.11']);
  // 2764/61.5 = 44.94/s; 3070/41 = 74.88/s; 74.88/44.94 = 1.666.
  assert.equal(row('request rate /s'), ['request rate /s', '44.9', '74.9', '1.67']);
  assert.equal(row('errors'), ['errors', '3', '0', '0.00']);
  assert.equal(row('429 responses'), ['429 responses', '57', '0', '0.00']);
  assert.equal(row('Retry-After answers'), ['Retry-After answers', '57', '0', '0.00']);
});

test('per verb and resource, with rows only one side has', () => {
  assert.equal(row('create pods p50 ms'), ['create pods p50 ms', '8.2', '4.1', '0.50']);
  assert.equal(row('create pods p99 ms'), ['create pods p99 ms', '85.3', '42.6', '0.50']);
  assert.equal(row('get pods count'), ['get pods count', '300', '600', '2.00']);
  assert.equal(row('list pods p99 ms'), ['list pods p99 ms', '120', '120', '1.00']);
  assert.equal(row('watch pods count'), ['watch pods count', '4', '-', 'n/a']);
  assert.equal(row('patch nodes count'), ['patch nodes count', '-', '10', 'n/a']);
});

test('throttling, counters, timings, memory and SLOs', () => {
  assert.equal(row('429 TooManyRequests'), ['429 TooManyRequests', '57', '-', 'n/a']);
  assert.equal(row('server 429 queue-full (workload-low)'), ['server 429 queue-full (workload-low)', '40', '-', 'n/a']);
  assert.equal(row('podsRunning'), ['podsRunning', '1197', '1197', '1.00']);
  // A is 0: no ratio.
  assert.equal(row('podsFailed'), ['podsFailed', '0', '2', 'n/a']);
  assert.equal(row('creationToRunning p50 ms'), ['creationToRunning p50 ms', '1200', '900', '0.75']);
  assert.equal(row('creationToRunning p99 ms'), ['creationToRunning p99 ms', '4100', '2050', '0.50']);
  assert.equal(row('deletionToGone p99 ms'), ['deletionToGone p99 ms', '900', '-', 'n/a']);
  // Peak rss: A 180 + 2*60 = 300 MB, B 270 + 3*60 = 450 MB.
  assert.equal(row('rss MB'), ['rss MB', '300', '450', '1.50']);
  assert.equal(row('heapUsed MB'), ['heapUsed MB', '150', '150', '1.00']);
  assert.equal(row('mutating-p99'), ['mutating-p99', 'FAIL 85.3 ms', 'PASS 42.6 ms', '0.50']);
  assert.equal(row('verdict'), ['verdict', 'FAIL', 'PASS', '']);
});

test('table columns are padded to one width', () => {
  const tables = out.trimEnd().split('\n\n').filter((b) => b.startsWith('|'));
  assert.ok(tables.length >= 6);
  for (const t of tables) assert.is(new Set(t.split('\n').map((l) => l.length)).size, 1, t);
});

test('loadReport reads a report and rejects other files clearly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kemu-compare-'));
  try {
    await writeFile(join(dir, 'ok.json'), JSON.stringify(fixtureReport()));
    await writeFile(join(dir, 'pkg.json'), JSON.stringify({ name: 'kemu' }));
    await writeFile(join(dir, 'old.json'), JSON.stringify({ format: 'kemu.report/v0' }));
    await writeFile(join(dir, 'bad.json'), '<html>');
    assert.equal(await loadReport(join(dir, 'ok.json')), fixtureReport());
    const error = async (name: string): Promise<string> => {
      try {
        await loadReport(join(dir, name));
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`${name} loaded`);
    };
    assert.match(await error('pkg.json'), /pkg\.json is not a kemu report: no "format" field, expected format "kemu\.report\/v1"/);
    assert.match(await error('old.json'), /old\.json is not a kemu report: format "kemu\.report\/v0"/);
    assert.match(await error('bad.json'), /bad\.json is not a kemu report: not JSON/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
