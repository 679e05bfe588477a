// Measures a cluster's service times and fits a capacity profile to them (model/capacity/
// calibrate.ts), loadable with `kemu serve --capacity-profile FILE`.
//
// One request at a time over one keep-alive connection, so each latency is a service time (plus
// the round trip), never queueing. In a scratch namespace `kemu-calibrate-<random>` (deleted at
// the end), on ConfigMaps whose JSON bodies are --sizes bytes:
//   create, get, update (PUT without resourceVersion), patch (merge patch of the payload), delete
//       --reps rounds over every size, in shuffled order; bytes = the request body for writes,
//       the response body for get, the deleted object (as the GET returned it) for delete, as
//       the profile prices them (a DELETE itself answers with a small Status)
//   list  the namespace filled to --counts objects of 1 KiB; per count --reps plain LISTs and
//       --reps LISTs with a label selector that matches nothing (the same objects scanned, a few
//       bytes returned, so per-object and per-KiB costs can be told apart); objectCount = the
//       objects in the namespace
//   deletecollection (label selector of the fill objects): once for the fill of the largest
//       list count, then the namespace filled to each of --dc-counts and emptied, --dc-reps
//       rounds, with objects of 256 B and 4 KiB by turns; objectCount = objects deleted, bytes =
//       the response (the deleted objects)
// Samples are {verb, objectCount, bytes, seconds}; watch is not measured and comes from the
// bundled default profile (the profile's description says so). A warm-up of unrecorded requests
// goes first.
//
//   npx tsx bench/calibrate.ts --kubeconfig FILE [--context C] [--out profile.json] [--name N]
//        [--reps 20] [--sizes 256,4096,65536,262144] [--counts 10,100,1000]
//        [--dc-reps 6] [--dc-counts 10,50,200]
// The kubeconfig's cluster (server, CA data or file, insecure-skip-tls-verify, tls-server-name)
// and user (token, tokenFile, client certificate and key, data or file) are used; exec and
// auth-provider credentials are not supported. The user needs create/get/update/patch/delete/
// list/deletecollection on configmaps and create/delete on namespaces. --out defaults to
// bench/results/<date>-calibrate-profile.json.
//
// Without --kubeconfig it checks itself: it starts two embedded kemu servers, one with
// `--capacity-profile default` and one with `--capacity-profile none` (kemu's own cost), measures
// both in lockstep (each step on one, then the other, so the shared machine's slow spells fall on
// both), and compares per verb the fitted costs of each and their difference with
// fixtures/capacity-profiles/default.json: the difference should come out near default.json.
// The profile fitted to the default-profile server is written to --out, the comparison to
// bench/results/<date>-calibrate.json.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { calibrateProfile, type CapacitySample } from '../model/capacity/calibrate.js';
import { CAPACITY_VERBS, loadCapacityProfile, type CapacityProfile, type CapacityVerb, type VerbCost } from '../model/capacity/profile.js';
import { isStatus } from '../model/status.js';
import { REPO_ROOT, spawnChildServer, type ChildServer } from '../test/helpers/child-server.js';
import { resultHead, runMain, writeResult } from './common.js';
import { loadKubeconfig } from './target.js';

// ---------------------------------------------------------------------------------------------
// The target: a kubeconfig's cluster and user.

interface Target {
  readonly base: string;
  readonly agent: Agent;
  readonly headers: Readonly<Record<string, string>>;
}

/** The kubeconfig's context (bench/target.ts reads it) over one keep-alive connection. */
function loadTarget(file: string, context?: string): Target {
  const { current: ep } = loadKubeconfig(file, context);
  const agent = new Agent({
    keepAlive: true, maxSockets: 1, ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key, rejectUnauthorized: ep.tls.rejectUnauthorized,
    ...(ep.tls.servername ? { servername: ep.tls.servername } : {}),
  });
  return { base: ep.origin + ep.prefix, agent, headers: { ...ep.headers, 'user-agent': 'kemu-calibrate' } };
}

interface Resp { status: number; bytes: number; seconds: number; text: string }

function call(t: Target, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Resp> {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const headers: Record<string, string | number> = { ...t.headers };
    if (payload) { headers['content-type'] = contentType; headers['content-length'] = payload.length; }
    const t0 = performance.now();
    const r = request(`${t.base}${path}`, { method, agent: t.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
      res.on('end', () => {
        const seconds = (performance.now() - t0) / 1000;
        const buf = Buffer.concat(chunks);
        resolvePromise({ status: res.statusCode ?? 0, bytes: buf.length, seconds, text: buf.toString('utf8') });
      });
    });
    r.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
    r.end(payload);
  });
}

/** Connections the server reset under a request; see resetRetry. */
const resets: string[] = [];

/**
 * kemu resets a keep-alive connection now and then when a request with a large body follows a
 * response that has not drained yet (Node's `parse error HPE_PAUSED`, seen under the default
 * capacity profile): such a request is sent again once, after a GET /version has opened the new
 * connection, so its time holds no TLS handshake.
 */
async function resetRetry(t: Target, method: string, path: string, body?: string, contentType?: string): Promise<Resp> {
  try {
    return await call(t, method, path, body, contentType);
  } catch (err) {
    if (!/ECONNRESET|socket hang up/.test((err as Error).message)) throw err;
    resets.push(`${method} ${path}`);
    await call(t, 'GET', '/version');
    return call(t, method, path, body, contentType);
  }
}

async function must(t: Target, want: number[], method: string, path: string, body?: string, contentType?: string): Promise<Resp> {
  const r = await resetRetry(t, method, path, body, contentType);
  if (!want.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Plan { reps: number; dcReps: number; sizes: number[]; counts: number[]; dcCounts: number[] }

const FILL_LABEL = 'kemu-calibrate';
const FILL_SIZE = 1024;
const DC_FILL_SIZES = [256, 4096];

/** A ConfigMap JSON body of `size` bytes (at least its skeleton). */
function configMap(ns: string, name: string, size: number, labels?: Record<string, string>): string {
  const doc = (pad: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, data: { payload: pad } });
  return doc('x'.repeat(Math.max(0, size - doc('').length)));
}

function mergePatch(size: number, fill: string): string {
  const doc = (pad: string) => JSON.stringify({ data: { payload: pad } });
  return doc(fill.repeat(Math.max(0, size - doc('').length)));
}

function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Measures every target with the same requests in lockstep: each step runs on one target, then
 * on the next (in shuffled order), one request at a time, so a slow spell of the machine falls
 * on all targets alike. Returns the samples of each target.
 */
async function measure(targets: readonly Target[], plan: Plan, log: (s: string) => void): Promise<CapacitySample[][]> {
  const samples: CapacitySample[][] = targets.map(() => []);
  const add = (i: number, verb: CapacityVerb, objectCount: number, bytes: number, r: Resp) => samples[i].push({ verb, objectCount, bytes, seconds: r.seconds });
  const each = async (step: (t: Target, i: number) => Promise<void>) => {
    for (const i of shuffled([...targets.keys()])) await step(targets[i], i);
  };
  const ns = `kemu-calibrate-${randomBytes(3).toString('hex')}`;
  const coll = `/api/v1/namespaces/${ns}/configmaps`;
  const created: Target[] = [];
  try {
    await each(async (t) => {
      await must(t, [201], 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
      created.push(t);
    });
    // Warm-up, not recorded.
    await each(async (t) => {
      for (let i = 0; i < 40; i++) {
        const name = `warm-${i}`;
        await must(t, [201], 'POST', coll, configMap(ns, name, 4096));
        await must(t, [200], 'GET', `${coll}/${name}`);
        await must(t, [200], 'PATCH', `${coll}/${name}`, mergePatch(4096, 'w'), 'application/merge-patch+json');
        await must(t, [200], 'GET', coll);
        await must(t, [200, 202], 'DELETE', `${coll}/${name}`);
      }
    });

    // Single-object verbs.
    for (let rep = 0; rep < plan.reps; rep++) {
      for (const size of shuffled(plan.sizes)) {
        await each(async (t, i) => {
          const name = `obj-${size}-${rep}`;
          const body = configMap(ns, name, size);
          add(i, 'create', 1, Buffer.byteLength(body), await must(t, [201], 'POST', coll, body));
          const got = await must(t, [200], 'GET', `${coll}/${name}`);
          add(i, 'get', 1, got.bytes, got);
          const upd = configMap(ns, name, size).replace(/"payload":"x/, '"payload":"u');
          add(i, 'update', 1, Buffer.byteLength(upd), await must(t, [200], 'PUT', `${coll}/${name}`, upd));
          const patch = mergePatch(size, 'p');
          add(i, 'patch', 1, Buffer.byteLength(patch), await must(t, [200], 'PATCH', `${coll}/${name}`, patch, 'application/merge-patch+json'));
          // A DELETE answers with a Status, not the object (kube-apiserver too), so bytes are the
          // deleted object's as the GET returned it.
          add(i, 'delete', 1, got.bytes, await must(t, [200, 202], 'DELETE', `${coll}/${name}`));
        });
      }
    }
    log(`  ${samples[0].length} single-object samples per target`);

    // Lists at growing counts, then deletecollections.
    const filled = targets.map(() => 0);
    const fillTo = (n: number, size: number) => each(async (t, i) => {
      for (; filled[i] < n; filled[i]++) await must(t, [201], 'POST', coll, configMap(ns, `fill-${filled[i]}`, size, { [FILL_LABEL]: 'fill' }));
    });
    const deleteFill = () => each(async (t, i) => {
      const r = await must(t, [200], 'DELETE', `${coll}?labelSelector=${encodeURIComponent(`${FILL_LABEL}=fill`)}`);
      add(i, 'deletecollection', filled[i], r.bytes, r);
      filled[i] = 0;
    });
    const selectNone = `${coll}?labelSelector=${encodeURIComponent(`${FILL_LABEL}=none`)}`;
    for (const count of [...new Set(plan.counts)].sort((a, b) => a - b)) {
      await fillTo(count, FILL_SIZE);
      const inNamespace = await Promise.all(targets.map(async (t) => (JSON.parse((await must(t, [200], 'GET', coll)).text) as { items: unknown[] }).items.length));
      for (let rep = 0; rep < plan.reps; rep++) {
        for (const path of [coll, selectNone]) {
          await each(async (t, i) => {
            const r = await must(t, [200], 'GET', path);
            add(i, 'list', inNamespace[i], r.bytes, r);
          });
        }
      }
      log(`  list at ${inNamespace.join('/')} objects`);
    }
    // The fill of the largest list count goes as one (recorded) deletecollection.
    await deleteFill();
    // Objects of two sizes by turns, so per-object and per-KiB costs can be told apart.
    for (let rep = 0; rep < plan.dcReps; rep++) {
      for (const count of shuffled(plan.dcCounts)) {
        await fillTo(count, DC_FILL_SIZES[rep % DC_FILL_SIZES.length]);
        await deleteFill();
      }
    }
    log(`  ${samples[0].length} samples per target`);
    return samples;
  } finally {
    for (const t of created) await call(t, 'DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting.

interface Group { verb: CapacityVerb; objectCount: number; kib: number; n: number; meanMs: number }

/** Verbs whose `bytes` kemu prices (the request body); it prices the others at 0 bytes. */
const PRICED_BY_REQUEST_BODY: readonly CapacityVerb[] = ['create', 'update', 'patch'];

/** A profile's mean for a sample group: as the profile describes it, and as kemu prices it. */
function expectedMs(p: CapacityProfile, g: Group): { profile: number; kemu: number } {
  const c = p.verbs[g.verb];
  const base = c.baseMs + c.perObjectMs * g.objectCount;
  return { profile: base + c.perKiBMs * g.kib, kemu: base + (PRICED_BY_REQUEST_BODY.includes(g.verb) ? c.perKiBMs * g.kib : 0) };
}

/** Samples grouped by verb, object count and size (KiB rounded to 2 places), with mean latency. */
function groups(samples: readonly CapacitySample[]): Group[] {
  const m = new Map<string, { s: CapacitySample; n: number; sum: number }>();
  for (const s of samples) {
    const key = `${s.verb}/${s.objectCount}/${(s.bytes / 1024).toFixed(2)}`;
    const g = m.get(key) ?? { s, n: 0, sum: 0 };
    g.n++;
    g.sum += s.seconds;
    m.set(key, g);
  }
  return [...m.values()].map(({ s, n, sum }) => ({ verb: s.verb, objectCount: s.objectCount, kib: Number((s.bytes / 1024).toFixed(2)), n, meanMs: Number(((sum / n) * 1000).toFixed(3)) }));
}

const MEASURED: readonly CapacityVerb[] = CAPACITY_VERBS.filter((v) => v !== 'watch');

const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 0.1 ? x.toFixed(3) : x.toPrecision(2));
const cost = (c: VerbCost) => `${fmt(c.baseMs)} / ${fmt(c.perObjectMs)} / ${fmt(c.perKiBMs)}`;

function fit(samples: CapacitySample[], name: string, fallback: CapacityProfile, what: string): CapacityProfile {
  const p = calibrateProfile(samples, {
    name,
    description: `Calibrated by bench/calibrate.ts against ${what} on ${new Date().toISOString()}: ${samples.length} sequential requests. `
      + 'watch is not measured and is the bundled default profile\'s.',
    fallback,
  });
  if (isStatus(p)) throw new Error(`calibrateProfile: ${JSON.stringify(p)}`);
  return p;
}

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function writeProfile(out: string, p: CapacityProfile): Promise<void> {
  await writeFile(out, `${JSON.stringify(p, null, 2)}\n`);
  const back = loadCapacityProfile(out);
  if (isStatus(back)) throw new Error(`the written profile does not load: ${JSON.stringify(back)}`);
  console.log(`wrote ${out} (loads with --capacity-profile ${out})`);
}

/** Measures embedded kemu servers, one per capacity profile, in lockstep. */
async function embedded(profiles: readonly string[], plan: Plan): Promise<{ samples: CapacitySample[][]; seconds: number }> {
  const servers: ChildServer[] = [];
  const dirs: string[] = [];
  try {
    for (const profile of profiles) {
      const dataDir = await mkdtemp(join(tmpdir(), 'kemu-calibrate-'));
      dirs.push(dataDir);
      servers.push(await spawnChildServer({ dataDir, spokes: 0, extraArgs: ['--capacity-profile', profile] }));
    }
    const targets = servers.map((s) => loadTarget(s.kubeconfig));
    const t0 = performance.now();
    process.stderr.write(`measuring embedded kemu with --capacity-profile ${profiles.join(', ')}, in lockstep\n`);
    const samples = await measure(targets, plan, (x) => process.stderr.write(`${x}\n`));
    for (const t of targets) t.agent.destroy();
    return { samples, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
  } catch (err) {
    for (const s of servers) process.stderr.write(`server output:\n${s.output().slice(-2000)}\n`);
    throw err;
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string', default: 'calibrated' },
      reps: { type: 'string', default: '20' },
      'dc-reps': { type: 'string', default: '6' },
      sizes: { type: 'string', default: '256,4096,65536,262144' },
      counts: { type: 'string', default: '10,100,1000' },
      'dc-counts': { type: 'string', default: '10,50,200' },
    },
  });
  const int = (k: 'reps' | 'dc-reps', min: number, max: number) => {
    const v = Number(values[k]);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${k} must be ${min}..${max}, got ${values[k]}`);
    return v;
  };
  const list = (k: 'sizes' | 'counts' | 'dc-counts', min: number, max: number) => {
    const xs = String(values[k]).split(',').map(Number);
    if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < min || x > max)) throw new Error(`--${k} must be integers ${min}..${max}, got ${values[k]}`);
    return xs;
  };
  // 900 KiB keeps every body under the 1 MiB ConfigMap limit.
  const plan: Plan = { reps: int('reps', 3, 1000), dcReps: int('dc-reps', 1, 100), sizes: list('sizes', 200, 900 * 1024), counts: list('counts', 1, 100_000), dcCounts: list('dc-counts', 1, 100_000) };
  const fallback = loadCapacityProfile('default');
  if (isStatus(fallback)) throw new Error(`default profile: ${fallback.message}`);
  const head = resultHead('calibrate');
  const out = resolve(values.out ?? join(REPO_ROOT, 'bench', 'results', `${head.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}-calibrate-profile.json`));

  if (values.kubeconfig) {
    const t = loadTarget(values.kubeconfig, values.context);
    const t0 = performance.now();
    process.stderr.write(`measuring ${t.base}\n`);
    const [samples] = await measure([t], plan, (x) => process.stderr.write(`${x}\n`));
    t.agent.destroy();
    const p = fit(samples, values.name, fallback, `${t.base}${values.context ? ` (context ${values.context})` : ''}`);
    console.log(`${samples.length} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s; fitted (base ms / per object ms / per KiB ms), jitter sigma ${p.jitterSigma.toFixed(3)}:\n`);
    console.log(table(['verb', 'fitted', 'default.json'], MEASURED.map((v) => [v, cost(p.verbs[v]), cost(fallback.verbs[v])])));
    if (resets.length) console.log(`\nconnections reset by the server and the request sent again: ${resets.length}`);
    await writeProfile(out, p);
    return;
  }

  // Self-check against embedded kemu.
  const run = await embedded(['default', 'none'], plan);
  const [withDefault, withNone] = run.samples;
  const fitDefault = fit(withDefault, values.name, fallback, 'an embedded kemu --capacity-profile default');
  const fitNone = fit(withNone, 'kemu-overhead', fallback, 'an embedded kemu --capacity-profile none');
  const diff = (v: CapacityVerb): VerbCost => ({
    baseMs: fitDefault.verbs[v].baseMs - fitNone.verbs[v].baseMs,
    perObjectMs: fitDefault.verbs[v].perObjectMs - fitNone.verbs[v].perObjectMs,
    perKiBMs: fitDefault.verbs[v].perKiBMs - fitNone.verbs[v].perKiBMs,
  });
  const rows = MEASURED.map((v) => {
    const d = diff(v);
    const f = fallback.verbs[v];
    return [v, cost(f), cost(fitDefault.verbs[v]), cost(fitNone.verbs[v]), cost(d), `${fmt(d.baseMs - f.baseMs)} (${((100 * (d.baseMs - f.baseMs)) / f.baseMs).toFixed(0)}%)`];
  });
  console.log(`${withDefault.length} samples per server, ${run.seconds} s for both; costs as base ms / per object ms / per KiB ms:\n`);
  console.log(table(['verb', 'default.json', 'fitted: kemu default', 'fitted: kemu none (overhead)', 'default − none', 'base error'], rows));
  const gd = groups(withDefault);
  const gn = new Map(groups(withNone).map((g) => [`${g.verb}/${g.objectCount}/${g.kib}`, g]));
  const perGroup = gd.flatMap((g) => {
    const n = gn.get(`${g.verb}/${g.objectCount}/${g.kib}`);
    if (!n) return [];
    const e = expectedMs(fallback, g);
    return [{ verb: g.verb, objectCount: g.objectCount, kib: g.kib, n: g.n, defaultMs: g.meanMs, noneMs: n.meanMs, diffMs: Number((g.meanMs - n.meanMs).toFixed(3)), expectedKemuMs: Number(e.kemu.toFixed(3)), expectedProfileMs: Number(e.profile.toFixed(3)) }];
  }).sort((a, b) => MEASURED.indexOf(a.verb) - MEASURED.indexOf(b.verb) || a.objectCount - b.objectCount || a.kib - b.kib);
  console.log('\nMean latency per request shape (ms): kemu default, kemu none, their difference, and default.json\'s mean as kemu prices it (request body only) and as the profile describes it:\n');
  console.log(table(['verb', 'objects', 'KiB', 'n', 'default', 'none', 'default − none', 'expected (kemu)', 'expected (profile)'],
    perGroup.map((g) => [g.verb, g.objectCount, g.kib, g.n, g.defaultMs.toFixed(3), g.noneMs.toFixed(3), g.diffMs.toFixed(3), g.expectedKemuMs.toFixed(3), g.expectedProfileMs.toFixed(3)])));
  if (resets.length) console.log(`\nconnections reset by the server and the request sent again: ${resets.length} (${resets.slice(0, 5).join('; ')}${resets.length > 5 ? '; …' : ''})`);
  console.log(`\njitter sigma: default.json ${fallback.jitterSigma}, fitted with default ${fitDefault.jitterSigma.toFixed(3)}, with none ${fitNone.jitterSigma.toFixed(3)}`);
  await writeProfile(out, fitDefault);
  const result = {
    ...head,
    params: plan,
    target: 'embedded kemu, --capacity-profile default and none, measured in lockstep',
    profileFile: out,
    connectionResets: resets,
    fitted: { default: fitDefault, none: fitNone, difference: Object.fromEntries(MEASURED.map((v) => [v, diff(v)])) },
    expected: fallback.verbs,
    perGroup,
  };
  await writeResult(result);
}

runMain(main);
