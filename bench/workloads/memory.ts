// Server memory: RSS growth per object stored, against the JSON bytes the server stored (the
// create responses), and per idle cluster added through kemu's admin API. RSS is read from
// /proc for the embedded kemu, else from /metrics (process_resident_memory_bytes) when the server
// exposes it; without either the rows carry no memory figures. RSS moves with garbage collection
// by tens of MB, more than 50,000 objects take, so each reading follows a full GC where the
// target allows one (the embedded kemu, through its inspector) and a pause.
import { sleep } from '../common.js';
import type { ServerMemory } from '../target.js';
import {
  type Ctx, configMaps, createNamespace, deleteNamespaces, fill, nsName, perSecond, pool, type Prepared, round2, type Row, type Workload,
} from './types.js';

/** The pause before each reading: 2 s, shorter for short (smoke) runs. */
const settleMs = (ctx: Ctx) => Math.min(2000, ctx.duration * 1000);
const MB = 1024;

function deltas(before: ServerMemory | null, after: ServerMemory | null) {
  if (!before || !after) return { rssKB: null, anonKB: null, fileKB: null };
  const d = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  return { rssKB: after.rssKB - before.rssKB, anonKB: d(before.anonKB, after.anonKB), fileKB: d(before.fileKB, after.fileKB) };
}

const mb = (kb: number | null) => (kb === null ? null : round2(kb / MB));

/** Memory after a pause and, where the target allows, a full GC; also whether there was one. */
async function settledMemory(ctx: Ctx): Promise<{ mem: ServerMemory | null; gc: boolean }> {
  await sleep(settleMs(ctx));
  const gc = await ctx.target.collectGarbage();
  return { mem: await ctx.target.memory(), gc };
}

export function memoryObjects(objects: number, goalRatio = 1.5): Workload {
  return {
    name: 'memory-objects',
    title: `Server RSS growth for ${objects.toLocaleString('en-US')} 1 KB ConfigMaps, per stored JSON byte`,
    async setup(ctx: Ctx) {
      const ep = ctx.target.main;
      const ns = nsName(ctx, 'memobj');
      await createNamespace(ctx, ep, ns);
      const prepared: Prepared = {
        async run() {
          const width = String(objects).length;
          const maker = await configMaps(ctx, ep, ns, 2 + width);
          const { mem: before } = await settledMemory(ctx);
          const made = await fill(ctx, ep, maker, 'o-', objects, width);
          const { mem: after, gc } = await settledMemory(ctx);
          const d = deltas(before, after);
          const ratio = d.rssKB === null ? null : round2((d.rssKB * 1024) / made.storedBytes);
          const row: Row = {
            name: 'memory-objects', unit: 'objects', requests: objects, errors: 0, reqPerSec: perSecond(objects, made.seconds), p50Ms: null, p99Ms: null,
            extra: {
              objects, storedJsonMB: round2(made.storedBytes / 1024 / 1024), bytesPerObject: Math.round(made.storedBytes / objects),
              rssBeforeMB: mb(before?.rssKB ?? null), rssDeltaMB: mb(d.rssKB), anonDeltaMB: mb(d.anonKB), fileDeltaMB: mb(d.fileKB),
              rssPerJsonByte: ratio, memorySource: after?.source ?? null, fullGcBeforeReadings: gc,
            },
            ...(ratio !== null ? { goal: { text: `≤ ${goalRatio}× the JSON`, met: ratio <= goalRatio } } : {}),
          };
          return [row];
        },
        cleanup: () => deleteNamespaces(ctx, [{ ep, ns }]),
      };
      return prepared;
    },
  };
}

export function memoryIdleClusters(clusters: number, goalKB = 100): Workload {
  return {
    name: 'memory-idle-clusters',
    title: `Server RSS growth per idle cluster, ${clusters.toLocaleString('en-US')} added through the kemu admin API`,
    async setup(ctx: Ctx) {
      if (!ctx.target.isKemu) return { skipped: 'not a kemu (no /kemu/v1/clusters): clusters cannot be added' };
      // The admin API is at the server's root, whichever cluster the context names.
      const admin = { ...ctx.target.main, prefix: '' };
      const names = Array.from({ length: clusters }, (_, i) => `bench-${ctx.runId}-${String(i).padStart(5, '0')}`);
      const added: string[] = [];
      const prepared: Prepared = {
        async run() {
          const { mem: before } = await settledMemory(ctx);
          const t0 = performance.now();
          let errors = 0;
          await pool(names, 8, async (name) => {
            const r = await ctx.target.http.call(admin, 'POST', '/kemu/v1/clusters', JSON.stringify({ name }));
            if (r.status === 201) added.push(name);
            else if (errors++ < 3) ctx.log(`add cluster ${name}: ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
          });
          const seconds = (performance.now() - t0) / 1000;
          const { mem: after, gc } = await settledMemory(ctx);
          const d = deltas(before, after);
          const perCluster = d.rssKB === null || !added.length ? null : round2(d.rssKB / added.length);
          const row: Row = {
            name: 'memory-idle-clusters', unit: 'clusters', requests: clusters, errors, reqPerSec: perSecond(added.length, seconds), p50Ms: null, p99Ms: null,
            extra: {
              clusters: added.length, rssBeforeMB: mb(before?.rssKB ?? null), rssDeltaMB: mb(d.rssKB), anonDeltaMB: mb(d.anonKB), fileDeltaMB: mb(d.fileKB),
              kbPerCluster: perCluster, memorySource: after?.source ?? null, fullGcBeforeReadings: gc,
            },
            ...(perCluster !== null ? { goal: { text: `≤ ${goalKB} KB per cluster`, met: perCluster <= goalKB } } : {}),
          };
          return [row];
        },
        async cleanup() {
          await pool(added, 8, async (name) => {
            const r = await ctx.target.http.call(admin, 'DELETE', `/kemu/v1/clusters/${name}`);
            if (r.status !== 200 && r.status !== 404) ctx.log(`remove cluster ${name}: ${r.status}`);
          });
        },
      };
      return prepared;
    },
  };
}
