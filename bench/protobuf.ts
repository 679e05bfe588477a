// Protobuf against JSON on the same server. Starts kemu in a child process, creates N ConfigMaps
// of about --size bytes in namespace `bench` of the hub, then for each case runs the JSON and the
// protobuf variant alternately (JSON, protobuf, JSON, protobuf; --seconds in all per variant) and
// compares requests per second:
//   - GET one ConfigMap        Accept: application/json | client-go's protobuf-first Accept
//   - LIST the N ConfigMaps    (sequential: one LIST at a time)
//   - CREATE a ConfigMap       JSON body | protobuf body (each answered in its own encoding)
// The first answer of every protobuf variant is decoded and checked against the JSON one.
//   npx tsx bench/protobuf.ts [--objects 10000] [--size 1024] [--seconds 5] [--concurrency 8] [--cpu-prof]
import { mkdtemp } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { decodeProtobufObject } from '../server/protobuf.js';
import { encodeProtobufObject } from '../server/protobuf-encode.js';
import { type Child, nowUs, type ProfileTop, profilePhases, resultHead, runMain, spawnServer, usingServer, writeResult } from './common.js';

const NS = 'bench';
const CREATE_NS = 'bench-create';
const COLL = `/api/v1/namespaces/${NS}/configmaps`;
const PB = 'application/vnd.kubernetes.protobuf';
// What client-go sends for a protobuf-configured clientset.
const PB_ACCEPT = `${PB}, application/json`;

type Encoding = 'json' | 'protobuf';

interface Resp { status: number; type: string; bytes: number; body?: Buffer }

function call(agent: Agent, c: Child, method: string, path: string, accept: string, body?: Buffer, contentType = 'application/json', keepBody = false): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${c.token}`, Accept: accept };
    if (body) { headers['Content-Type'] = contentType; headers['Content-Length'] = body.length; }
    const r = request(new URL(path, c.url), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (b: Buffer) => { bytes += b.length; if (keepBody) chunks.push(b); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), bytes, body: keepBody ? Buffer.concat(chunks, bytes) : undefined }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

function configMapObject(name: string, ns: string, padding: number): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels: { app: 'kemu-bench' } },
    data: { payload: 'x'.repeat(Math.max(0, padding)) },
  };
}

interface CaseResult { requests: number; seconds: number; perSecond: number; bytesPerResponse: number }

/** Runs `one` from `concurrency` workers until `ms` pass; counts the answers. */
async function drive(concurrency: number, ms: number, one: (i: number) => Promise<Resp>): Promise<{ requests: number; seconds: number; bytes: number }> {
  const end = performance.now() + ms;
  let requests = 0;
  let bytes = 0;
  let seq = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const r = await one(seq++);
      if (r.status >= 300) throw new Error(`status ${r.status}`);
      requests++;
      bytes += r.bytes;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests, seconds: (performance.now() - t0) / 1000, bytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string', default: '10000' },
      size: { type: 'string', default: '1024' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '8' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const n = Number(values.objects);
  const size = Number(values.size);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  for (const [k, v, max] of [['objects', n, 1_000_000], ['size', size, 1_000_000], ['seconds', seconds, 600], ['concurrency', concurrency, 256]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`--${k} must be 1..${max}, got ${v}`);
  }
  const profDir = values['cpu-prof'] ? await mkdtemp(join(tmpdir(), 'kemu-bench-prof-')) : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'kemu-bench-protobuf-'));
  const child = await spawnServer(dataDir, profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: child.ca });
  const phases: Record<string, [number, number]> = {};
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  await usingServer(child, dataDir, async () => {
    for (const ns of [NS, CREATE_NS]) {
      const r = await call(agent, child, 'POST', '/api/v1/namespaces', 'application/json', json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
      if (r.status !== 201) throw new Error(`namespace ${ns}: ${r.status}`);
    }
    // Pad the first object so a stored ConfigMap is about --size bytes.
    const width = String(n).length;
    const nameOf = (i: number) => `cm-${String(i).padStart(width, '0')}`;
    const base = await call(agent, child, 'POST', COLL, 'application/json', json(configMapObject(nameOf(0), NS, 0)));
    if (base.status !== 201) throw new Error(`create: ${base.status}`);
    const padding = size - base.bytes;
    let next = 1;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < n) {
        const name = nameOf(next++);
        const r = await call(agent, child, 'POST', COLL, 'application/json', json(configMapObject(name, NS, padding)));
        if (r.status !== 201) throw new Error(`create ${name}: ${r.status}`);
      }
    }));
    process.stderr.write(`created ${n} ConfigMaps in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    const one = `${COLL}/${nameOf(Math.floor(n / 2))}`;
    const accept = (e: Encoding) => (e === 'json' ? 'application/json' : PB_ACCEPT);
    let created = 0;
    const createBody = (e: Encoding): { body: Buffer; type: string } => {
      const obj = configMapObject(`new-${created++}`, CREATE_NS, padding);
      return e === 'json' ? { body: json(obj), type: 'application/json' } : { body: encodeProtobufObject(obj)!.body, type: PB };
    };
    const cases: Record<string, { concurrency: number; run: (e: Encoding) => Promise<Resp>; check: (e: Encoding) => Promise<void> }> = {
      get: {
        concurrency,
        run: (e) => call(agent, child, 'GET', one, accept(e)),
        check: async () => {
          const [j, p] = await Promise.all([call(agent, child, 'GET', one, 'application/json', undefined, undefined, true), call(agent, child, 'GET', one, PB_ACCEPT, undefined, undefined, true)]);
          if (p.type !== PB) throw new Error(`GET protobuf answered ${p.type}`);
          if (!isDeepStrictEqual(JSON.parse(JSON.stringify(decodeProtobufObject(p.body!))), JSON.parse(j.body!.toString()))) throw new Error('GET: protobuf and JSON differ');
        },
      },
      list: {
        concurrency: 1,
        run: (e) => call(agent, child, 'GET', COLL, accept(e)),
        check: async () => {
          const p = await call(agent, child, 'GET', COLL, PB_ACCEPT, undefined, undefined, true);
          const list = decodeProtobufObject(p.body!) as { items?: unknown[] };
          if (p.type !== PB || list.items?.length !== n) throw new Error(`LIST protobuf: ${p.type}, ${list.items?.length} items`);
        },
      },
      create: {
        concurrency,
        run: (e) => {
          const { body, type } = createBody(e);
          return call(agent, child, 'POST', `/api/v1/namespaces/${CREATE_NS}/configmaps`, accept(e), body, type);
        },
        check: async () => {
          const { body, type } = createBody('protobuf');
          const r = await call(agent, child, 'POST', `/api/v1/namespaces/${CREATE_NS}/configmaps`, PB_ACCEPT, body, type, true);
          const back = decodeProtobufObject(r.body!) as { metadata?: { uid?: string } };
          if (r.status !== 201 || r.type !== PB || !back.metadata?.uid) throw new Error(`CREATE protobuf: ${r.status} ${r.type}`);
        },
      },
    };

    const results: Record<string, Record<Encoding, CaseResult> & { ratio: number }> = {};
    for (const [name, c] of Object.entries(cases)) {
      await c.check('protobuf');
      // Warm both paths (and the protobuf cache) before timing.
      for (const e of ['json', 'protobuf'] as const) await drive(c.concurrency, 300, () => c.run(e));
      const acc: Record<Encoding, { requests: number; seconds: number; bytes: number }> = {
        json: { requests: 0, seconds: 0, bytes: 0 }, protobuf: { requests: 0, seconds: 0, bytes: 0 },
      };
      const t = nowUs();
      for (const e of ['json', 'protobuf', 'json', 'protobuf'] as const) {
        const r = await drive(c.concurrency, (seconds * 1000) / 2, () => c.run(e));
        acc[e].requests += r.requests;
        acc[e].seconds += r.seconds;
        acc[e].bytes += r.bytes;
      }
      phases[name] = [t, nowUs()];
      const out = (e: Encoding): CaseResult => ({
        requests: acc[e].requests,
        seconds: Number(acc[e].seconds.toFixed(2)),
        perSecond: Number((acc[e].requests / acc[e].seconds).toFixed(1)),
        bytesPerResponse: Math.round(acc[e].bytes / (acc[e].requests || 1)),
      });
      const j = out('json');
      const p = out('protobuf');
      results[name] = { json: j, protobuf: p, ratio: Number((p.perSecond / j.perSecond).toFixed(3)) };
      console.log(`${name.padEnd(7)} json ${String(j.perSecond).padStart(8)} req/s (${j.bytesPerResponse} B)   protobuf ${String(p.perSecond).padStart(8)} req/s (${p.bytesPerResponse} B)   protobuf/json ${results[name].ratio}`);
    }

    await child.stop();
    let profile: Record<string, ProfileTop> | undefined;
    if (profDir) profile = await profilePhases(profDir, phases, { top: 15, filesShown: 8 });
    const result = {
      ...resultHead('protobuf'),
      params: { objects: n, size, seconds, concurrency, listConcurrency: 1, cpuProf: Boolean(profDir) },
      results,
      ...(profile ? { serverProfile: profile } : {}),
    };
    await writeResult(result);
  }, () => {
    agent.destroy();
    if (profDir) process.stderr.write(`profile kept in ${profDir}\n`);
  });
}

runMain(main);
