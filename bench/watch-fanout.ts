// Watch fan-out: how many events per second can kemu push to many watchers of one collection?
// kemu runs in a child process; W watch connections (chunked JSON lines over TLS) are held by
// --clients client child processes; this process is the writer, creating E ConfigMaps of about
// --size bytes (bounded concurrency, or paced with --rate). Each object carries its send time
// from the monotonic clock all processes share (process.hrtime, CLOCK_MONOTONIC), so a watcher
// knows the lag from send to the moment it has cut the event out of the stream.
//   npx tsx bench/watch-fanout.ts [--watchers 1000] [--events 2000] [--size 1024] [--clients 1]
//                                 [--concurrency 32] [--rate 0] [--timeout 240] [--cpu-prof]
// Delivered/s = all events received by all watchers / (last delivery - first create sent).
// Goal (issue): >= 200,000 events/s delivered to 1,000 watchers on a 2-core machine.
//
// Client parsing: each watcher cuts lines at '\n' and pulls type, resourceVersion, name and the
// send stamp out of the bytes with Buffer.indexOf (no JSON.parse per event, which would cost the
// client more CPU than the server spends); the first watcher of each client JSON.parses every
// event too and checks the cheap parse against it.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { REPO_ROOT } from '../test/helpers/child-server.js';
import {
  type Child, nowUs, percentile, profilePhases, profileTop, printProfile, type ProfileTop, readProfile, resultHead, runMain, rssKB, sleep, spawnServer,
  writeResult,
} from './common.js';

const NS = 'fanout';
const COLL = `/api/v1/namespaces/${NS}/configmaps`;
const STAMP = 'kemu.bench/sent-us';

const newHistogram = () => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

// ---------------------------------------------------------------------------------------------
// Messages between this process and the client children.

interface StartMsg {
  type: 'start'; url: string; ca: string; token: string; path: string;
  watchers: number; events: number; openConcurrency: number; deadlineUs: number; client: number;
}
interface ReadyMsg { type: 'ready'; opened: number; failed: string[]; openMs: number }
interface DoneMsg {
  type: 'done'; client: number; watchers: number; delivered: number; complete: number; ended: number;
  orderErrors: number; dupes: number; badEvents: string[]; fullParseChecked: number; fullParseMismatch: number;
  firstDeliveryUs: number; lastDeliveryUs: number; doneUs: number[]; hashes: Record<string, number>;
  histogram: string; cpuUserMs: number; cpuSystemMs: number;
}

// ---------------------------------------------------------------------------------------------
// A client child: holds watchers, reads events, reports.

const NEEDLE_RV = Buffer.from('"resourceVersion":"');
const NEEDLE_NAME = Buffer.from('"name":"ev-');
const NEEDLE_STAMP = Buffer.from(`"${STAMP}":"`);
const ADDED_PREFIX = Buffer.from('{"type":"ADDED",');

function digitsAt(b: Buffer, at: number): number {
  let v = 0;
  for (let i = at; i < b.length; i++) {
    const c = b[i];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

function fieldAt(b: Buffer, needle: Buffer, from: number, to: number): number {
  const i = b.indexOf(needle, from);
  return i < 0 || i >= to ? -1 : digitsAt(b, i + needle.length);
}

async function runClient(): Promise<void> {
  const start = await new Promise<StartMsg>((resolve) => process.once('message', (m) => resolve(m as StartMsg)));
  const E = start.events;
  const agent = new Agent({ ca: start.ca, keepAlive: false, maxSockets: Infinity });
  const hist = newHistogram();
  let delivered = 0, complete = 0, ended = 0, orderErrors = 0, dupes = 0, fullParseChecked = 0, fullParseMismatch = 0;
  let firstDeliveryUs = 0, lastDeliveryUs = 0;
  const badEvents: string[] = [];
  const doneUs: number[] = [];
  const hashes = new Map<number, number>();
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((r) => { finish = r; });

  const watch = (idx: number) => new Promise<void>((resolve, reject) => {
    const seen = new Uint8Array(E + 1);
    let count = 0, lastRv = 0, hash = 0x811c9dc5, finished = false;
    let rest: Buffer | undefined;
    const fullParse = idx === 0;
    const finishWatcher = () => {
      if (finished) return;
      finished = true;
      hashes.set(hash >>> 0, (hashes.get(hash >>> 0) ?? 0) + 1);
      if (count === E) { complete++; doneUs.push(lastDeliveryUs); }
      if (complete + ended === start.watchers) finish();
    };
    const req = request(new URL(start.path, start.url), { agent, headers: { Authorization: `Bearer ${start.token}` } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch ${idx}: HTTP ${res.statusCode}`)); res.resume(); return; }
      resolve();
      res.on('data', (chunk: Buffer) => {
        const b = rest ? Buffer.concat([rest, chunk]) : chunk;
        rest = undefined;
        let pos = 0;
        const t = nowUs();
        for (;;) {
          const nl = b.indexOf(10, pos);
          if (nl < 0) { if (pos < b.length) rest = b.subarray(pos); break; }
          if (b.compare(ADDED_PREFIX, 0, ADDED_PREFIX.length, pos, pos + ADDED_PREFIX.length) !== 0) {
            if (badEvents.length < 5) badEvents.push(b.subarray(pos, Math.min(nl, pos + 300)).toString());
            pos = nl + 1;
            continue;
          }
          const rv = fieldAt(b, NEEDLE_RV, pos, nl);
          const seq = fieldAt(b, NEEDLE_NAME, pos, nl);
          const sent = fieldAt(b, NEEDLE_STAMP, pos, nl);
          if (fullParse) {
            const ev = JSON.parse(b.subarray(pos, nl).toString('utf8')) as { type: string; object: { metadata: { name: string; resourceVersion: string; annotations: Record<string, string> } } };
            const m = ev.object.metadata;
            fullParseChecked++;
            if (ev.type !== 'ADDED' || Number(m.resourceVersion) !== rv || Number(m.name.slice(3)) !== seq || Number(m.annotations[STAMP]) !== sent) fullParseMismatch++;
          }
          if (rv <= lastRv) orderErrors++;
          lastRv = rv;
          hash = Math.imul(hash ^ rv, 16777619);
          if (seq < 1 || seq > E || seen[seq]) dupes++;
          else seen[seq] = 1;
          count++;
          delivered++;
          if (sent > 0) hist.recordValue(Math.max(1, t - sent));
          pos = nl + 1;
        }
        if (!firstDeliveryUs) firstDeliveryUs = t;
        lastDeliveryUs = t;
        if (count >= E) finishWatcher();
      });
      res.on('end', () => { if (!finished) { ended++; finishWatcher(); } });
      res.on('error', () => { if (!finished) { ended++; finishWatcher(); } });
    });
    req.on('error', reject);
    req.end();
  });

  const t0 = performance.now();
  const failed: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: start.openConcurrency }, async () => {
    while (next < start.watchers) {
      const i = next++;
      await watch(i).catch((e: unknown) => { failed.push(String(e)); ended++; });
    }
  }));
  process.send?.({ type: 'ready', opened: start.watchers - failed.length, failed: failed.slice(0, 5), openMs: performance.now() - t0 } satisfies ReadyMsg);
  await Promise.race([allDone, sleep(Math.max(0, (start.deadlineUs - nowUs()) / 1000))]);
  const cpu = process.cpuUsage();
  const msg: DoneMsg = {
    type: 'done', client: start.client, watchers: start.watchers, delivered, complete, ended, orderErrors, dupes, badEvents,
    fullParseChecked, fullParseMismatch, firstDeliveryUs, lastDeliveryUs, doneUs,
    hashes: Object.fromEntries([...hashes].map(([h, n]) => [h.toString(16), n])),
    histogram: encodeIntoCompressedBase64(hist), cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000,
  };
  process.send?.(msg, () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// HTTP and /proc readings of the server.

interface Resp { status: number; text: string }

function call(agent: Agent, c: Child, method: string, path: string, body?: Buffer): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${c.token}`, Accept: 'application/json' };
    if (body) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = body.length; }
    const r = request(new URL(path, c.url), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** utime + stime of a process, ms. */
async function cpuMsOf(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) || 0) + (Number(f[12]) || 0)) * 10; // clock ticks of 10 ms (USER_HZ 100)
}

/** write(2)-family syscalls of a process so far (/proc/<pid>/io syscw). */
async function writeSyscalls(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => '');
  return Number(/^syscw:\s+(\d+)/m.exec(text)?.[1] ?? NaN);
}

// ---------------------------------------------------------------------------------------------
// The orchestrator and writer.

function configMap(seq: number, width: number, padding: number, sentUs: number): Buffer {
  return Buffer.from(JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: `ev-${String(seq).padStart(width, '0')}`, namespace: NS, annotations: { [STAMP]: String(sentUs) } },
    data: { payload: 'x'.repeat(Math.max(0, padding)) },
  }));
}

function waitMessage<T extends { type: string }>(c: ChildProcess, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client sent no ${type} in ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: unknown) => {
      if ((m as T).type !== type) return;
      clearTimeout(timer);
      c.off('message', onMsg);
      resolve(m as T);
    };
    c.on('message', onMsg);
    c.once('exit', (code) => { clearTimeout(timer); reject(new Error(`client exited (${code}) before ${type}`)); });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      client: { type: 'boolean', default: false },
      watchers: { type: 'string', default: '1000' },
      events: { type: 'string', default: '2000' },
      size: { type: 'string', default: '1024' },
      clients: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '32' },
      rate: { type: 'string', default: '0' },
      timeout: { type: 'string', default: '240' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  if (values.client) return runClient();
  const W = Number(values.watchers), E = Number(values.events), size = Number(values.size), clients = Number(values.clients);
  const concurrency = Number(values.concurrency), rate = Number(values.rate), timeoutS = Number(values.timeout);
  for (const [k, v, min, max] of [['watchers', W, 1, 20_000], ['events', E, 1, 1_000_000], ['size', size, 1, 1_000_000], ['clients', clients, 1, 16],
    ['concurrency', concurrency, 1, 256], ['rate', rate, 0, 1_000_000], ['timeout', timeoutS, 1, 3600]] as const) {
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${k} must be ${min}..${max}, got ${v}`);
  }

  const profDir = values['cpu-prof'] ? await mkdtemp(join(tmpdir(), 'kemu-bench-prof-')) : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'kemu-bench-fanout-'));
  const server = await spawnServer(dataDir, profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: server.ca });
  const kids: ChildProcess[] = [];
  const phases: Record<string, [number, number]> = {};
  try {
    const ns = await call(agent, server, 'POST', '/api/v1/namespaces', Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })));
    if (ns.status !== 201) throw new Error(`namespace create: ${ns.status} ${ns.text.slice(0, 300)}`);
    // Calibrate the padding so the stored object is about --size bytes, then remove the probe.
    const width = String(E).length;
    const probe = await call(agent, server, 'POST', COLL, configMap(0, width, 0, nowUs()));
    if (probe.status !== 201) throw new Error(`create: ${probe.status} ${probe.text.slice(0, 300)}`);
    const padding = size - Buffer.byteLength(probe.text);
    const del = await call(agent, server, 'DELETE', `${COLL}/ev-${String(0).padStart(width, '0')}`);
    if (del.status !== 200) throw new Error(`delete probe: ${del.status}`);
    const list = await call(agent, server, 'GET', `${COLL}?limit=1`);
    const listRV = (JSON.parse(list.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;

    // Client children, each holding its share of the watchers.
    const deadlineUs = nowUs() + timeoutS * 1e6;
    const self = fileURLToPath(import.meta.url);
    const tConnect = nowUs();
    const readies: Promise<ReadyMsg>[] = [];
    const dones: Promise<DoneMsg>[] = [];
    for (let c = 0; c < clients; c++) {
      const clientProf = profDir && c === 0 ? ['--cpu-prof', '--cpu-prof-dir', join(profDir, 'client-0')] : [];
      const kid = fork(self, ['--client'], { cwd: REPO_ROOT, execArgv: [...clientProf, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      kids.push(kid);
      const share = Math.floor(W / clients) + (c < W % clients ? 1 : 0);
      readies.push(waitMessage<ReadyMsg>(kid, 'ready', 120_000));
      dones.push(waitMessage<DoneMsg>(kid, 'done', timeoutS * 1000 + 180_000));
      kid.send({
        type: 'start', url: server.url, ca: server.ca, token: server.token, client: c,
        path: `${COLL}?watch=true&resourceVersion=${listRV}&timeoutSeconds=3600`,
        watchers: share, events: E, openConcurrency: 32, deadlineUs,
      } satisfies StartMsg);
    }
    const ready = await Promise.all(readies);
    phases.connect = [tConnect, nowUs()];
    const opened = ready.reduce((a, r) => a + r.opened, 0);
    if (opened !== W) throw new Error(`${W - opened} watches failed to open: ${ready.flatMap((r) => r.failed).slice(0, 3).join('; ')}`);
    const connectMs = Math.max(...ready.map((r) => r.openMs));
    process.stderr.write(`${W} watchers open in ${(connectMs / 1000).toFixed(1)} s\n`);
    await sleep(500);

    // The writer.
    const serverCpu0 = await cpuMsOf(server.pid);
    const syscw0 = await writeSyscalls(server.pid);
    const rss0 = await rssKB(server.pid);
    const createMs: number[] = [];
    const failures: string[] = [];
    let next = 1;
    const firstSendUs = nowUs();
    const worker = async () => {
      while (next <= E && failures.length < 10 && nowUs() < deadlineUs) {
        const seq = next++;
        if (rate > 0) {
          const due = firstSendUs + ((seq - 1) / rate) * 1e6;
          const wait = due - nowUs();
          if (wait > 1000) await sleep(wait / 1000);
        }
        const sent = nowUs();
        const r = await call(agent, server, 'POST', COLL, configMap(seq, width, padding, sent));
        createMs.push((nowUs() - sent) / 1000);
        if (r.status !== 201) failures.push(`${seq}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const lastAckUs = nowUs();
    if (failures.length) throw new Error(`${failures.length} creates failed, first: ${failures[0]}`);
    process.stderr.write(`writer: ${E} creates in ${((lastAckUs - firstSendUs) / 1e6).toFixed(2)} s\n`);

    const done = await Promise.all(dones);
    const endUs = Math.max(...done.map((d) => d.lastDeliveryUs));
    phases.fanout = [firstSendUs, endUs];
    const serverCpu1 = await cpuMsOf(server.pid);
    const syscw = (await writeSyscalls(server.pid)) - syscw0;
    const rss1 = await rssKB(server.pid);

    const hist: Histogram = newHistogram();
    for (const d of done) hist.add(decodeFromCompressedBase64(d.histogram));
    const delivered = done.reduce((a, d) => a + d.delivered, 0);
    const complete = done.reduce((a, d) => a + d.complete, 0);
    const endedEarly = done.reduce((a, d) => a + d.ended, 0);
    const orderErrors = done.reduce((a, d) => a + d.orderErrors, 0);
    const dupes = done.reduce((a, d) => a + d.dupes, 0);
    const badEvents = done.flatMap((d) => d.badEvents);
    const hashCounts = new Map<string, number>();
    for (const d of done) for (const [h, n] of Object.entries(d.hashes)) hashCounts.set(h, (hashCounts.get(h) ?? 0) + n);
    const sameOrder = hashCounts.size === 1;
    const spanS = (endUs - firstSendUs) / 1e6;
    const perSecond = delivered / spanS;
    const lagMs = (p: number) => Number((hist.getValueAtPercentile(p) / 1000).toFixed(2));
    const lag = { p50: lagMs(50), p90: lagMs(90), p99: lagMs(99), max: Number((hist.maxValue / 1000).toFixed(2)), samples: hist.totalCount };
    const sortedCreate = [...createMs].sort((a, b) => a - b);
    const cq = (p: number) => Number(percentile(sortedCreate, p).toFixed(2));
    const firstDone = Math.min(...done.flatMap((d) => d.doneUs));
    const serverCpuS = (serverCpu1 - serverCpu0) / 1000;
    const clientCpuS = done.reduce((a, d) => a + d.cpuUserMs + d.cpuSystemMs, 0) / 1000;
    const verified = delivered === W * E && complete === W && orderErrors === 0 && dupes === 0 && sameOrder && badEvents.length === 0
      && done.every((d) => d.fullParseMismatch === 0);

    const row = (label: string, v: string) => `${label.padEnd(24)}${v}`;
    console.log([
      row('watchers', `${W} over ${clients} client process(es), ${(connectMs / 1000).toFixed(1)} s to open`),
      row('events', `${E} ConfigMap creates of ~${size} B, writer concurrency ${concurrency}${rate ? `, paced at ${rate}/s` : ''}`),
      row('writer', `${((lastAckUs - firstSendUs) / 1e6).toFixed(2)} s, ${(E / ((lastAckUs - firstSendUs) / 1e6)).toFixed(0)} creates/s; create latency p50 ${cq(50)} p99 ${cq(99)} ms`),
      row('delivered', `${delivered} of ${W * E} in ${spanS.toFixed(2)} s (first send → last delivery)`),
      row('delivered/s', `${Math.round(perSecond).toLocaleString('en-US')}  (goal 200,000: ${perSecond >= 200_000 ? 'met' : 'NOT met'})`),
      row('  ', `≈ ${((perSecond * size) / 1e6).toFixed(0)} MB/s of objects; first watcher complete after ${((firstDone - firstSendUs) / 1e6).toFixed(2)} s`),
      row('lag send→parsed', `p50 ${lag.p50}  p90 ${lag.p90}  p99 ${lag.p99}  max ${lag.max} ms (${lag.samples} samples)`),
      row('check', verified
        ? `every watcher got all ${E} events once, in increasing resourceVersion, all in the same order`
        : `FAILED: complete ${complete}/${W}, ended early ${endedEarly}, order errors ${orderErrors}, dupes ${dupes}, order variants ${hashCounts.size}, bad ${badEvents.length}, full-parse mismatches ${done.reduce((a, d) => a + d.fullParseMismatch, 0)}`),
      row('CPU during fan-out', `server ${serverCpuS.toFixed(1)} s (${((100 * serverCpuS) / spanS).toFixed(0)}% of a core), clients ${clientCpuS.toFixed(1)} s in total (incl. connect), ${cpus().length} cores`),
      row('server writes', `${syscw} write syscalls during fan-out, ${(delivered / syscw).toFixed(2)} events per write; ${((serverCpuS * 1e6) / delivered).toFixed(2)} µs server CPU per delivered event`),
      row('server RSS', `${(rss0 / 1024).toFixed(0)} MB before writes, ${(rss1 / 1024).toFixed(0)} MB after`),
    ].join('\n'));
    if (badEvents.length) console.log(`unexpected events: ${badEvents.slice(0, 3).join('\n')}`);

    await server.stop();
    let profile: Record<string, ProfileTop> | undefined;
    if (profDir) {
      profile = await profilePhases(profDir, phases, { top: 20, filesShown: 10 });
      if (profile) {
        // The first client too: the client's share of the 2 cores is part of the story.
        await Promise.all(kids.map((k) => (k.exitCode === null ? new Promise((r) => k.once('exit', r)) : undefined)));
        const cp = await readProfile(join(profDir, 'client-0'));
        if (cp) {
          profile['client-0 fanout'] = profileTop(cp, phases.fanout[0], phases.fanout[1], 20);
          printProfile('client-0 fanout', profile['client-0 fanout'], 10);
        }
        console.log(`\nprofile kept in ${profDir}`);
      }
    }

    const result = {
      ...resultHead('watch-fanout'),
      params: { watchers: W, events: E, size, clients, concurrency, rate, cpuProf: Boolean(profDir) },
      connectSeconds: Number((connectMs / 1000).toFixed(3)),
      writer: { seconds: Number(((lastAckUs - firstSendUs) / 1e6).toFixed(3)), createMsP50: cq(50), createMsP99: cq(99) },
      delivered, expected: W * E, spanSeconds: Number(spanS.toFixed(3)), deliveredPerSecond: Math.round(perSecond),
      goalPerSecond: 200_000, goalMet: perSecond >= 200_000,
      lagMs: lag,
      verified, completeWatchers: complete, endedEarly, orderErrors, dupes, orderVariants: hashCounts.size,
      fullParseChecked: done.reduce((a, d) => a + d.fullParseChecked, 0),
      cpuSeconds: { server: Number(serverCpuS.toFixed(2)), clients: Number(clientCpuS.toFixed(2)) },
      serverWriteSyscalls: syscw, serverCpuUsPerDelivery: Number(((serverCpuS * 1e6) / delivered).toFixed(2)),
      serverRssKB: { beforeWrites: rss0, afterFanout: rss1 },
      ...(profile ? { serverProfile: profile } : {}),
    };
    await writeResult(result);
  } catch (err) {
    process.stderr.write(`server output:\n${server.output().slice(-2000)}\n`);
    throw err;
  } finally {
    for (const k of kids) if (k.exitCode === null) k.kill('SIGKILL');
    agent.destroy();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
