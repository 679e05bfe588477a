// What the bench scripts share: the kemu server child (with node flags such as --cpu-prof), timing
// helpers, percentiles, CPU-profile summaries, /proc memory readings, and the result file with its
// machine-info block.
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/helpers/child-server.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Microseconds on CLOCK_MONOTONIC, the same in every process of the machine (and in V8's profile timestamps). */
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

// ---------------------------------------------------------------------------------------------
// The server child. Like test/helpers/child-server.ts, but node flags (--cpu-prof) can be passed.

export interface Child {
  readonly pid: number;
  readonly url: string;
  readonly ca: string;
  readonly token: string;
  output(): string;
  stop(timeoutMs?: number): Promise<void>;
}

/** `kemu serve` on 127.0.0.1 with node flags `nodeArgs`; `serveArgs` come after the defaults (`--spokes 0`), so they override them. */
export async function spawnServer(dataDir: string, nodeArgs: readonly string[], serveArgs: readonly string[] = []): Promise<Child> {
  const args = [
    ...nodeArgs, '--import', 'tsx', join(REPO_ROOT, 'bin', 'kemu.ts'), 'serve',
    '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--kubeconfig', join(dataDir, 'kubeconfig'), '--spokes', '0', ...serveArgs,
  ];
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  const exit = new Promise<void>((r) => proc.on('exit', () => { exited = true; r(); }));
  proc.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
  proc.stderr.setEncoding('utf8').on('data', (s: string) => { out += s; });
  const started = Date.now();
  let url: string | undefined;
  while (!url) {
    url = /kemu serving \d+ clusters at (https:\/\/\S+) /.exec(out)?.[1];
    if (url) break;
    if (exited) throw new Error(`kemu exited before ready:\n${out}`);
    if (Date.now() - started > 60_000) { proc.kill('SIGKILL'); throw new Error(`kemu not ready in 60 s:\n${out}`); }
    await sleep(20);
  }
  const [ca, token] = await Promise.all([readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8'), readFile(join(dataDir, 'admin-token'), 'utf8')]);
  return {
    pid: proc.pid ?? 0, url, ca, token: token.trim(), output: () => out,
    async stop(timeoutMs = 30_000) {
      if (exited) return;
      proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exitedInTime = await Promise.race([exit.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); })]);
      clearTimeout(timer); // a pending timer would hold the bench's process for the whole timeout
      if (exitedInTime) return;
      proc.kill('SIGKILL');
      await exit;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics.

export interface Summary { n: number; p50: number; p90: number; p99: number; max: number; mean: number }

/** Nearest-rank percentile p (0..100) of ascending-sorted values, NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => percentile(s, p);
  const r = (x: number) => Number(x.toFixed(2));
  return { n: s.length, p50: r(q(50)), p90: r(q(90)), p99: r(q(99)), max: r(s[s.length - 1] ?? NaN), mean: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)) };
}

// ---------------------------------------------------------------------------------------------
// CPU profile summary.

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number; endTime: number; samples: number[]; timeDeltas: number[];
}
export interface ProfileTop {
  windowMs: number; busyMs: number; idleMs: number; gcMs: number;
  functions: { fn: string; selfMs: number; pctBusy: number }[];
  files: { file: string; selfMs: number; pctBusy: number }[];
  /** Every area's self time (see areaOf), largest first. */
  areas: { area: string; selfMs: number; pctBusy: number }[];
}

// Self time by area: the first rule whose pattern matches the frame's short file name (or, for a
// frame without a file, its function name) names the area. Native JSON.parse/stringify show up in
// their caller's self time (decodeBody, serialize), not apart.
const AREAS: readonly [RegExp, string][] = [
  [/^\(garbage collector\)$/, 'GC'],
  [/^\(program\)$/, 'V8 (program)'],
  [/^nm\/(fastify|find-my-way|avvio|light-my-request|fast-json-stringify|@fastify|pino|abstract-logging|fast-querystring|toad-cache)\//, 'fastify'],
  [/^node:(_http_|internal\/http)/, 'node http parse/write'],
  [/^node:(_tls|tls|net|internal\/(tls|net|stream_base_commons|streams)|stream)/, 'node TLS/net/streams'],
  [/^node:(buffer|internal\/buffer)/, 'node buffers'],
  [/^node:internal\/crypto/, 'node crypto (hash, uuid)'],
  [/^node:/, 'node other (events, timers, queues)'],
  [/^\/?server\/authn\.ts/, 'auth'],
  [/^\/?(server\/flow-control\.ts|model\/flowcontrol\/|model\/capacity\/|model\/faults\/)/, 'flow control'],
  [/^(\/?server\/metrics\.ts|nm\/(prom-client|tdigest|bintrees)\/)/, 'metrics'],
  [/^\/?(server\/watch\.ts|model\/watch\/)/, 'watch'],
  [/^\/?server\//, 'request pipeline (server/)'],
  [/^(\/?model\/store\/|nm\/(lmdb|msgpackr|ordered-binary|weak-lru-cache)\/)/, 'store (LMDB)'],
  [/^\/?model\//, 'registry (model/)'],
  [/^nm\//, 'other packages'],
  [/^[^/:.]+$/, 'native bindings (writev, …)'],
];

function areaOf(file: string): string {
  return AREAS.find(([re]) => re.test(file))?.[1] ?? 'other';
}

/** Self time by function and by file (the top n of each) within [fromUs, toUs] of the monotonic clock (process.hrtime, as V8 stamps samples). */
export function profileTop(p: CpuProfile, fromUs: number, toUs: number, n: number): ProfileTop {
  const byId = new Map(p.nodes.map((x) => [x.id, x.callFrame]));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let t = p.startTime;
  let idle = 0, total = 0, gc = 0;
  const short = (url: string) => url.replace(/^file:\/\//, '').replace(REPO_ROOT, '').replace(/^.*node_modules\//, 'nm/');
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    const cf = byId.get(p.samples[i]);
    if (!cf) continue;
    total += dt;
    if (cf.functionName === '(idle)') { idle += dt; continue; }
    if (cf.functionName === '(garbage collector)') gc += dt;
    const file = cf.url ? short(cf.url) : cf.functionName;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url ? `${file}:${cf.lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + dt);
    files.set(file, (files.get(file) ?? 0) + dt);
  }
  const busy = total - idle;
  const areas = new Map<string, number>();
  for (const [file, us] of files) areas.set(areaOf(file), (areas.get(areaOf(file)) ?? 0) + us);
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    windowMs: Math.round(total / 1000), busyMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000), gcMs: Math.round(gc / 1000),
    functions: top(fns).map(([fn, us]) => ({ fn, selfMs: Math.round(us / 1000), pctBusy: Number(((100 * us) / (busy || 1)).toFixed(1)) })),
    files: top(files).map(([file, us]) => ({ file, selfMs: Math.round(us / 1000), pctBusy: Number(((100 * us) / (busy || 1)).toFixed(1)) })),
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), pctBusy: Number(((100 * us) / (busy || 1)).toFixed(1)) })),
  };
}

/** The largest .cpuprofile in dir (the main thread's), if any. */
export async function readProfile(dir: string): Promise<CpuProfile | undefined> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  let best: { name: string; size: number } | undefined;
  for (const name of names) {
    const { size } = await stat(join(dir, name));
    if (!best || size > best.size) best = { name, size };
  }
  return best ? JSON.parse(await readFile(join(dir, best.name), 'utf8')) as CpuProfile : undefined;
}

/** Prints one profile window; labels starting with 'client' are not prefixed with 'server'. */
export function printProfile(label: string, t: ProfileTop, filesShown: number): void {
  console.log(`\n${label.startsWith('client') ? '' : 'server '}CPU, ${label}: window ${t.windowMs} ms, busy ${t.busyMs} ms (gc ${t.gcMs} ms), idle ${t.idleMs} ms`);
  for (const f of t.functions) console.log(`  ${String(f.selfMs).padStart(7)} ms ${f.pctBusy.toFixed(1).padStart(5)}%  ${f.fn}`);
  console.log('  by file:');
  for (const f of t.files.slice(0, filesShown)) console.log(`  ${String(f.selfMs).padStart(7)} ms ${f.pctBusy.toFixed(1).padStart(5)}%  ${f.file}`);
  console.log('  by area:');
  for (const a of t.areas) console.log(`  ${String(a.selfMs).padStart(7)} ms ${a.pctBusy.toFixed(1).padStart(5)}%  ${a.area}`);
}

/**
 * Reads the server profile in profDir (written when the server exited) and prints and returns the
 * top of each phase window; undefined, after saying so, when there is no profile.
 */
export async function profilePhases(
  profDir: string, phases: Record<string, [number, number]>, opts: { top: number; filesShown: number },
): Promise<Record<string, ProfileTop> | undefined> {
  const p = await readProfile(profDir);
  if (!p) {
    console.log(`\nno CPU profile found in ${profDir} (the server did not exit cleanly?)`);
    return undefined;
  }
  const profile: Record<string, ProfileTop> = {};
  for (const [name, [from, to]] of Object.entries(phases)) {
    profile[name] = profileTop(p, from, to, opts.top);
    printProfile(name, profile[name], opts.filesShown);
  }
  return profile;
}

// ---------------------------------------------------------------------------------------------
// /proc readings.

/** The `<field>: N kB` line of a /proc/<pid>/status text, 0 when missing. */
function statusKB(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

export interface ProcMem { rssKB: number; anonKB: number; fileKB: number; hwmKB: number }

/** RSS (total, anonymous, file-backed) and peak RSS of a process in KB; throws when it cannot be read. */
export async function memOf(pid: number): Promise<ProcMem> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssKB: statusKB(text, 'VmRSS'), anonKB: statusKB(text, 'RssAnon'), fileKB: statusKB(text, 'RssFile'), hwmKB: statusKB(text, 'VmHWM') };
}

// ---------------------------------------------------------------------------------------------
// The result file.

export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Whether the working tree has uncommitted changes (null when git cannot tell), so a result is not pinned to a commit it does not match. */
export function gitDirty(): boolean | null {
  try {
    return execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    return null;
  }
}

/** The head of every result: the bench's name, when, which commit, and the machine. */
export function resultHead(bench: string) {
  return {
    bench,
    date: new Date().toISOString(),
    commit: gitCommit(),
    dirty: gitDirty(),
    node: process.version,
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMB: Math.round(totalmem() / 1024 / 1024),
  };
}

export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** `<date>-<name>` with the date's ':' as '-' and no fraction of a second: a result file's base name. */
export const resultBase = (date: string, name: string) => `${date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}-${name}`;

/** Writes bench/results/<date>-<bench>.json and says where. */
export async function writeResult(result: { bench: string; date: string }): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${resultBase(result.date, result.bench)}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

// ---------------------------------------------------------------------------------------------

/** Runs a bench's main; on failure prints the stack and sets exit code 1. */
/**
 * Runs a bench body against a server child: on failure prints the end of the child's output (why
 * it failed is usually there), and in every case releases the caller's clients, stops the child
 * and removes its data dir.
 */
export async function usingServer<T>(
  child: { output(): string; stop(): Promise<unknown> }, dataDir: string, body: () => Promise<T>, release?: () => void,
): Promise<T> {
  try {
    return await body();
  } catch (err) {
    process.stderr.write(`server output:\n${child.output().slice(-2000)}\n`);
    throw err;
  } finally {
    release?.();
    await child.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exitCode = 1;
  });
}
