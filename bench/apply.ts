// Applies per second: client-side `kubectl apply` (GET, three-way patch, PATCH) against
// server-side apply (one PATCH application/apply-patch+yaml), on 1 KB ConfigMaps and ≈11.7 KB
// ManifestWorks (the guestbook manifests, as in the Maestro scale test). Hive's scale test saw
// 0.66 s per resource client-side and 0.03 s server-side through kubectl; this measures kemu's
// own cost of both paths, without kubectl's process start.
//
// A kemu child with --crds fixtures/crds; per kind, --objects objects in namespace bench-csa
// (client-side) and as many in bench-ssa (server-side). Round 0 creates them (client-side: GET
// 404, then POST with the last-applied annotation, as kubectl does; server-side: the apply
// creates); rounds 1..--rounds each change one field in every manifest, so every apply is a real
// change. The two paths take turns round by round. Requests go over keep-alive HTTPS at a fixed
// --concurrency, with fieldValidation=Strict as kubectl 1.32 sends it on both paths. Client-side,
// as kubectl does it (apply.go / patcher.go; the annotation and both patches were checked byte
// for byte against kubectl 1.32.4 -v=9):
//   modified = manifest + annotation kubectl.kubernetes.io/last-applied-configuration =
//              Go JSON of the manifest (annotations {} when it has none) + "\n"
//   original = the live object's annotation, current = the live object
//   ConfigMap:    createThreeWayMergePatch(original, modified, current, ConfigMap schema),
//                 sent as application/strategic-merge-patch+json
//   ManifestWork: createThreeWayJSONMergePatch(original, modified, current) (no strategic merge
//                 patch for custom resources), sent as application/merge-patch+json
// The client's patch CPU (decode the GET, build modified, three-way diff, encode the patch) is
// timed apart from the wait.
//   npx tsx bench/apply.ts [--objects 500] [--rounds 3] [--concurrency 16]
//                          [--cm-size 1024] [--mw-size 11981]   (manifest bytes as compact JSON)
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Histogram } from 'hdr-histogram-js';
import { parse as parseYAML } from 'yaml';
import { LAST_APPLIED_ANNOTATION } from '../model/apply/lastapplied.js';
import { goJSON } from '../model/apply/value.js';
import { createThreeWayJSONMergePatch } from '../model/patch/json-merge-three-way.js';
import { createThreeWayMergePatch } from '../model/patch/three-way.js';
import { builtinSchema } from '../model/schema/builtin.js';
import { isStatus } from '../model/status.js';
import { REPO_ROOT, spawnChildServer, type ChildServer } from '../test/helpers/child-server.js';
import { resultHead, runMain, usingServer } from './common.js';

type Obj = Record<string, unknown>;

const NS = { csa: 'bench-csa', ssa: 'bench-ssa' } as const;
type Path = keyof typeof NS;
const PATH_LABEL: Record<Path, string> = { csa: 'client-side', ssa: 'server-side' };
const CSA_MANAGER = 'kubectl-client-side-apply';
const ROUND_KEY = 'bench.kemu.io/round';
const STRATEGIC = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

// ---------------------------------------------------------------------------------------------
// HTTP over one keep-alive agent.

interface Resp { status: number; body: Buffer }

function call(agent: Agent, c: ChildServer, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${c.token}`, Accept: 'application/json' };
    let bytes: Buffer | undefined;
    if (body !== undefined) {
      bytes = Buffer.from(body);
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = bytes.length;
    }
    const r = request(new URL(path, c.url), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(bytes);
  });
}

async function ok(p: Promise<Resp>, want: number[], what: string): Promise<Resp> {
  const r = await p;
  if (!want.includes(r.status)) throw new Error(`${what}: ${r.status} ${r.body.toString().slice(0, 300)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// The two kinds.

interface Kind {
  readonly key: 'configMap' | 'manifestWork';
  readonly title: string;
  readonly apiPath: string;
  readonly resource: string;
  readonly patchType: string;
  manifest(ns: string, name: string, round: number): Obj;
  roundOf(o: Obj): string | undefined;
  threeWay(original: Obj, modified: Obj, current: Obj): Obj;
  /** Compact JSON bytes of one manifest (what a server-side apply sends). */
  manifestBytes: number;
  note: string;
}

const roundText = (r: number) => String(r).padStart(4, '0');
const size = (o: unknown) => Buffer.byteLength(JSON.stringify(o));

function configMapKind(target: number): Kind {
  const schema = builtinSchema('', 'v1', 'ConfigMap');
  if (!schema) throw new Error('no ConfigMap schema');
  const make = (ns: string, name: string, round: number, padding: number): Obj => ({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels: { app: 'kemu-bench' } },
    data: { round: roundText(round), payload: 'x'.repeat(padding) },
  });
  const padding = Math.max(0, target - size(make(NS.csa, 'cm-0000', 0, 0)));
  const kind: Kind = {
    key: 'configMap', title: 'ConfigMap', apiPath: '/api/v1', resource: 'configmaps', patchType: STRATEGIC,
    manifest: (ns, name, round) => make(ns, name, round, padding),
    roundOf: (o) => (o.data as Obj | undefined)?.round as string | undefined,
    threeWay(original, modified, current) {
      const p = createThreeWayMergePatch(original, modified, current, schema);
      if (isStatus(p)) throw new Error(`three-way strategic merge patch: ${p.message}`);
      return p;
    },
    manifestBytes: 0,
    note: `data.round changes each round, data.payload pads to the size`,
  };
  kind.manifestBytes = size(kind.manifest(NS.csa, 'cm-0000', 0));
  return kind;
}

/** The guestbook manifests (fixtures/manifests/guestbook), as parsed from their YAML, in file order. */
function guestbook(): Obj[] {
  const dir = join(REPO_ROOT, 'fixtures', 'manifests', 'guestbook');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => parseYAML(readFileSync(join(dir, f), 'utf8')) as Obj);
}

/**
 * ManifestWorks carrying the guestbook in `copies` namespaces (guestbook-1..), plus one ConfigMap
 * whose data pads the work to the target size. Each round changes an annotation on the first
 * manifest (the frontend Deployment in guestbook-1).
 */
function manifestWorkKind(target: number): Kind {
  const gb = guestbook();
  const make = (ns: string, name: string, round: number, copies: number, padding: number): Obj => {
    const manifests: Obj[] = [];
    for (let c = 1; c <= copies; c++) {
      for (const m of gb) {
        const o = structuredClone(m) as Obj & { metadata: Obj };
        o.metadata = { ...o.metadata, namespace: `guestbook-${c}` };
        manifests.push(o);
      }
    }
    (manifests[0].metadata as Obj).annotations = { [ROUND_KEY]: roundText(round) };
    manifests.push({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'guestbook-settings', namespace: 'guestbook-1', labels: { app: 'guestbook' } },
      data: { padding: 'x'.repeat(padding) },
    });
    return {
      apiVersion: 'work.open-cluster-management.io/v1', kind: 'ManifestWork',
      metadata: { name, namespace: ns, labels: { app: 'guestbook' } },
      spec: { workload: { manifests } },
    };
  };
  const base = size(make(NS.csa, 'mw-0000', 0, 1, 0));
  const oneCopy = size(make(NS.csa, 'mw-0000', 0, 2, 0)) - base;
  const copies = Math.max(1, 1 + Math.floor((target - base) / oneCopy));
  const padding = Math.max(0, target - size(make(NS.csa, 'mw-0000', 0, copies, 0)));
  const kind: Kind = {
    key: 'manifestWork', title: 'ManifestWork', apiPath: '/apis/work.open-cluster-management.io/v1', resource: 'manifestworks', patchType: MERGE,
    manifest: (ns, name, round) => make(ns, name, round, copies, padding),
    roundOf(o) {
      const first = ((o.spec as Obj | undefined)?.workload as Obj | undefined)?.manifests as Obj[] | undefined;
      return ((first?.[0]?.metadata as Obj | undefined)?.annotations as Obj | undefined)?.[ROUND_KEY] as string | undefined;
    },
    threeWay: (original, modified, current) => createThreeWayJSONMergePatch(original, modified, current),
    manifestBytes: 0,
    note: `${gb.length} guestbook manifests x ${copies} namespaces (${oneCopy} B each set) + a ${padding} B padding ConfigMap; `
      + `one annotation on the first manifest changes each round`,
  };
  kind.manifestBytes = size(kind.manifest(NS.csa, 'mw-0000', 0));
  return kind;
}

/** What kubectl sends as `modified`: the manifest with its own Go JSON as the last-applied annotation. */
function withLastApplied(manifest: Obj): Obj {
  const o = structuredClone(manifest) as Obj & { metadata: Obj };
  const annotations = { ...(o.metadata.annotations as Obj | undefined) };
  delete annotations[LAST_APPLIED_ANNOTATION];
  o.metadata = { ...o.metadata, annotations };
  const text = `${goJSON(o)}\n`;
  o.metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: text };
  return o;
}

// ---------------------------------------------------------------------------------------------
// One round of one path: every object applied once, at the fixed concurrency.

interface Tally {
  applies: number;
  wallMs: number;
  latencyUs: Histogram;
  getUs: Histogram;
  writeUs: Histogram;
  computeUs: Histogram;
  computeMs: number;
  bytesSent: number;
  clientCpuMs: number;
  serverCpuMs: number;
  creates: number;
  noops: number;
}

const hist = () => build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });

function newTally(): Tally {
  return {
    applies: 0, wallMs: 0, latencyUs: hist(), getUs: hist(), writeUs: hist(), computeUs: hist(),
    computeMs: 0, bytesSent: 0, clientCpuMs: 0, serverCpuMs: 0, creates: 0, noops: 0,
  };
}

/** utime + stime of a process in ms (/proc/<pid>/stat, 100 ticks/s). */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

const us = (ms: number) => Math.max(1, Math.round(ms * 1000));

interface Ctx { agent: Agent; child: ChildServer; concurrency: number; n: number; nameOf(i: number): string }

async function clientSideApply(ctx: Ctx, kind: Kind, name: string, round: number, t: Tally): Promise<void> {
  const coll = `${kind.apiPath}/namespaces/${NS.csa}/${kind.resource}`;
  const t0 = performance.now();
  const got = await ok(call(ctx.agent, ctx.child, 'GET', `${coll}/${name}`), [200, 404], `GET ${name}`);
  const t1 = performance.now();
  t.getUs.recordValue(us(t1 - t0));
  const manifest = kind.manifest(NS.csa, name, round);
  let t2: number;
  if (got.status === 404) {
    const body = JSON.stringify(withLastApplied(manifest));
    t2 = performance.now();
    await ok(call(ctx.agent, ctx.child, 'POST', `${coll}?fieldManager=${CSA_MANAGER}&fieldValidation=Strict`, body), [201], `POST ${name}`);
    t.creates++;
    t.bytesSent += Buffer.byteLength(body);
  } else {
    const current = JSON.parse(got.body.toString('utf8')) as Obj;
    const text = ((current.metadata as Obj | undefined)?.annotations as Obj | undefined)?.[LAST_APPLIED_ANNOTATION];
    const original = typeof text === 'string' && text !== '' ? JSON.parse(text) as Obj : {};
    const patch = JSON.stringify(kind.threeWay(original, withLastApplied(manifest), current));
    t2 = performance.now();
    if (patch === '{}') {
      t.noops++; // kubectl sends nothing
    } else {
      await ok(call(ctx.agent, ctx.child, 'PATCH', `${coll}/${name}?fieldManager=${CSA_MANAGER}&fieldValidation=Strict`, patch, kind.patchType), [200], `PATCH ${name}`);
      t.bytesSent += Buffer.byteLength(patch);
    }
  }
  const t3 = performance.now();
  t.computeUs.recordValue(us(t2 - t1));
  t.computeMs += t2 - t1;
  t.writeUs.recordValue(us(t3 - t2));
  t.latencyUs.recordValue(us(t3 - t0));
}

async function serverSideApply(ctx: Ctx, kind: Kind, name: string, round: number, t: Tally): Promise<void> {
  const t0 = performance.now();
  const body = JSON.stringify(kind.manifest(NS.ssa, name, round));
  const t1 = performance.now();
  const path = `${kind.apiPath}/namespaces/${NS.ssa}/${kind.resource}/${name}?fieldManager=bench&fieldValidation=Strict&force=true`;
  const r = await ok(call(ctx.agent, ctx.child, 'PATCH', path, body, APPLY), [200, 201], `apply ${name}`);
  const t2 = performance.now();
  if (r.status === 201) t.creates++;
  t.bytesSent += Buffer.byteLength(body);
  t.computeUs.recordValue(us(t1 - t0));
  t.computeMs += t1 - t0;
  t.writeUs.recordValue(us(t2 - t1));
  t.latencyUs.recordValue(us(t2 - t0));
}

async function runRound(ctx: Ctx, kind: Kind, path: Path, round: number, t: Tally): Promise<void> {
  const apply = path === 'csa' ? clientSideApply : serverSideApply;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const server0 = await cpuMsOf(ctx.child.pid);
  const w0 = performance.now();
  const worker = async () => {
    while (next < ctx.n) await apply(ctx, kind, ctx.nameOf(next++), round, t);
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, ctx.n) }, worker));
  t.wallMs += performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  t.clientCpuMs += (cpu.user + cpu.system) / 1000;
  t.serverCpuMs += (await cpuMsOf(ctx.child.pid)) - server0;
  t.applies += ctx.n;
}

/** Every object holds the last round's change, client-side also in its annotation. */
async function verify(ctx: Ctx, kind: Kind, path: Path, round: number): Promise<number> {
  const r = await ok(call(ctx.agent, ctx.child, 'GET', `${kind.apiPath}/namespaces/${NS[path]}/${kind.resource}`), [200], 'LIST');
  const items = (JSON.parse(r.body.toString('utf8')) as { items: Obj[] }).items;
  const want = roundText(round);
  const bad = items.filter((o) => {
    if (kind.roundOf(o) !== want) return true;
    if (path === 'ssa') return false;
    const text = ((o.metadata as Obj).annotations as Obj | undefined)?.[LAST_APPLIED_ANNOTATION];
    return typeof text !== 'string' || kind.roundOf(JSON.parse(text) as Obj) !== want;
  });
  if (items.length !== ctx.n || bad.length) {
    throw new Error(`${kind.title} ${PATH_LABEL[path]}: ${items.length} objects of ${ctx.n}, ${bad.length} without round ${want}`);
  }
  return Math.round(items.reduce((s, o) => s + size(o), 0) / items.length);
}

// ---------------------------------------------------------------------------------------------
// Report.

const ms = (v: number) => Number((v / 1000).toFixed(2));

function summary(t: Tally) {
  const lat = (h: Histogram) => ({ p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)), max: ms(h.maxValue), mean: ms(h.mean) });
  return {
    applies: t.applies,
    seconds: Number((t.wallMs / 1000).toFixed(3)),
    appliesPerSecond: Number((t.applies / (t.wallMs / 1000)).toFixed(1)),
    latencyMs: lat(t.latencyUs),
    ...(t.getUs.totalCount ? { getMs: lat(t.getUs) } : {}),
    writeMs: lat(t.writeUs),
    patchCpuMs: { ...lat(t.computeUs), total: Math.round(t.computeMs), shareOfLatencyPct: Number((100 * t.computeUs.mean / (t.latencyUs.mean || 1)).toFixed(1)) },
    bytesSentPerApply: Math.round(t.bytesSent / (t.applies || 1)),
    clientCpuMsPerApply: Number((t.clientCpuMs / (t.applies || 1)).toFixed(3)),
    serverCpuMsPerApply: Number((t.serverCpuMs / (t.applies || 1)).toFixed(3)),
    creates: t.creates,
    unchanged: t.noops,
  };
}

type Summ = ReturnType<typeof summary>;

function tableRows(title: string, rows: [string, Summ][]): string[] {
  const out = [title];
  out.push(`  ${'path'.padEnd(12)}${'applies/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}  `
    + `${'patch CPU ms p50/p99'.padStart(21)}${'sent B'.padStart(8)}${'client CPU'.padStart(12)}${'server CPU'.padStart(12)}`);
  for (const [label, s] of rows) {
    out.push(`  ${label.padEnd(12)}${s.appliesPerSecond.toFixed(1).padStart(10)}${s.latencyMs.p50.toFixed(2).padStart(9)}${s.latencyMs.p99.toFixed(2).padStart(9)}  `
      + `${`${s.patchCpuMs.p50.toFixed(3)}/${s.patchCpuMs.p99.toFixed(3)}`.padStart(21)}${String(s.bytesSentPerApply).padStart(8)}`
      + `${`${s.clientCpuMsPerApply.toFixed(2)} ms`.padStart(12)}${`${s.serverCpuMsPerApply.toFixed(2)} ms`.padStart(12)}`);
  }
  return out;
}

/** bench/results/apply-<date>.json, the date as common.ts writes it (':' as '-', no fraction). */
async function writeApplyResult(result: { date: string; [k: string]: unknown }): Promise<void> {
  const dir = join(REPO_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `apply-${result.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string', default: '500' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      'cm-size': { type: 'string', default: '1024' },
      'mw-size': { type: 'string', default: String(Math.round(11.7 * 1024)) },
    },
  });
  const n = Number(values.objects);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const cmSize = Number(values['cm-size']);
  const mwSize = Number(values['mw-size']);
  for (const [k, v, min, max] of [['objects', n, 1, 100_000], ['rounds', rounds, 1, 100], ['concurrency', concurrency, 1, 256], ['cm-size', cmSize, 1, 1_000_000], ['mw-size', mwSize, 1, 1_000_000]] as const) {
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${k} must be ${min}..${max}, got ${v}`);
  }
  const kinds = [configMapKind(cmSize), manifestWorkKind(mwSize)];
  for (const k of kinds) console.log(`${k.title}: ${k.manifestBytes} B per manifest as compact JSON (${k.note})`);

  const dataDir = await mkdtemp(join(tmpdir(), 'kemu-bench-apply-'));
  // bench/common.ts spawnServer takes no kemu flags; the test helper's child takes --crds.
  const child = await spawnChildServer({ dataDir, extraArgs: ['--crds', join(REPO_ROOT, 'fixtures', 'crds')], readyTimeoutMs: 60_000 })
    .catch(async (err: unknown) => { await rm(dataDir, { recursive: true, force: true }); throw err; });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: child.caCertPem });
  const width = Math.max(4, String(n - 1).length);
  await usingServer(child, dataDir, async () => {
    for (const ns of Object.values(NS)) {
      await ok(call(agent, child, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })), [201], `namespace ${ns}`);
    }
    // The CRDs are installed before the server listens; wait for ManifestWorks to be served anyway.
    const mw = kinds[1];
    for (const started = Date.now(); ;) {
      const r = await call(agent, child, 'GET', `${mw.apiPath}/namespaces/${NS.csa}/${mw.resource}`);
      if (r.status === 200) break;
      if (Date.now() - started > 30_000) throw new Error(`ManifestWorks not served: ${r.status} ${r.body.toString().slice(0, 200)}`);
      await new Promise((res) => setTimeout(res, 100));
    }

    const results: Record<string, unknown> = {};
    const lines: string[] = [];
    const ratios: string[] = [];
    for (const kind of kinds) {
      const prefix = kind.key === 'configMap' ? 'cm' : 'mw';
      const ctx: Ctx = { agent, child, concurrency, n, nameOf: (i) => `${prefix}-${String(i).padStart(width, '0')}` };
      const create = { csa: newTally(), ssa: newTally() };
      const update = { csa: newTally(), ssa: newTally() };
      for (let round = 0; round <= rounds; round++) {
        // Take turns, so drift (warm-up, store growth) falls on both paths alike.
        const order: Path[] = round % 2 === 0 ? ['csa', 'ssa'] : ['ssa', 'csa'];
        for (const path of order) await runRound(ctx, kind, path, round, (round === 0 ? create : update)[path]);
        process.stderr.write(`${kind.title} round ${round} done\n`);
      }
      const stored = { csa: await verify(ctx, kind, 'csa', rounds), ssa: await verify(ctx, kind, 'ssa', rounds) };
      for (const t of [create.csa, create.ssa]) if (t.creates !== n) throw new Error(`${kind.title}: ${t.creates} creates in round 0, expected ${n}`);
      for (const t of [update.csa, update.ssa]) if (t.creates || t.noops) throw new Error(`${kind.title}: updates had ${t.creates} creates, ${t.noops} unchanged`);
      const s = { createCsa: summary(create.csa), createSsa: summary(create.ssa), csa: summary(update.csa), ssa: summary(update.ssa) };
      const ratio = s.ssa.appliesPerSecond / s.csa.appliesPerSecond;
      lines.push('', ...tableRows(
        `${kind.title}: ${n} objects, manifest ${kind.manifestBytes} B; stored ${stored.csa} B client-side, ${stored.ssa} B server-side (annotation, managedFields)`,
        [['create CSA', s.createCsa], ['create SSA', s.createSsa], [PATH_LABEL.csa, s.csa], [PATH_LABEL.ssa, s.ssa]],
      ));
      lines.push(`  client-side latency = GET p50 ${s.csa.getMs?.p50 ?? NaN} ms + patch CPU + PATCH p50 ${s.csa.writeMs.p50} ms`);
      ratios.push(`${kind.title}: server-side ${s.ssa.appliesPerSecond.toFixed(1)} / client-side ${s.csa.appliesPerSecond.toFixed(1)} applies/s = ${ratio.toFixed(2)}x`);
      results[kind.key] = {
        manifestBytes: kind.manifestBytes, storedBytes: stored, shape: kind.note,
        create: { clientSide: s.createCsa, serverSide: s.createSsa },
        update: { clientSide: s.csa, serverSide: s.ssa },
        ratioServerToClientSide: Number(ratio.toFixed(3)),
      };
    }
    console.log([
      `${n} objects per kind and path, ${rounds} update rounds after the create round, concurrency ${concurrency}; latency is one whole apply`,
      `(client-side: GET + patch CPU + PATCH); patch CPU is the client's decode/diff/encode per apply; CPU columns are per apply`,
      ...lines,
      '',
      'ratio (updates, server-side applies/s / client-side applies/s):',
      ...ratios.map((r) => `  ${r}`),
    ].join('\n'));

    await writeApplyResult({
      ...resultHead('apply'),
      params: { objects: n, rounds, concurrency, cmSize, mwSize },
      method: {
        clientSide: 'GET; modified = manifest + last-applied annotation; ConfigMap: createThreeWayMergePatch as application/strategic-merge-patch+json, '
          + 'ManifestWork: createThreeWayJSONMergePatch as application/merge-patch+json; ?fieldManager=kubectl-client-side-apply&fieldValidation=Strict; a 404 is created with POST',
        serverSide: 'PATCH application/apply-patch+yaml (JSON body) ?fieldManager=bench&fieldValidation=Strict&force=true',
        rounds: 'round 0 creates (reported as create), rounds 1..R change one field in every manifest; the paths alternate order per round',
      },
      ...results,
    });
  }, () => agent.destroy());
}

runMain(main);
