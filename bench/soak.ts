// Soak: a long run of mixed load with watchers, to see that memory, errors and event-loop lag stay
// flat. Paced writers and readers create, update (merge patch), get, list (plain and by label)
// and delete ConfigMaps in one namespace, keeping about --objects of them; --watchers watchers
// read every event (checking that resourceVersions only grow) and reconnect when a stream ends;
// --stalled watchers stop reading after their first bytes and are reopened whenever the server
// cuts them off. Every --sample seconds it records the server's RSS (/proc for the embedded kemu,
// else process_resident_memory_bytes), heap, event-loop lag (nodejs_eventloop_lag_* of /metrics,
// a window per scrape), store size, requests and errors.
//
//   npm run bench -- --only soak --duration 600          (through bench/run.ts)
//   npx tsx bench/soak.ts [--duration 600] [--rate 100] [--objects 1000] [--watchers 20] [--stalled 10]
//                         [--sample 5] [--kubeconfig FILE] [--smoke]
//
// Result: bench/results/<date>-soak.json with every sample, and RSS at start, middle and end.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request, type AgentOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Child, memOf, resultHead, runMain, sleep, spawnServer, summarize, writeResult } from './common.js';
import { loadKubeconfig } from './target.js';

export interface SoakArgs {
  /** Seconds of load (default 600). */
  readonly duration?: number;
  /** A server to soak instead of an embedded kemu. */
  readonly kubeconfig?: string;
  /** A few seconds at a low rate: checks that the bench runs. */
  readonly smoke?: boolean;
  /** Operations per second, all kinds together (default 200). */
  readonly rate?: number;
  readonly objects?: number;
  readonly watchers?: number;
  readonly stalled?: number;
  /** Seconds between samples (default 5). */
  readonly sample?: number;
}

interface Target {
  readonly origin: string;
  /** Path before every API path (`/clusters/<name>` for a kemu spoke context). */
  readonly prefix: string;
  readonly tls: AgentOptions;
  readonly headers: Readonly<Record<string, string>>;
  /** The embedded kemu's pid, for /proc readings. */
  readonly pid?: number;
}

interface Reply { status: number; body: string }

const NS = 'soak';

class Client {
  private readonly agent: Agent;

  constructor(private readonly target: Target, maxSockets: number) {
    this.agent = new Agent({ ...target.tls, keepAlive: true, maxSockets });
  }

  send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const r = request(new URL(this.target.prefix + path, this.target.origin), {
        method, agent: this.agent,
        headers: { ...this.target.headers, ...(payload ? { 'Content-Type': contentType } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Counts by kind of operation and outcome. */
class Tally {
  readonly ops = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly samples: string[] = [];

  ok(op: string): void {
    this.ops.set(op, (this.ops.get(op) ?? 0) + 1);
  }

  error(op: string, what: string): void {
    const key = `${op}: ${what}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    if (this.samples.length < 20) this.samples.push(key);
  }

  get errorCount(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }
}

/**
 * A watcher as a reflector runs one: it lists for a resourceVersion, watches from there, reads
 * every event checking that resourceVersions grow, resumes from the last one when its stream
 * ends, and lists again after a 410.
 */
function runWatcher(target: Target, client: Client, path: string, tally: Tally, state: { stop: boolean }, stalled: boolean): Promise<void> {
  const tls = new Agent({ ...target.tls, keepAlive: false });
  let lastRV = 0;
  const once = () => new Promise<void>((resolve) => {
    const r = request(new URL(`${target.prefix}${path}?watch=true&allowWatchBookmarks=true&resourceVersion=${lastRV}`, target.origin), { agent: tls, headers: target.headers }, (res) => {
      if (res.statusCode !== 200) {
        tally.error('watch', `HTTP ${res.statusCode}`);
        res.resume();
        res.on('end', resolve);
        return;
      }
      tally.ok(stalled ? 'watch-stalled' : 'watch');
      if (stalled) {
        // Read the head, then nothing: the server cuts it off once its buffer bound is passed,
        // and the next round starts from a fresh list.
        res.pause();
        lastRV = 0;
        res.on('close', resolve);
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          // The type and resourceVersion are cut out of the line: parsing every object would cost
          // this process more CPU than the server spends sending it, on the same machine.
          const type = /^\{"type":"(\w+)"/.exec(line)?.[1];
          if (type === 'ERROR') {
            // 410 Expired: start over from the current state, as a reflector relists.
            const code = /"code":(\d+)/.exec(line)?.[1];
            if (code === '410') lastRV = 0; else tally.error('watch', `ERROR event ${code}`);
            continue;
          }
          const rv = Number(/"resourceVersion":"(\d+)"/.exec(line)?.[1]);
          if (!type || !Number.isFinite(rv)) {
            tally.error('watch', 'unreadable event');
            continue;
          }
          if (type !== 'BOOKMARK' && lastRV > 0 && rv <= lastRV) tally.error('watch', 'resourceVersion went back');
          if (rv > lastRV) lastRV = rv;
          tally.ok('event');
        }
      });
      res.on('end', resolve);
      res.on('error', () => resolve());
      res.on('aborted', () => resolve());
    });
    r.on('error', () => {
      if (!state.stop) tally.error('watch', 'connection error');
      resolve();
    });
    const timer = setInterval(() => { if (state.stop) r.destroy(); }, 200);
    r.on('close', () => clearInterval(timer));
    r.end();
  });
  const list = async (): Promise<void> => {
    try {
      const r = await client.send('GET', `${path}?limit=1`);
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      lastRV = Number((JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
      tally.ok('watch-list');
    } catch (e) {
      tally.error('watch-list', (e as Error).message);
    }
  };
  return (async () => {
    while (!state.stop) {
      if (lastRV === 0) await list();
      if (lastRV > 0) await once();
      if (!state.stop) await sleep(stalled ? 1_000 : 100);
    }
    tls.destroy();
  })();
}

interface Sample {
  t: number;
  rssMB: number;
  heapUsedMB?: number;
  lagP99Ms?: number;
  lagMaxMs?: number;
  storeMB?: number;
  watchers?: number;
  ops: number;
  errors: number;
}

async function sample(client: Client, target: Target, started: number, tally: Tally): Promise<Sample> {
  const m = await client.send('GET', '/metrics').catch(() => ({ status: 0, body: '' }));
  const metric = (name: string): number | undefined => {
    const v = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(m.body)?.[1];
    return v === undefined ? undefined : Number(v);
  };
  const longrunning = m.body.split('\n').filter((l) => l.startsWith('apiserver_longrunning_requests{')).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
  const rssBytes = target.pid ? (await memOf(target.pid)).rssKB * 1024 : metric('process_resident_memory_bytes') ?? 0;
  const mb = (b: number | undefined) => (b === undefined ? undefined : Math.round((b / 1048576) * 10) / 10);
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000 * 10) / 10);
  let ops = 0;
  for (const [k, v] of tally.ops) if (k !== 'event') ops += v;
  return {
    t: Math.round((Date.now() - started) / 1000),
    rssMB: mb(rssBytes) ?? 0,
    heapUsedMB: mb(metric('nodejs_heap_size_used_bytes')),
    lagP99Ms: ms(metric('nodejs_eventloop_lag_p99_seconds')),
    lagMaxMs: ms(metric('nodejs_eventloop_lag_max_seconds')),
    storeMB: mb(metric('apiserver_storage_size_bytes')),
    watchers: m.status === 200 ? longrunning : undefined,
    ops,
    errors: tally.errorCount,
  };
}

export async function main(args: SoakArgs = {}): Promise<void> {
  const smoke = args.smoke ?? false;
  const duration = args.duration ?? (smoke ? 5 : 600);
  const rate = args.rate ?? (smoke ? 50 : 100);
  const objects = args.objects ?? (smoke ? 100 : 1_000);
  const watchers = args.watchers ?? (smoke ? 3 : 20);
  const stalledWatchers = args.stalled ?? (smoke ? 2 : 10);
  const every = args.sample ?? (smoke ? 1 : 5);

  let child: Child | undefined;
  let dataDir: string | undefined;
  let target: Target;
  if (args.kubeconfig) {
    const e = loadKubeconfig(args.kubeconfig).current;
    target = { origin: e.origin, prefix: e.prefix, tls: { ca: e.tls.ca, cert: e.tls.cert, key: e.tls.key, rejectUnauthorized: e.tls.rejectUnauthorized, servername: e.tls.servername }, headers: e.headers };
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'kemu-soak-'));
    child = await spawnServer(dataDir, []);
    target = { origin: child.url, prefix: '', tls: { ca: child.ca }, headers: { Authorization: `Bearer ${child.token}` }, pid: child.pid };
  }
  const client = new Client(target, 32);
  const tally = new Tally();
  const state = { stop: false };
  try {
    const ns = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    if (ns.status !== 201 && ns.status !== 409) throw new Error(`cannot create namespace ${NS}: ${ns.status} ${ns.body}`);
    const coll = `/api/v1/namespaces/${NS}/configmaps`;

    const started = Date.now();
    const watching = [
      ...Array.from({ length: watchers }, () => runWatcher(target, client, coll, tally, state, false)),
      ...Array.from({ length: stalledWatchers }, () => runWatcher(target, client, coll, tally, state, true)),
    ];
    const samples: Sample[] = [await sample(client, target, started, tally)];
    console.log(`soak: ${duration} s at ${rate} ops/s, about ${objects} objects, ${watchers} watchers and ${stalledWatchers} stalled ones${child ? `, kemu pid ${child.pid}` : ` against ${target.origin}`}`);

    // Names stored; picks are random among them. A name with a request in flight is not deleted,
    // and a deleted one is out of the pool at once, so no request races a delete into a 404.
    const live: string[] = [];
    const busy = new Map<string, number>();
    let serial = 0;
    const pick = () => live[Math.floor(Math.random() * live.length)];
    const op = async (): Promise<void> => {
      const r = Math.random();
      const expect = async (name: string, p: () => Promise<Reply>, want: number, target?: string, after?: (reply: Reply) => void) => {
        if (target) busy.set(target, (busy.get(target) ?? 0) + 1);
        try {
          const reply = await p();
          if (reply.status === want) {
            tally.ok(name);
            after?.(reply);
          } else {
            tally.error(name, `HTTP ${reply.status}${reply.status >= 500 ? ` ${reply.body.slice(0, 120)}` : ''}`);
          }
        } catch (e) {
          tally.error(name, (e as Error).message);
        } finally {
          if (target) {
            const n = (busy.get(target) ?? 1) - 1;
            if (n > 0) busy.set(target, n); else busy.delete(target);
          }
        }
      };
      if (live.length < objects * 0.8 || (r < 0.3 && live.length < objects * 1.2)) {
        const name = `cm-${serial++}`;
        return expect('create', () => client.send('POST', coll, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'soak', shard: String(serial % 10) } }, data: { v: '0', pad: 'x'.repeat(512) } }), 201,
          name, () => live.push(name));
      }
      if (r < 0.55) {
        const name = pick();
        return expect('update', () => client.send('PATCH', `${coll}/${name}`, { data: { v: String(serial++) } }, 'application/merge-patch+json'), 200, name);
      }
      if (r < 0.7) {
        const name = pick();
        return expect('get', () => client.send('GET', `${coll}/${name}`), 200, name);
      }
      if (r < 0.8) return expect('list', () => client.send('GET', `${coll}?limit=500`), 200);
      if (r < 0.9) return expect('list-selector', () => client.send('GET', `${coll}?labelSelector=${encodeURIComponent(`shard=${serial % 10}`)}`), 200);
      const i = live.findIndex((n) => !busy.has(n));
      if (i < 0) return;
      const [name] = live.splice(i, 1);
      return expect('delete', () => client.send('DELETE', `${coll}/${name}`), 200, name);
    };

    // Paced: each tick starts the operations due since the last one; at most 256 in flight.
    let inFlight = 0;
    let started_ = 0;
    // Operations not started because 256 were still in flight: the server fell behind the pace.
    let skipped = 0;
    const deadline = started + duration * 1000;
    let nextSample = started + every * 1000;
    while (Date.now() < deadline) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate) - started_;
      for (let i = 0; i < due; i++) {
        started_++;
        if (inFlight >= 256) {
          skipped++;
          continue;
        }
        inFlight++;
        void op().finally(() => { inFlight--; });
      }
      if (Date.now() >= nextSample) {
        const s = await sample(client, target, started, tally);
        samples.push(s);
        console.log(`  t=${String(s.t).padStart(4)} s  rss ${s.rssMB} MB  heap ${s.heapUsedMB ?? '?'} MB  lag p99 ${s.lagP99Ms ?? '?'} ms max ${s.lagMaxMs ?? '?'} ms  store ${s.storeMB ?? '?'} MB  watches ${s.watchers ?? '?'}  ops ${s.ops}  errors ${s.errors}`);
        nextSample += every * 1000;
      }
      await sleep(20);
    }
    while (inFlight > 0) await sleep(20);
    samples.push(await sample(client, target, started, tally));
    state.stop = true;
    await Promise.all(watching);

    const at = (fraction: number) => samples[Math.min(samples.length - 1, Math.round((samples.length - 1) * fraction))];
    // The first scrape's lag window reaches back to the server's start-up: it is left out.
    const lagP99 = samples.slice(1).map((s) => s.lagP99Ms).filter((v): v is number => v !== undefined);
    const lagMax = samples.slice(1).map((s) => s.lagMaxMs).filter((v): v is number => v !== undefined);
    const result = {
      ...resultHead('soak'),
      target: child ? 'embedded' : target.origin,
      options: { duration, rate, objects, watchers, stalled: stalledWatchers, sampleSeconds: every, smoke },
      rssMB: { start: at(0).rssMB, middle: at(0.5).rssMB, end: at(1).rssMB, max: Math.max(...samples.map((s) => s.rssMB)) },
      eventLoopLagMs: { p99OfSamples: lagP99.length ? summarize(lagP99) : undefined, maxOfSamples: lagMax.length ? Math.max(...lagMax) : undefined },
      operations: Object.fromEntries(tally.ops),
      skippedBehindPace: skipped,
      errors: { total: tally.errorCount, byKind: Object.fromEntries(tally.errors), first: tally.samples },
      samples,
    };
    console.log(`\nRSS start ${result.rssMB.start} MB, middle ${result.rssMB.middle} MB, end ${result.rssMB.end} MB (max ${result.rssMB.max} MB)`);
    console.log(`event-loop lag: p99 per ${every} s window ${lagP99.length ? `median ${summarize(lagP99).p50} ms, max ${Math.max(...lagP99)} ms` : 'n/a'}; worst single delay ${result.eventLoopLagMs.maxOfSamples ?? 'n/a'} ms`);
    console.log(`operations: ${[...tally.ops].map(([k, v]) => `${k} ${v}`).join(', ')}; ${skipped} not started because the server fell behind the pace`);
    console.log(`errors: ${tally.errorCount}${tally.errorCount ? ` (${[...tally.errors].map(([k, v]) => `${k} ×${v}`).join('; ')})` : ''}`);
    await writeResult(result);
    if (tally.errorCount > 0) process.exitCode = 1;
  } finally {
    state.stop = true;
    client.close();
    await child?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runMain(async () => {
    const { values } = parseArgs({
      options: {
        duration: { type: 'string' }, rate: { type: 'string' }, objects: { type: 'string' }, watchers: { type: 'string' },
        stalled: { type: 'string' }, sample: { type: 'string' }, kubeconfig: { type: 'string' }, smoke: { type: 'boolean', default: false },
      },
    });
    const num = (v: string | undefined, flag: string): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} must be a non-negative number, got ${v}`);
      return n;
    };
    await main({
      duration: num(values.duration, 'duration'), rate: num(values.rate, 'rate'), objects: num(values.objects, 'objects'),
      watchers: num(values.watchers, 'watchers'), stalled: num(values.stalled, 'stalled'), sample: num(values.sample, 'sample'),
      kubeconfig: values.kubeconfig, smoke: values.smoke,
    });
  });
}
