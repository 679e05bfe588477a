// A controller's mix: `informers` clients LIST the namespace and WATCH it from the list's
// resourceVersion; meanwhile autocannon connections loop over (getsPerUpdate - 1) GETs of random
// objects, then a GET and an UPDATE of that object with the resourceVersion it read (a
// read-modify-write, so 409 Conflict is an expected answer when two connections pick the same
// object). Each successful update must reach every informer as one MODIFIED event.
import { latencyOf } from '../load.js';
import { measuredLoad } from './rate.js';
import {
  type Ctx, cmPath, configMaps, createNamespace, deleteNamespaces, fill, nsName, objName, perSecond, type Prepared, round2, type Row, type Workload,
} from './types.js';

export interface MixedParams {
  readonly objects: number;
  readonly informers: number;
  /** GETs per UPDATE (one of them reads the object updated). */
  readonly getsPerUpdate: number;
}

const PREFIX = 'm-';
const WIDTH = 6;

export function mixed(p: MixedParams): Workload {
  return {
    name: 'mixed',
    title: `Controller-like mix on ${p.objects.toLocaleString('en-US')} 1 KB ConfigMaps: ${p.informers} informers (LIST + WATCH), ${p.getsPerUpdate} GETs per read-modify-write UPDATE`,
    async setup(ctx: Ctx) {
      const ep = ctx.target.main;
      const ns = nsName(ctx, 'mixed');
      await createNamespace(ctx, ep, ns);
      try {
        await fill(ctx, ep, await configMaps(ctx, ep, ns, PREFIX.length + WIDTH), PREFIX, p.objects, WIDTH);
      } catch (err) {
        await deleteNamespaces(ctx, [{ ep, ns }]);
        throw err;
      }
      const stops: (() => Promise<void>)[] = [];
      const prepared: Prepared = {
        async run() {
          const http = ctx.target.http;
          const coll = cmPath(ns);
          // Informers.
          const listMs: number[] = [];
          const events = Array.from({ length: p.informers }, () => 0);
          for (let i = 0; i < p.informers; i++) {
            const r = await http.must(ep, [200], 'GET', coll);
            listMs.push(r.ms);
            const rv = (JSON.parse(r.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
            const w = await http.watch(ep, `${coll}?watch=true&resourceVersion=${rv}&timeoutSeconds=3600`, (chunk) => {
              for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) events[i]++;
            });
            stops.push(w.stop);
          }

          // The loop of every connection.
          const base = `${ep.prefix}${coll}`;
          const random = () => `${base}/${objName(PREFIX, Math.floor(Math.random() * p.objects), WIDTH)}`;
          let gets = 0, updates = 0, updated = 0, conflicts = 0;
          const getReq = { method: 'GET', path: base, headers: { ...ep.headers }, setupRequest: (req: { method: string; path: string }) => { gets++; return { ...req, path: random() }; } };
          const requests = [
            ...Array.from({ length: p.getsPerUpdate - 1 }, () => getReq),
            { ...getReq, onResponse: (status: number, body: string, context: Record<string, unknown>) => { if (status === 200) context.read = body; } },
            {
              method: 'PUT', path: base, headers: { ...ep.headers, 'content-type': 'application/json' },
              setupRequest: (req: { method: string; path: string }, context: Record<string, unknown>) => {
                if (typeof context.read !== 'string') return undefined; // the GET failed: start the loop over
                updates++;
                const o = JSON.parse(context.read) as { metadata: { name: string }; data: Record<string, string> };
                o.data.v = `u${updates}`; // never a fill value (digits only): an update that changes nothing makes no event
                return { ...req, path: `${base}/${o.metadata.name}`, body: JSON.stringify(o) };
              },
              onResponse: (status: number) => { if (status === 200) updated++; else if (status === 409) conflicts++; },
            },
          ];
          const before = events.reduce((a, b) => a + b, 0);
          const load = await measuredLoad(ctx, [{ endpoint: ep, connections: ctx.connections, requests }], { duration: ctx.duration });
          // Let the last events arrive.
          const want = before + updated * p.informers;
          const until = performance.now() + 5000;
          while (events.reduce((a, b) => a + b, 0) < want && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
          const delivered = events.reduce((a, b) => a + b, 0) - before;
          const ok = (s: number) => s === 200 || s === 409;
          const all = Object.values(load.byStatus).reduce((a, b) => a + b, 0);
          const good = Object.entries(load.byStatus).filter(([c]) => ok(Number(c))).reduce((a, [, n]) => a + n, 0);
          const row: Row = {
            name: 'mixed', unit: 'requests', requests: all, errors: all - good + load.errors + Math.max(0, updated * p.informers - delivered),
            reqPerSec: perSecond(good, load.seconds), ...latencyOf(load, ok),
            extra: {
              objects: p.objects, connections: ctx.connections, gets, updates, updated, conflicts,
              updatesPerSec: perSecond(updated, load.seconds), informers: p.informers, watchEventsDelivered: delivered,
              watchEventsPerSec: perSecond(delivered, load.seconds), informerListMs: round2(Math.max(...listMs)),
              serverCpuUsPerRequest: load.serverCpuSeconds === null || !all ? null : Math.round((load.serverCpuSeconds * 1e6) / all),
            },
          };
          return [row];
        },
        async cleanup() {
          await Promise.all(stops.map((s) => s()));
          await deleteNamespaces(ctx, [{ ep, ns }]);
        },
      };
      return prepared;
    },
  };
}
