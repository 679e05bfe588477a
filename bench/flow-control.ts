// What flow control costs and what it does under load. Two parts, each against `kemu serve` in a
// child process (test/helpers/child-server.ts), loaded by autocannon from this process as a
// non-admin user from a --tokens-file (the admin is system:masters, APF's exempt level, and
// never waits), so every request is classified to FlowSchema and PriorityLevel global-default.
//
// overhead     GET of one 1 KB ConfigMap, --connections keep-alive connections for --duration
//              seconds (after a --warmup run that is thrown away), against three servers started
//              one after the other:
//                apf            the default: API Priority and Fairness
//                max-in-flight  --enable-priority-and-fairness=false (default limits 400 / 200)
//                none           --enable-priority-and-fairness=false --max-requests-inflight=0
//                               --max-mutating-requests-inflight=0 (no limit)
//              Reports req/s, p50/p99 latency of each and the ratios apf/none and
//              max-in-flight/none. The connections stay below every limit (global-default has
//              49 nominal seats of 600), so this is the filter's own cost, not queueing.
//              --rounds N (default 2) repeats the three, odd rounds in reverse order, and
//              averages, so a slow spell of the shared machine does not land on one mode only.
// saturation   one server with --capacity-profile default (or the bench's --capacity-profile, to
//              compare) and default limits; creates of
//              --size byte ConfigMaps (unique names) at increasing concurrency (--steps, one
//              autocannon run of --step-seconds each). Per step: achieved creates/s, p50/p99
//              latency of the 201s and of the 429s, 429s by reason (deltas of
//              apiserver_flowcontrol_rejected_requests_total), and global-default's
//              current_executing_seats, current_inqueue_requests and current_limit_seats
//              scraped from /metrics 1 s before the step ends (load still on) and their
//              maxima over 1 s samples during the step. The load is a closed loop without
//              back-off: a connection that gets a 429 sends its next create at once, as a retry
//              storm would. `time-out` rejections include requests still queued when autocannon
//              hangs up at the step's end (upstream, too, counts a client leaving the queue as
//              time-out).
//
//   npx tsx bench/flow-control.ts [--part overhead|saturation|both] [--connections 32]
//        [--duration 10] [--warmup 2] [--rounds 2]
//        [--steps 25,50,100,200,400,800,1600] [--step-seconds 5] [--size 1024] [--capacity-profile default]
// Writes bench/results/<date>-flow-control.json and prints markdown tables.
import { rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnChildServer, type ChildServer } from '../test/helpers/child-server.js';
import { tempDir } from '../test/helpers/server.js';
import { resultHead, runMain, sleep, summarize, type Summary, usingServer, writeResult } from './common.js';
import { cannon, type CannonOptions, type CannonRequest } from './load.js';

const NS = 'bench';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const USER_TOKEN = 'bench-flow-control-token';
const LEVEL = 'global-default';
/** The near-end scrape is sent this long before the step ends, while the load is still on. */
const NEAR_END_MS = 1000;

// ---------------------------------------------------------------------------------------------
// /metrics.

type Samples = { name: string; labels: Record<string, string>; value: number }[];

function parseMetrics(text: string): Samples {
  const out: Samples = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_flowcontrol_') && !line.startsWith('apiserver_current_inflight')) continue;
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

// One keep-alive connection per server for scrapes, so a scrape under load needs no handshake.
const scrapeAgents = new WeakMap<ChildServer, Agent>();

/** GET /metrics as the admin (exempt: never queued behind the load). */
function scrape(s: ChildServer): Promise<Samples> {
  let agent = scrapeAgents.get(s);
  if (!agent) scrapeAgents.set(s, agent = new Agent({ keepAlive: true, maxSockets: 1, ca: s.caCertPem }));
  return new Promise((resolve, reject) => {
    const r = request(new URL('/metrics', s.url), { agent, headers: { authorization: `Bearer ${s.token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('error', reject).on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`/metrics: ${res.statusCode}`));
        else resolve(parseMetrics(text));
      });
    });
    r.on('error', reject).end();
  });
}

/** Sum of a metric's samples whose labels include `match`. */
function sum(samples: Samples, name: string, match: Record<string, string>): number {
  return samples.filter((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);
}

function rejectedByReason(samples: Samples): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of samples) {
    if (x.name === 'apiserver_flowcontrol_rejected_requests_total' && x.labels.priority_level === LEVEL) out[x.labels.reason] = (out[x.labels.reason] ?? 0) + x.value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Servers.

async function startServer(tokensFile: string, args: string[]): Promise<ChildServer> {
  const dataDir = await tempDir('kemu-bench-fc-');
  return spawnChildServer({ dataDir, spokes: 0, extraArgs: ['--tokens-file', tokensFile, ...args] });
}

async function mustCreate(s: ChildServer, path: string, body: unknown): Promise<void> {
  const res = await s.req('POST', path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.text.slice(0, 300)}`);
}

/** A ConfigMap whose JSON body is `size` bytes. */
function configMapBody(name: string, size: number): string {
  const doc = (pad: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { payload: pad } });
  return doc('x'.repeat(Math.max(0, size - doc('').length)));
}

const round2 = (x: number) => Number(x.toFixed(2));

// ---------------------------------------------------------------------------------------------
// Part a: overhead on the GET path.

const MODES = {
  apf: [],
  'max-in-flight': ['--enable-priority-and-fairness=false'],
  none: ['--enable-priority-and-fairness=false', '--max-requests-inflight=0', '--max-mutating-requests-inflight=0'],
} as const satisfies Record<string, readonly string[]>;
type Mode = keyof typeof MODES;

interface OverheadRun { mode: Mode; round: number; reqPerSec: number; ms: Summary; non200: Record<string, number>; errors: number; globalDefaultDispatched?: number }

async function overheadRun(mode: Mode, round: number, tokensFile: string, o: { connections: number; duration: number; warmup: number; size: number }): Promise<OverheadRun> {
  const s = await startServer(tokensFile, [...MODES[mode]]);
  return usingServer(s, s.dataDir, async () => {
    await mustCreate(s, '/api/v1/namespaces', { metadata: { name: NS } });
    await mustCreate(s, CM, JSON.parse(configMapBody('cm', o.size)));
    const opts: CannonOptions = {
      // autocannon takes the path from the URL.
      url: new URL(`${CM}/cm`, s.url).href, connections: o.connections, duration: o.warmup, tlsOptions: { ca: s.caCertPem },
      method: 'GET', headers: { authorization: `Bearer ${USER_TOKEN}`, accept: 'application/json' },
    };
    if (o.warmup > 0) await cannon(opts);
    const before = await scrape(s);
    const load = await cannon({ ...opts, duration: o.duration });
    const after = await scrape(s);
    const ok = load.byStatus['200'] ?? 0;
    const non200 = Object.fromEntries(Object.entries(load.byStatus).filter(([c]) => c !== '200'));
    const dispatched = (x: Samples) => sum(x, 'apiserver_flowcontrol_dispatched_requests_total', { priority_level: LEVEL });
    const run: OverheadRun = {
      mode, round, reqPerSec: Math.round(ok / load.seconds), ms: summarize(load.latencyMs['200'] ?? []), non200, errors: load.errors + load.timeouts,
      ...(mode === 'apf' ? { globalDefaultDispatched: dispatched(after) - dispatched(before) } : {}),
    };
    process.stderr.write(`overhead ${mode} round ${round}: ${run.reqPerSec} req/s, p50 ${run.ms.p50} ms, p99 ${run.ms.p99} ms\n`);
    return run;
  }, () => scrapeAgents.get(s)?.destroy());
}

interface OverheadRow { mode: Mode; reqPerSec: number; p50: number; p99: number }

async function overhead(tokensFile: string, o: { connections: number; duration: number; warmup: number; rounds: number; size: number }) {
  const runs: OverheadRun[] = [];
  const order = Object.keys(MODES) as Mode[];
  for (let round = 0; round < o.rounds; round++) {
    for (const mode of round % 2 ? [...order].reverse() : order) runs.push(await overheadRun(mode, round, tokensFile, o));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows: OverheadRow[] = order.map((mode) => {
    const mine = runs.filter((r) => r.mode === mode);
    return { mode, reqPerSec: Math.round(mean(mine.map((r) => r.reqPerSec))), p50: round2(mean(mine.map((r) => r.ms.p50))), p99: round2(mean(mine.map((r) => r.ms.p99))) };
  });
  const none = rows.find((r) => r.mode === 'none')!;
  const ratios = Object.fromEntries(rows.filter((r) => r.mode !== 'none').map((r) => [`${r.mode}/none`, {
    reqPerSec: Number((r.reqPerSec / none.reqPerSec).toFixed(3)), p50: Number((r.p50 / none.p50).toFixed(3)), p99: Number((r.p99 / none.p99).toFixed(3)),
  }]));
  return { runs, rows, ratios };
}

// ---------------------------------------------------------------------------------------------
// Part b: saturation under a capacity profile (default unless told).

interface Step {
  connections: number;
  seconds: number;
  sent: number;
  created: number;
  createdPerSec: number;
  rejected: number;
  rejectedPerSec: number;
  other: Record<string, number>;
  errors: number;
  createdMs: Summary;
  rejectedMs: Summary;
  rejectedByReason: Record<string, number>;
  /** When the near-end scrape was sent and answered, seconds from the step's start. */
  nearEndScrapeSeconds: number[];
  nearEnd: { executingSeats: number; executingRequests: number; inqueueRequests: number; limitSeats: number };
  max: { executingSeats: number; inqueueRequests: number; limitSeats: number };
}

function levelGauges(x: Samples) {
  const g = (name: string) => sum(x, `apiserver_flowcontrol_${name}`, { priority_level: LEVEL });
  return {
    executingSeats: g('current_executing_seats'), executingRequests: g('current_executing_requests'),
    inqueueRequests: g('current_inqueue_requests'), limitSeats: g('current_limit_seats'),
  };
}

async function saturation(tokensFile: string, o: { steps: number[]; stepSeconds: number; size: number; profile: string }) {
  const s = await startServer(tokensFile, ['--capacity-profile', o.profile]);
  const steps: Step[] = [];
  return usingServer(s, s.dataDir, async () => {
    await mustCreate(s, '/api/v1/namespaces', { metadata: { name: NS } });
    const headers = { authorization: `Bearer ${USER_TOKEN}`, accept: 'application/json', 'content-type': 'application/json' };
    // Warm up the create path (JIT) below the limits; not recorded.
    let n = 0;
    const setupRequest = (req: CannonRequest): CannonRequest => ({ ...req, body: configMapBody(`cm-${n++}`, o.size) });
    const base: CannonOptions = {
      url: s.url, connections: 8, duration: 2, timeout: 70, tlsOptions: { ca: s.caCertPem }, headers,
      requests: [{ method: 'POST', path: CM, setupRequest }],
    };
    await cannon(base);
    for (const connections of o.steps) {
      await sleep(2000); // queues drain, connections of the last step close
      const before = await scrape(s);
      const max = { executingSeats: 0, inqueueRequests: 0, limitSeats: 0 };
      const track = (g: Step['nearEnd']): Step['nearEnd'] => {
        max.executingSeats = Math.max(max.executingSeats, g.executingSeats);
        max.inqueueRequests = Math.max(max.inqueueRequests, g.inqueueRequests);
        max.limitSeats = Math.max(max.limitSeats, g.limitSeats);
        return g;
      };
      let sampling = true;
      const t0 = performance.now();
      let nearEndAt = [0, 0];
      const nearEndP = sleep(o.stepSeconds * 1000 - NEAR_END_MS).then(async () => {
        const sent = performance.now();
        const g = track(levelGauges(await scrape(s)));
        nearEndAt = [round2((sent - t0) / 1000), round2((performance.now() - t0) / 1000)];
        return g;
      });
      const sampler = (async () => {
        for (;;) {
          await sleep(1000);
          if (!sampling) return;
          track(levelGauges(await scrape(s)));
        }
      })();
      const load = await cannon({ ...base, connections, duration: o.stepSeconds });
      sampling = false;
      const nearEnd = await nearEndP;
      await sampler;
      await sleep(500); // rejected counters of the last responses
      const after = await scrape(s);
      const rb = rejectedByReason(before);
      const ra = rejectedByReason(after);
      const created = load.byStatus['201'] ?? 0;
      const rejected = load.byStatus['429'] ?? 0;
      const step: Step = {
        connections, seconds: round2(load.seconds), sent: Object.values(load.byStatus).reduce((a, b) => a + b, 0),
        created, createdPerSec: Math.round(created / load.seconds), rejected, rejectedPerSec: Math.round(rejected / load.seconds),
        other: Object.fromEntries(Object.entries(load.byStatus).filter(([c]) => c !== '201' && c !== '429')),
        errors: load.errors + load.timeouts,
        createdMs: summarize(load.latencyMs['201'] ?? []), rejectedMs: summarize(load.latencyMs['429'] ?? []),
        rejectedByReason: Object.fromEntries(Object.keys(ra).map((k) => [k, ra[k] - (rb[k] ?? 0)]).filter(([, v]) => Number(v) > 0)),
        nearEnd, nearEndScrapeSeconds: nearEndAt, max,
      };
      steps.push(step);
      process.stderr.write(`saturation ${connections} connections: ${step.createdPerSec} creates/s, ${rejected} 429 ${JSON.stringify(step.rejectedByReason)}, `
        + `p50 ${step.createdMs.p50} p99 ${step.createdMs.p99} ms, near end ${JSON.stringify(step.nearEnd)}\n`);
    }
    const final = await scrape(s);
    const nominal = sum(final, 'apiserver_flowcontrol_nominal_limit_seats', { priority_level: LEVEL });
    return { steps, globalDefaultNominalSeats: nominal };
  }, () => scrapeAgents.get(s)?.destroy());
}

// ---------------------------------------------------------------------------------------------

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      part: { type: 'string', default: 'both' },
      connections: { type: 'string', default: '32' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '2' },
      steps: { type: 'string', default: '25,50,100,200,400,800,1600' },
      'step-seconds': { type: 'string', default: '5' },
      size: { type: 'string', default: '1024' },
      'capacity-profile': { type: 'string', default: 'default' },
    },
  });
  const part = values.part;
  if (part !== 'overhead' && part !== 'saturation' && part !== 'both') throw new Error(`--part must be overhead, saturation or both, got ${part}`);
  const num = (k: keyof typeof values, min: number, max: number) => {
    const v = Number(values[k]);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${k} must be ${min}..${max}, got ${values[k]}`);
    return v;
  };
  const connections = num('connections', 1, 4096);
  const duration = num('duration', 1, 600);
  const warmup = num('warmup', 0, 60);
  const rounds = num('rounds', 1, 20);
  const stepSeconds = num('step-seconds', 2, 600);
  const size = num('size', 200, 512 * 1024);
  const steps = String(values.steps).split(',').map(Number);
  if (steps.some((c) => !Number.isInteger(c) || c < 1 || c > 10_000)) throw new Error(`--steps must be connection counts 1..10000, got ${values.steps}`);

  const dir = await tempDir('kemu-bench-fc-tokens-');
  const tokensFile = join(dir, 'tokens.csv');
  await writeFile(tokensFile, `# token,user,uid,groups\n${USER_TOKEN},bench-user,2001\n`);

  const result: Record<string, unknown> = {
    ...resultHead('flow-control'),
    params: { part, connections, duration, warmup, rounds, steps, stepSeconds, size, capacityProfile: values['capacity-profile'], user: 'bench-user (non-admin, global-default)' },
  };
  const out: string[] = [];
  if (part !== 'saturation') {
    const o = await overhead(tokensFile, { connections, duration, warmup, rounds, size });
    result.overhead = o;
    out.push(`GET of one ${size} B ConfigMap, ${connections} connections, ${duration} s${rounds > 1 ? `, mean of ${rounds} rounds` : ''}:\n`);
    out.push(table(['mode', 'req/s', 'p50 ms', 'p99 ms'], o.rows.map((r) => [r.mode, r.reqPerSec, r.p50, r.p99])));
    out.push('');
    out.push(table(['ratio', 'req/s', 'p50', 'p99'], Object.entries(o.ratios).map(([k, v]) => [k, v.reqPerSec, v.p50, v.p99])));
    const apf = o.runs.filter((r) => r.mode === 'apf');
    out.push(`\nnon-200 responses: ${JSON.stringify(Object.fromEntries(o.runs.map((r) => [`${r.mode}#${r.round}`, { ...r.non200, errors: r.errors }])))}`);
    out.push(`apf: global-default dispatched ${apf.map((r) => r.globalDefaultDispatched).join(', ')} requests in the timed run(s)\n`);
  }
  if (part !== 'overhead') {
    const profile = String(values['capacity-profile']);
    const sat = await saturation(tokensFile, { steps, stepSeconds, size, profile });
    result.saturation = sat;
    out.push(`Creates of ${size} B ConfigMaps under --capacity-profile ${profile}, ${stepSeconds} s per step, global-default nominal ${sat.globalDefaultNominalSeats} seats:\n`);
    out.push(table(
      ['connections', 'creates/s', 'p50 ms', 'p99 ms', '429s', '429/s', '429 by reason', '429 p50 ms', 'exec seats (end/max)', 'in queue (end/max)', 'limit seats (end)', 'other'],
      sat.steps.map((x) => [
        x.connections, x.createdPerSec, x.createdMs.p50, x.createdMs.p99, x.rejected, x.rejectedPerSec,
        Object.entries(x.rejectedByReason).map(([k, v]) => `${k} ${v}`).join(', ') || '-', x.rejected ? x.rejectedMs.p50 : '-',
        `${x.nearEnd.executingSeats} / ${x.max.executingSeats}`, `${x.nearEnd.inqueueRequests} / ${x.max.inqueueRequests}`, x.nearEnd.limitSeats,
        [...Object.entries(x.other).map(([k, v]) => `${k}: ${v}`), ...(x.errors ? [`errors: ${x.errors}`] : [])].join(', ') || '-',
      ]),
    ));
  }
  console.log(out.join('\n'));
  await rm(dir, { recursive: true, force: true });
  await writeResult(result as { bench: string; date: string });
}

runMain(main);
