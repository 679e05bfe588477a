// Request-rate workloads on 1 KB ConfigMaps, driven by autocannon over `connections` keep-alive
// connections for `duration` seconds (after a short warm-up, so both sides have compiled their
// hot paths): GET of one object, CREATE with unique names, UPDATE (PUT without resourceVersion),
// PATCH as a JSON merge patch and as a server-side apply, and DELETE of a pool made beforehand.
import { type CannonRequestSpec, type Lane, latencyOf, type Load, runLanes } from '../load.js';
import type { Endpoint } from '../target.js';
import {
  type Ctx, type ConfigMaps, cmPath, configMaps, createNamespace, deleteNamespaces, fill, fillFor, nsName, objName, perSecond, type Prepared, round2, type Row, type Workload,
} from './types.js';

const MERGE = 'application/merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const JSON_TYPE = 'application/json';

/**
 * Warm-up before a timed load: a fifth of it, at most 2 s; none for phases under 5 s (smoke),
 * as autocannon runs whole seconds.
 */
export const warmupOf = (duration: number) => (duration < 5 ? 0 : Math.min(2, Math.round(duration / 5)));

export interface MeasuredLoad extends Load {
  /** Server CPU during the load (null when the target's is unknown). */
  serverCpuSeconds: number | null;
}

/** runLanes, with the server's CPU seconds over the load. */
export async function measuredLoad(ctx: Ctx, lanes: readonly Lane[], o: Parameters<typeof runLanes>[1]): Promise<MeasuredLoad> {
  const cpu0 = await ctx.target.cpuSeconds();
  const load = await runLanes(lanes, o);
  const cpu1 = await ctx.target.cpuSeconds();
  return { ...load, serverCpuSeconds: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

/** The figures of one autocannon load. */
export function rateRow(name: string, load: MeasuredLoad, ok: (status: number) => boolean, extra: Row['extra'] = {}, goal?: (reqPerSec: number) => Row['goal']): Row {
  const okCount = Object.entries(load.byStatus).filter(([c]) => ok(Number(c))).reduce((a, [, n]) => a + n, 0);
  const all = Object.values(load.byStatus).reduce((a, b) => a + b, 0);
  const failed = Object.fromEntries(Object.entries(load.byStatus).filter(([c]) => !ok(Number(c))));
  const reqPerSec = perSecond(okCount, load.seconds);
  return {
    name, unit: 'requests', requests: all, errors: all - okCount + load.errors, reqPerSec, ...latencyOf(load, ok),
    extra: {
      ...extra, seconds: round2(load.seconds),
      serverCpuUsPerRequest: load.serverCpuSeconds === null || !all ? null : Math.round((load.serverCpuSeconds * 1e6) / all),
      ...(Object.keys(failed).length ? { failedByStatus: JSON.stringify(failed) } : {}),
    },
    ...(goal ? { goal: goal(reqPerSec) } : {}),
  };
}

interface RateSpec {
  readonly name: string;
  readonly title: string;
  /** Objects made in setup (names p-<i>); 'duration' sizes the pool to what the target creates in one duration. */
  readonly pool: number | 'duration';
  readonly ok: readonly number[];
  readonly goalPerSec?: number;
  /** The request sequence of one connection; `names` are the pool's, `next` counts every request built. */
  requests(ep: Endpoint, maker: ConfigMaps, names: readonly string[], next: () => number): CannonRequestSpec[];
  /** A fixed number of requests (the pool's size) instead of a duration, without warm-up. */
  readonly amountIsPool?: boolean;
}

const POOL_WIDTH = 6;
/**
 * Writes to pool objects set data.v to this plus the request's counter: never a value the fill
 * wrote (the object's index), as a write that changes nothing is answered without writing.
 */
const WRITE_BASE = 100_000_000_000;
/** A pool made for `duration` holds at most this many objects. */
const MAX_DURATION_POOL = 200_000;

function rateWorkload(spec: RateSpec): Workload {
  return {
    name: spec.name,
    title: spec.title,
    async setup(ctx: Ctx) {
      const ep = ctx.target.main;
      const ns = nsName(ctx, spec.name);
      await createNamespace(ctx, ep, ns);
      let size = 0;
      let maker: ConfigMaps;
      try {
        maker = await configMaps(ctx, ep, ns, 2 + POOL_WIDTH);
        if (spec.pool === 'duration') size = await fillFor(ctx, ep, maker, 'p-', ctx.duration, MAX_DURATION_POOL, POOL_WIDTH);
        else if (spec.pool > 0) size = (await fill(ctx, ep, maker, 'p-', spec.pool, POOL_WIDTH)).count;
      } catch (err) {
        await deleteNamespaces(ctx, [{ ep, ns }]);
        throw err;
      }
      const names = Array.from({ length: size }, (_, i) => objName('p-', i, POOL_WIDTH));
      const prepared: Prepared = {
        async run() {
          let counter = 0;
          const connections = spec.amountIsPool ? Math.min(ctx.connections, size) : ctx.connections;
          const lane = (): Lane => ({ endpoint: ep, connections, requests: spec.requests(ep, maker, names, () => counter++) });
          const warmup = spec.amountIsPool ? 0 : warmupOf(ctx.duration);
          if (warmup > 0) await runLanes([lane()], { duration: warmup });
          const load = await measuredLoad(ctx, [lane()], spec.amountIsPool ? { amount: () => size } : { duration: ctx.duration });
          const goal = spec.goalPerSec;
          return [rateRow(spec.name, load, (s) => spec.ok.includes(s), { connections, pool: size, warmupSeconds: warmup },
            goal ? (r) => ({ text: `≥ ${goal.toLocaleString('en-US')} req/s`, met: r >= goal }) : undefined)];
        },
        cleanup: () => deleteNamespaces(ctx, [{ ep, ns }]),
      };
      return prepared;
    },
  };
}

const withType = (ep: Endpoint, type: string) => ({ ...ep.headers, 'content-type': type });

export const get = (): Workload => rateWorkload({
  name: 'get', title: 'GET one 1 KB ConfigMap', pool: 1, ok: [200], goalPerSec: 15_000,
  requests: (ep, maker, names) => [{ method: 'GET', path: `${ep.prefix}${cmPath(maker.ns)}/${names[0]}`, headers: { ...ep.headers } }],
});

export const create = (): Workload => rateWorkload({
  name: 'create', title: 'CREATE 1 KB ConfigMaps with unique names (acknowledged once durable)', pool: 0, ok: [201], goalPerSec: 5_000,
  requests(ep, maker, _names, next) {
    const path = `${ep.prefix}${cmPath(maker.ns)}`;
    return [{
      method: 'POST', path, headers: withType(ep, JSON_TYPE),
      setupRequest: (req) => {
        const i = next();
        return { ...req, body: maker.body(objName('c-', i, POOL_WIDTH), i) };
      },
    }];
  },
});

/** A request to each pool object in turn, its body from the counter. */
function poolRequests(method: string, type: string | undefined, query: string, body: (maker: ConfigMaps, name: string, i: number) => string | undefined) {
  return (ep: Endpoint, maker: ConfigMaps, names: readonly string[], next: () => number): CannonRequestSpec[] => {
    const coll = `${ep.prefix}${cmPath(maker.ns)}`;
    return [{
      method, path: coll, headers: type ? withType(ep, type) : { ...ep.headers },
      setupRequest: (req) => {
        const i = next();
        const name = names[i % names.length];
        return { ...req, path: `${coll}/${name}${query}`, body: body(maker, name, i) };
      },
    }];
  };
}

export const update = (pool: number): Workload => rateWorkload({
  name: 'update', title: `UPDATE (PUT without resourceVersion) of ${pool} 1 KB ConfigMaps in turn`, pool, ok: [200], goalPerSec: 5_000,
  requests: poolRequests('PUT', JSON_TYPE, '', (maker, name, i) => maker.body(name, WRITE_BASE + i)),
});

export const patchMerge = (pool: number): Workload => rateWorkload({
  name: 'patch-merge', title: `PATCH (JSON merge patch of data.v) of ${pool} 1 KB ConfigMaps in turn`, pool, ok: [200],
  requests: poolRequests('PATCH', MERGE, '', (_maker, _name, i) => `{"data":{"v":"${WRITE_BASE + i}"}}`),
});

export const patchApply = (pool: number): Workload => rateWorkload({
  name: 'patch-apply', title: `PATCH (server-side apply, field manager kemu-bench, force) of ${pool} 1 KB ConfigMaps in turn`, pool, ok: [200, 201],
  requests: poolRequests('PATCH', APPLY, '?fieldManager=kemu-bench&force=true', (maker, name, i) => maker.body(name, WRITE_BASE + i)),
});

export const del = (): Workload => rateWorkload({
  name: 'delete', title: 'DELETE 1 KB ConfigMaps, each once (as many as the target created in one duration)', pool: 'duration', ok: [200, 202], amountIsPool: true,
  requests: poolRequests('DELETE', undefined, '', () => undefined),
});
