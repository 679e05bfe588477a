// The suite runner behind bench/run.ts (and the single benches that wrap one workload): runs
// workloads against one target, records server CPU and memory per workload (and, with a CPU
// profile, the server's self time in each workload's window), writes the result JSON and its
// markdown table, and puts two results side by side.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowUs, type ProfileTop, profileTop, printProfile, readProfile, RESULTS_DIR, resultBase, resultHead } from './common.js';
import { embeddedTarget, kubeconfigTarget, type ServerMemory, type Target } from './target.js';
import { type Ctx, newRunId, type Prepared, round2, type Row, type Workload } from './workloads/types.js';

export interface WorkloadResult {
  workload: string;
  title: string;
  skipped?: string;
  error?: string;
  setupSeconds: number;
  runSeconds: number;
  cleanupSeconds: number;
  /** Server memory after the run (before cleanup). */
  serverMemory: ServerMemory | null;
  serverCpuSeconds: number | null;
  clientCpuSeconds: number;
  rows: Row[];
  profile?: ProfileTop;
}

export interface SuiteResult extends ReturnType<typeof resultHead> {
  target: string;
  targetInfo: Readonly<Record<string, string | number | boolean | null>>;
  options: { duration: number; connections: number; smoke: boolean; only: string[] | null; cpuProf: boolean };
  loadAvg: { start: number[]; end: number[] };
  os: string;
  seconds: number;
  workloads: WorkloadResult[];
}

export interface SuiteOptions {
  readonly workloads: readonly Workload[];
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Embedded only. */
  readonly spokes: number;
  readonly duration: number;
  readonly connections: number;
  readonly smoke: boolean;
  readonly only: string[] | null;
  readonly cpuProf: boolean;
  readonly out: string;
  /** The result files' name part instead of the target's (single benches). */
  readonly name?: string;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Runs workloads against one target, writes the result and its table; returns the result. */
export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const profDir = o.cpuProf && !o.kubeconfig ? await mkdtemp(join(tmpdir(), 'kemu-bench-prof-')) : undefined;
  const started = performance.now();
  const head = resultHead('suite');
  const loadStart = loadavg().map(round2);
  log(`target: ${o.kubeconfig ? `kubeconfig ${o.kubeconfig}${o.context ? ` (context ${o.context})` : ''}` : `embedded kemu, ${o.spokes} spokes`}`);
  const target: Target = o.kubeconfig
    ? await kubeconfigTarget(o.kubeconfig, o.context, o.connections * 2)
    : await embeddedTarget({ spokes: o.spokes, connections: o.connections * 2, cpuProfDir: profDir });
  const runId = newRunId();
  const results: WorkloadResult[] = [];
  const windows = new Map<string, [number, number]>();
  try {
    for (const w of o.workloads) {
      const ctx: Ctx = { target, duration: o.duration, connections: o.connections, runId, log: (m) => log(`  [${w.name}] ${m}`) };
      log(`${w.name}: ${w.title}`);
      const r: WorkloadResult = { workload: w.name, title: w.title, setupSeconds: 0, runSeconds: 0, cleanupSeconds: 0, serverMemory: null, serverCpuSeconds: null, clientCpuSeconds: 0, rows: [] };
      results.push(r);
      const t0 = performance.now();
      let prepared: Prepared | { skipped: string };
      try {
        prepared = await w.setup(ctx);
      } catch (err) {
        r.error = `setup: ${(err as Error).stack ?? String(err)}`;
        log(`  ${r.error}`);
        continue;
      } finally {
        r.setupSeconds = round2((performance.now() - t0) / 1000);
      }
      if ('skipped' in prepared) {
        r.skipped = prepared.skipped;
        log(`  skipped: ${prepared.skipped}`);
        continue;
      }
      const cpu0 = await target.cpuSeconds();
      const client0 = process.cpuUsage();
      const t1 = performance.now();
      const from = nowUs();
      try {
        r.rows = await prepared.run();
      } catch (err) {
        r.error = `run: ${(err as Error).stack ?? String(err)}`;
        log(`  ${r.error}`);
      }
      windows.set(w.name, [from, nowUs()]);
      r.runSeconds = round2((performance.now() - t1) / 1000);
      const cpu1 = await target.cpuSeconds();
      const client = process.cpuUsage(client0);
      r.serverCpuSeconds = cpu0 !== null && cpu1 !== null ? round2(cpu1 - cpu0) : null;
      r.clientCpuSeconds = round2((client.user + client.system) / 1e6);
      r.serverMemory = await target.memory();
      for (const row of r.rows) log(`  ${summaryLine(row)}`);
      const t2 = performance.now();
      try {
        await prepared.cleanup();
      } catch (err) {
        r.error = `${r.error ? `${r.error}; ` : ''}cleanup: ${(err as Error).message}`;
        log(`  cleanup failed: ${(err as Error).message}`);
      }
      r.cleanupSeconds = round2((performance.now() - t2) / 1000);
    }
  } finally {
    await target.close();
  }

  if (profDir) {
    const p = await readProfile(profDir);
    if (!p) log(`no CPU profile in ${profDir} (the server did not exit cleanly?)`);
    for (const r of results) {
      const win = windows.get(r.workload);
      if (!p || !win) continue;
      r.profile = profileTop(p, win[0], win[1], 25);
      printProfile(r.workload, r.profile, 12);
    }
    if (p) log(`profile kept in ${profDir}`);
  }

  // The goals are about full-size runs; a smoke run's tiny counts say nothing about them.
  if (o.smoke) for (const r of results) r.rows = r.rows.map(({ goal: _goal, ...row }) => row);
  const result: SuiteResult = {
    ...head,
    target: target.label,
    targetInfo: target.describe,
    options: { duration: o.duration, connections: o.connections, smoke: o.smoke, only: o.only, cpuProf: o.cpuProf },
    loadAvg: { start: loadStart, end: loadavg().map(round2) },
    os: `${process.platform} ${release()}`,
    seconds: round2((performance.now() - started) / 1000),
    workloads: results,
  };
  await mkdir(o.out, { recursive: true });
  // A profiled run is slower: its name says so, so it is not compared with plain runs by mistake.
  const base = join(o.out, resultBase(result.date, `${o.name ?? target.label}${profDir ? '-profile' : ''}`));
  await writeFile(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const md = markdown(result);
  await writeFile(`${base}.md`, md);
  console.log(md);
  console.log(`wrote ${base}.json and ${base}.md`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Tables.

const num = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
/** A rate: two decimals below 100 (a few LISTs of 60,000 objects per second). */
const rate = (x: number | null | undefined) => num(x, x !== null && x !== undefined && x < 100 ? 2 : 0);
const mbOf = (m: ServerMemory | null) => (m ? num(m.rssKB / 1024) : '-');

function summaryLine(r: Row): string {
  return `${r.name}: ${rate(r.reqPerSec)} ${r.unit}/s, p50 ${num(r.p50Ms, 2)} ms, p99 ${num(r.p99Ms, 2)} ms, ${r.requests} ${r.unit}, ${r.errors} errors`;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function describe(r: SuiteResult): string {
  const t = r.targetInfo;
  const what = r.target === 'embedded' ? `embedded kemu (${t.spokes} spokes)` : `${t.server}${t.gitVersion ? ` (${t.gitVersion})` : ''}`;
  return `${what}; ${r.date}; kemu ${r.commit.slice(0, 12)}${r.dirty ? ' (dirty)' : ''}; ${r.cores} cores ${r.cpuModel}, ${num(r.totalMemoryMB / 1024, 1)} GB, node ${r.node}; `
    + `load ${r.loadAvg.start.join(' ')} at start; ${r.options.duration} s phases, ${r.options.connections} connections${r.options.smoke ? ', SMOKE (tiny counts)' : ''}`;
}

function markdown(r: SuiteResult): string {
  const rows: string[][] = [];
  for (const w of r.workloads) {
    if (w.skipped || (w.error && !w.rows.length)) {
      rows.push([w.workload, w.skipped ? `skipped: ${w.skipped}` : 'FAILED', '', '', '', '', '', '']);
      continue;
    }
    for (const row of w.rows) {
      rows.push([
        row.name, `${rate(row.reqPerSec)} ${row.unit === 'requests' ? '' : `${row.unit}/s`}`.trim(), num(row.p50Ms, 2), num(row.p99Ms, 2),
        num(row.requests), num(row.errors), mbOf(w.serverMemory), row.goal ? `${row.goal.met ? 'met' : 'NOT met'}: ${row.goal.text}` : '',
      ]);
    }
  }
  const details = r.workloads.flatMap((w) => w.rows.map((row) => `- ${row.name}: ${Object.entries(row.extra).map(([k, v]) => `${k} ${v}`).join(', ')}`));
  const failures = r.workloads.filter((w) => w.error).map((w) => `- ${w.workload}: ${w.error?.split('\n')[0]}`);
  return [
    `# kemu bench: ${r.target}`,
    '',
    describe(r),
    '',
    table(['workload', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors', 'server RSS MB', 'goal (issue 10, 2 cores)'], rows),
    '',
    'req/s counts successful requests (events/s for watches, objects or clusters/s for memory rows); latencies are of successful requests '
      + '(watches: send-to-delivery lag); server RSS after the workload (blank when the server exposes none). The load generator shares the machine.',
    '',
    '## Details',
    '',
    ...details,
    ...(failures.length ? ['', '## Failures', '', ...failures] : []),
    '',
  ].join('\n');
}

type Metric = 'reqPerSec' | 'p50Ms' | 'p99Ms';

/** Two results side by side: every row of either, with B/A ratios (kemu compare's convention). */
export function compare(a: SuiteResult, b: SuiteResult, labels = { a: 'A', b: 'B' }): string {
  const rowsOf = (r: SuiteResult) => new Map(r.workloads.flatMap((w) => w.rows.map((row) => [row.name, { row, mem: w.serverMemory }] as const)));
  const ra = rowsOf(a);
  const rb = rowsOf(b);
  const names = [...new Set([...ra.keys(), ...rb.keys()])];
  const ratio = (x: number | null | undefined, y: number | null | undefined) => (x && y !== null && y !== undefined && Number.isFinite(x) && Number.isFinite(y) ? `${(y / x).toFixed(2)}×` : '-');
  const cols = (m: Metric, show: (x: number | null | undefined) => string) => (n: string) => {
    const x = ra.get(n)?.row[m];
    const y = rb.get(n)?.row[m];
    return [show(x), show(y), ratio(x, y)];
  };
  const ms = (x: number | null | undefined) => num(x, 2);
  const rows = names.map((n) => [
    n, ...cols('reqPerSec', rate)(n), ...cols('p50Ms', ms)(n), ...cols('p99Ms', ms)(n),
    mbOf(ra.get(n)?.mem ?? null), mbOf(rb.get(n)?.mem ?? null),
    `${num(ra.get(n)?.row.errors)} / ${num(rb.get(n)?.row.errors)}`,
  ]);
  const { a: A, b: B } = labels;
  return [
    `# ${A} vs ${B}`,
    '',
    `- ${A}: ${describe(a)}`,
    `- ${B}: ${describe(b)}`,
    '',
    table(['workload', `${A} req/s`, `${B} req/s`, `${B}/${A}`, `${A} p50 ms`, `${B} p50 ms`, `${B}/${A}`, `${A} p99 ms`, `${B} p99 ms`, `${B}/${A}`, `${A} RSS MB`, `${B} RSS MB`, `errors ${A} / ${B}`], rows),
    '',
    `${B}/${A} > 1 on req/s: ${B} serves more; < 1 on latency: ${B} answers sooner.`,
    '',
  ].join('\n');
}

export async function loadResult(path: string): Promise<SuiteResult> {
  const r = JSON.parse(await readFile(path, 'utf8')) as Partial<SuiteResult>;
  if (r.bench !== 'suite' || !Array.isArray(r.workloads)) throw new Error(`${path} is not a bench suite result (bench/run.ts)`);
  return r as SuiteResult;
}

// ---------------------------------------------------------------------------------------------

/** Picks workloads by name or by the prefix before a '-' (`list` picks list-100, list-10k, list-60k). */
export function select(all: readonly Workload[], only: readonly string[]): Workload[] {
  const unknown = only.filter((n) => !all.some((w) => w.name === n || w.name.startsWith(`${n}-`)));
  if (unknown.length) throw new Error(`unknown workload(s) ${unknown.join(', ')}; known: ${all.map((w) => w.name).join(', ')}, soak`);
  return all.filter((w) => only.some((n) => w.name === n || w.name.startsWith(`${n}-`)));
}

/**
 * One workload against an embedded kemu without spokes, for the single benches that wrap a
 * workload with their own sizes: result files named after the bench; exit code 1 on failure.
 */
export async function runSingle(workload: Workload, name: string, o: { duration: number; cpuProf: boolean; connections?: number }): Promise<void> {
  const r = await runSuite({
    workloads: [workload], spokes: 0, duration: o.duration, connections: o.connections ?? 32, smoke: false, only: null, cpuProf: o.cpuProf,
    out: RESULTS_DIR, name,
  });
  if (r.workloads.some((w) => w.error)) process.exitCode = 1;
}

/** A whole-number option within [min, max], or an error naming it. */
export function intOption(values: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = Number(values[key]);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${key} must be ${min}..${max}, got ${String(values[key])}`);
  return v;
}
