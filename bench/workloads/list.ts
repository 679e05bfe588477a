// LIST of a namespace holding N 1 KB ConfigMaps, one request at a time over a keep-alive
// connection, each for `duration` seconds (at least a few requests):
//   full    GET …/configmaps                           the whole collection (a consistent read)
//   paged   ?limit=500 and continue to the end         a pass is one walk; figures are per page
//   rv0     ?resourceVersion=0                         any recent state (a real server's watch cache)
// The first full LIST and the first paged pass are parsed and must hold each object exactly once;
// later requests are only counted (a later pass takes its continue token from the list's
// metadata, which both kemu and kube-apiserver write before the items).
import { percentile, summarize } from '../common.js';
import type { Endpoint } from '../target.js';
import {
  type Ctx, cmPath, configMaps, createNamespace, deleteNamespaces, fill, nsName, objName, perSecond, type Prepared, round2, type Row, type Workload,
} from './types.js';

const PREFIX = 'l-';
const MIN_RUNS = 3;
const MAX_RUNS = 100_000;

interface ListParams {
  readonly name: string;
  readonly objects: number;
  readonly page: number;
  /** p50 goal (ms) of the full LIST, if the issue sets one. */
  readonly goalP50Ms?: number;
}

/**
 * Repeats `fn` for the phase's duration (at least MIN_RUNS times): each run's latency, the wall
 * time, and the server's CPU ms per run (null when unknown).
 */
async function repeat(ctx: Ctx, fn: () => Promise<number>): Promise<{ ms: number[]; seconds: number; serverCpuMsPerRun: number | null }> {
  const ms: number[] = [];
  const cpu0 = await ctx.target.cpuSeconds();
  const t0 = performance.now();
  const end = t0 + ctx.duration * 1000;
  while ((ms.length < MIN_RUNS || performance.now() < end) && ms.length < MAX_RUNS) ms.push(await fn());
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = await ctx.target.cpuSeconds();
  return { ms, seconds, serverCpuMsPerRun: cpu0 === null || cpu1 === null ? null : round2(((cpu1 - cpu0) * 1000) / ms.length) };
}

/** The continue token in a list's metadata, read before the items without parsing them; '' when there is none. */
function continueOf(body: Buffer): string {
  const items = body.indexOf('"items"');
  const head = (items < 0 ? body : body.subarray(0, items)).toString('utf8');
  return /"continue":"([^"]*)"/.exec(head)?.[1] ?? '';
}

export function list(p: ListParams): Workload {
  return {
    name: p.name,
    title: `LIST ${p.objects.toLocaleString('en-US')} 1 KB ConfigMaps: full, paged (limit=${p.page}) and resourceVersion=0`,
    async setup(ctx: Ctx) {
      const ep = ctx.target.main;
      const ns = nsName(ctx, p.name);
      const width = String(p.objects).length;
      await createNamespace(ctx, ep, ns);
      let created: { storedBytes: number; seconds: number };
      try {
        created = await fill(ctx, ep, await configMaps(ctx, ep, ns, PREFIX.length + width), PREFIX, p.objects, width);
      } catch (err) {
        await deleteNamespaces(ctx, [{ ep, ns }]);
        throw err;
      }
      ctx.log(`${p.objects} objects created in ${created.seconds.toFixed(1)} s`);
      const prepared: Prepared = {
        run: () => runList(ctx, ep, ns, p, width),
        cleanup: () => deleteNamespaces(ctx, [{ ep, ns }]),
      };
      return prepared;
    },
  };
}

async function runList(ctx: Ctx, ep: Endpoint, ns: string, p: ListParams, width: number): Promise<Row[]> {
  const http = ctx.target.http;
  const coll = cmPath(ns);
  const expected = new Set(Array.from({ length: p.objects }, (_, i) => objName(PREFIX, i, width)));
  const ours = (names: string[]) => names.filter((n) => n.startsWith(PREFIX));
  const exactlyOnce = (names: string[]) => names.length === expected.size && new Set(names).size === names.length && names.every((n) => expected.has(n));

  // Full.
  const check = await http.must(ep, [200], 'GET', coll);
  const items = (JSON.parse(check.body.toString('utf8')) as { items?: { metadata: { name: string } }[] }).items ?? [];
  const fullOk = exactlyOnce(ours(items.map((o) => o.metadata.name)));
  let fullErrors = fullOk ? 0 : 1;
  let bytes = 0;
  const ttfb: number[] = [];
  const full = await repeat(ctx, async () => {
    const r = await http.drain(ep, coll);
    if (r.status !== 200) fullErrors++;
    bytes = r.bytes;
    ttfb.push(r.ttfbMs);
    return r.ms;
  });
  const fs = summarize(full.ms);
  const rows: Row[] = [{
    name: `${p.name} full`, unit: 'LISTs', requests: full.ms.length + 1, errors: fullErrors, reqPerSec: perSecond(full.ms.length, full.seconds),
    p50Ms: fs.p50, p99Ms: fs.p99,
    extra: { objects: p.objects, bytesPerList: bytes, mbPerSecAtP50: round2(bytes / 1e6 / (fs.p50 / 1000)), ttfbP50Ms: summarize(ttfb).p50, serverCpuMsPerList: full.serverCpuMsPerRun, checked: fullOk },
    ...(p.goalP50Ms ? { goal: { text: `p50 ≤ ${p.goalP50Ms} ms`, met: fs.p50 <= p.goalP50Ms } } : {}),
  }];

  // Paged.
  const pageMs: number[] = [];
  let pagedErrors = 0;
  let pagesFirstPass = 0;
  let pagedOk = false;
  const passes = await repeat(ctx, async () => {
    const first = pagesFirstPass === 0;
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    const t0 = performance.now();
    do {
      const r = await http.call(ep, 'GET', `${coll}?limit=${p.page}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      pageMs.push(r.ms);
      pages++;
      if (r.status !== 200) { pagedErrors++; break; }
      if (first) {
        const page = JSON.parse(r.body.toString('utf8')) as { items: { metadata: { name: string } }[]; metadata: { continue?: string } };
        for (const o of page.items) names.push(o.metadata.name);
        cont = page.metadata.continue ?? '';
      } else {
        cont = continueOf(r.body);
      }
      if (pages > p.objects / p.page + 10) { pagedErrors++; break; }
    } while (cont);
    if (first) {
      pagesFirstPass = pages;
      pagedOk = exactlyOnce(ours(names));
      if (!pagedOk) pagedErrors++;
    } else if (pages !== pagesFirstPass) {
      pagedErrors++;
    }
    return performance.now() - t0;
  });
  const sortedPages = [...pageMs].sort((a, b) => a - b);
  rows.push({
    name: `${p.name} paged`, unit: 'pages', requests: pageMs.length, errors: pagedErrors, reqPerSec: perSecond(pageMs.length, passes.seconds),
    p50Ms: round2(percentile(sortedPages, 50)), p99Ms: round2(percentile(sortedPages, 99)),
    extra: { objects: p.objects, limit: p.page, pagesPerPass: pagesFirstPass, passes: passes.ms.length, passP50Ms: summarize(passes.ms).p50, serverCpuMsPerPass: passes.serverCpuMsPerRun, checked: pagedOk },
  });

  // resourceVersion=0.
  let rv0Errors = 0;
  const rv0 = await repeat(ctx, async () => {
    const r = await http.drain(ep, `${coll}?resourceVersion=0`);
    if (r.status !== 200) rv0Errors++;
    return r.ms;
  });
  const rs = summarize(rv0.ms);
  rows.push({
    name: `${p.name} rv0`, unit: 'LISTs', requests: rv0.ms.length, errors: rv0Errors, reqPerSec: perSecond(rv0.ms.length, rv0.seconds),
    p50Ms: rs.p50, p99Ms: rs.p99, extra: { objects: p.objects, serverCpuMsPerList: rv0.serverCpuMsPerRun },
  });
  return rows;
}
