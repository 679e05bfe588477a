// How fast is a big LIST? Starts kemu in a child process (the client must not share its event
// loop), creates N ConfigMaps of about --size bytes in namespace `bench` of the hub, then times
//   - full LIST          GET /api/v1/namespaces/bench/configmaps                      (--runs times)
//   - paged LIST         ?limit=500 and continue until done, each object seen once    (--runs passes)
//   - cache LIST         ?resourceVersion=0                                           (--runs times)
// over one keep-alive TLS connection, sequentially.
//   npx tsx bench/list.ts [--objects 60000] [--size 1024] [--runs 20] [--concurrency 32] [--page 500]
//                         [--cpu-prof]   (profile the server child; prints its top self-time functions per phase)
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Child, nowUs, type ProfileTop, profilePhases, resultHead, runMain, rssKB, spawnServer, summarize, type Summary, writeResult } from './common.js';

const NS = 'bench';
const COLL = `/api/v1/namespaces/${NS}/configmaps`;

// ---------------------------------------------------------------------------------------------
// HTTP over one keep-alive agent.

interface Resp { status: number; bytes: number; ttfbMs: number; totalMs: number; body?: Buffer }

function call(agent: Agent, c: Child, method: string, path: string, body?: Buffer, keepBody = true): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const headers: Record<string, string | number> = { Authorization: `Bearer ${c.token}`, Accept: 'application/json' };
    if (body) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = body.length; }
    const r = request(new URL(path, c.url), { method, agent, headers }, (res) => {
      const ttfbMs = performance.now() - t0;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (b: Buffer) => { bytes += b.length; if (keepBody) chunks.push(b); });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, bytes, ttfbMs, totalMs: performance.now() - t0,
        body: keepBody ? Buffer.concat(chunks, bytes) : undefined,
      }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

function configMap(name: string, padding: number): Buffer {
  return Buffer.from(JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: NS, labels: { app: 'kemu-bench' } },
    data: { payload: 'x'.repeat(Math.max(0, padding)) },
  }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string', default: '60000' },
      size: { type: 'string', default: '1024' },
      runs: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '32' },
      page: { type: 'string', default: '500' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const n = Number(values.objects);
  const size = Number(values.size);
  const runs = Number(values.runs);
  const concurrency = Number(values.concurrency);
  const pageSize = Number(values.page);
  for (const [k, v, max] of [['objects', n, 1_000_000], ['size', size, 1_000_000], ['runs', runs, 1000], ['concurrency', concurrency, 256], ['page', pageSize, 100_000]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`--${k} must be 1..${max}, got ${v}`);
  }
  const profDir = values['cpu-prof'] ? await mkdtemp(join(tmpdir(), 'kemu-bench-prof-')) : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'kemu-bench-list-'));
  const child = await spawnServer(dataDir, profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []);
  const phases: Record<string, [number, number]> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: child.ca });
  try {
    const rssStart = await rssKB(child.pid);
    const ns = await call(agent, child, 'POST', '/api/v1/namespaces', Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })));
    if (ns.status !== 201) throw new Error(`namespace create: ${ns.status} ${ns.body?.toString().slice(0, 300)}`);

    // Calibrate the padding on the first object so the stored object is about --size bytes.
    const width = String(n).length;
    const nameOf = (i: number) => `cm-${String(i).padStart(width, '0')}`;
    const base = await call(agent, child, 'POST', COLL, configMap(nameOf(0), 0));
    if (base.status !== 201) throw new Error(`create: ${base.status} ${base.body?.toString().slice(0, 300)}`);
    const padding = size - base.bytes;
    const del = await call(agent, child, 'DELETE', `${COLL}/${nameOf(0)}`);
    if (del.status !== 200) throw new Error(`delete: ${del.status}`);

    // Create.
    let t = nowUs();
    const t0 = performance.now();
    let next = 0;
    const failures: string[] = [];
    const deadline = Date.now() + 10 * 60_000;
    const worker = async () => {
      while (next < n && Date.now() < deadline && failures.length < 10) {
        const name = nameOf(next++);
        const r = await call(agent, child, 'POST', COLL, configMap(name, padding));
        if (r.status !== 201) failures.push(`${name}: ${r.status} ${r.body?.toString().slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const createMs = performance.now() - t0;
    phases.create = [t, nowUs()];
    if (failures.length) throw new Error(`${failures.length} creates failed, first: ${failures[0]}`);
    if (next < n) throw new Error(`only ${next} of ${n} created before the deadline`);
    const rssAfterCreate = await rssKB(child.pid);
    process.stderr.write(`created ${n} in ${(createMs / 1000).toFixed(1)} s\n`);

    // Full LIST: the first response is parsed and checked, the timed runs only count bytes.
    const check = await call(agent, child, 'GET', COLL);
    const checkList = JSON.parse(check.body?.toString('utf8') ?? '{}') as { items?: { metadata: { name: string } }[]; metadata?: { continue?: string } };
    const items = checkList.items ?? [];
    if (check.status !== 200 || items.length !== n || new Set(items.map((o) => o.metadata.name)).size !== n) {
      throw new Error(`full LIST: status ${check.status}, ${items.length} items, expected ${n}`);
    }
    const objectBytes = Math.round(JSON.stringify(items[0]).length);
    t = nowUs();
    const full: Resp[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await call(agent, child, 'GET', COLL, undefined, false);
      if (r.status !== 200) throw new Error(`full LIST: ${r.status}`);
      full.push(r);
    }
    phases.list = [t, nowUs()];
    process.stderr.write(`full LIST done\n`);

    // Paged LIST.
    t = nowUs();
    const pageMs: number[] = [];
    const passMs: number[] = [];
    const passServerMs: number[] = [];
    let pagesPerPass = 0;
    let pageBytes = 0;
    for (let pass = 0; pass < runs; pass++) {
      const seen = new Set<string>();
      let dupes = 0;
      let cont: string | undefined;
      let pages = 0;
      let serverMs = 0;
      const p0 = performance.now();
      do {
        const path = `${COLL}?limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
        const r = await call(agent, child, 'GET', path);
        if (r.status !== 200) throw new Error(`paged LIST page ${pages}: ${r.status} ${r.body?.toString().slice(0, 200)}`);
        pageMs.push(r.totalMs);
        serverMs += r.totalMs;
        pageBytes += r.bytes;
        const page = JSON.parse(r.body?.toString('utf8') ?? '{}') as { items: { metadata: { name: string } }[]; metadata: { continue?: string } };
        for (const o of page.items) {
          if (seen.has(o.metadata.name)) dupes++;
          seen.add(o.metadata.name);
        }
        cont = page.metadata.continue;
        pages++;
        if (pages > n / pageSize + 10) throw new Error('paged LIST does not end');
      } while (cont);
      passMs.push(performance.now() - p0);
      passServerMs.push(serverMs);
      pagesPerPass = pages;
      if (dupes || seen.size !== n) throw new Error(`paged pass ${pass}: ${seen.size} distinct of ${n}, ${dupes} seen twice`);
    }
    phases.paged = [t, nowUs()];
    process.stderr.write(`paged LIST done\n`);

    // resourceVersion=0 LIST.
    const rv0check = await call(agent, child, 'GET', `${COLL}?resourceVersion=0`);
    const rv0Items = (JSON.parse(rv0check.body?.toString('utf8') ?? '{}') as { items?: unknown[] }).items?.length ?? 0;
    if (rv0check.status !== 200 || rv0Items !== n) throw new Error(`rv=0 LIST: status ${rv0check.status}, ${rv0Items} items`);
    t = nowUs();
    const rv0: Resp[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await call(agent, child, 'GET', `${COLL}?resourceVersion=0`, undefined, false);
      if (r.status !== 200) throw new Error(`rv=0 LIST: ${r.status}`);
      rv0.push(r);
    }
    phases.rv0 = [t, nowUs()];
    const rssEnd = await rssKB(child.pid);

    const fullS = summarize(full.map((r) => r.totalMs));
    const fullTtfb = summarize(full.map((r) => r.ttfbMs));
    const rv0S = summarize(rv0.map((r) => r.totalMs));
    const pageS = summarize(pageMs);
    const passS = summarize(passMs);
    const passServerS = summarize(passServerMs);
    const fullBytes = full[0].bytes;
    const ms = (s: Summary) => `p50 ${s.p50}  p90 ${s.p90}  p99 ${s.p99}  max ${s.max} ms`;
    const row = (label: string, v: string) => `${label.padEnd(26)}${v}`;
    console.log([
      row('objects', `${n} ConfigMaps, ${objectBytes} B each as listed (target ${size}), namespace ${NS} of the hub`),
      row('creates', `${(createMs / 1000).toFixed(1)} s, ${(n / (createMs / 1000)).toFixed(0)} creates/s (concurrency ${concurrency})`),
      row(`full LIST (${runs} runs)`, `${ms(fullS)}; first byte p50 ${fullTtfb.p50} ms; ${(fullBytes / 1e6).toFixed(1)} MB/response, ${(fullBytes / 1e6 / (fullS.p50 / 1000)).toFixed(0)} MB/s at p50`),
      row(`paged LIST limit=${pageSize}`, `${pagesPerPass} pages/pass; per page ${ms(pageS)}`),
      row(`  full pass (${runs})`, `${ms(passS)} (client parse included); sum of page requests p50 ${passServerS.p50} ms`),
      row('  check', `every pass saw each of the ${n} objects exactly once`),
      row(`rv=0 LIST (${runs} runs)`, `${ms(rv0S)}; ${(rv0[0].bytes / 1e6).toFixed(1)} MB/response`),
      row('server RSS', `${(rssStart / 1024).toFixed(0)} MB at start, ${(rssAfterCreate / 1024).toFixed(0)} MB after creates, ${(rssEnd / 1024).toFixed(0)} MB at end`),
    ].join('\n'));

    await child.stop();
    let profile: Record<string, ProfileTop> | undefined;
    if (profDir) {
      profile = await profilePhases(profDir, phases, { top: 15, filesShown: 8 });
      if (profile) console.log(`\nprofile kept in ${profDir}`);
    }

    const result = {
      ...resultHead('list'),
      params: { objects: n, size, runs, concurrency, page: pageSize, cpuProf: Boolean(profDir) },
      objectBytes,
      create: { seconds: Number((createMs / 1000).toFixed(3)), perSecond: Math.round(n / (createMs / 1000)) },
      fullList: { ms: fullS, ttfbMs: fullTtfb, bytesPerResponse: fullBytes },
      pagedList: { pagesPerPass, pageMs: pageS, passMs: passS, passRequestMs: passServerS, bytesPerPass: Math.round(pageBytes / runs), eachObjectOnce: true },
      rv0List: { ms: rv0S, bytesPerResponse: rv0[0].bytes },
      serverRssKB: { start: rssStart, afterCreate: rssAfterCreate, end: rssEnd },
      ...(profile ? { serverProfile: profile } : {}),
    };
    await writeResult(result);
  } catch (err) {
    process.stderr.write(`server output:\n${child.output().slice(-2000)}\n`);
    throw err;
  } finally {
    agent.destroy();
    await child.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
