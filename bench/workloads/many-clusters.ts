// The GET and CREATE loads spread over many clusters: the kubeconfig's contexts other than the
// current one (kemu's spokes; the embedded kemu starts with that many). Each cluster gets a
// namespace with one ConfigMap to GET; each connection's requests go to the clusters in turn.
// Contexts on the same origin with the same credentials share one autocannon run (kemu: all).
import { type CannonRequestSpec, type Lane, runLanes, shareConnections } from '../load.js';
import type { Endpoint } from '../target.js';
import { measuredLoad, rateRow, warmupOf } from './rate.js';
import {
  type Ctx, type ConfigMaps, cmPath, configMaps, createNamespace, deleteNamespaces, nsName, objName, pool, type Prepared, type Workload,
} from './types.js';

const WIDTH = 7;

/** Endpoints grouped by origin and credentials: one autocannon instance each. */
function groups(eps: readonly Endpoint[]): Endpoint[][] {
  const m = new Map<string, Endpoint[]>();
  for (const ep of eps) {
    const key = `${ep.origin}|${JSON.stringify(ep.tls)}|${JSON.stringify(ep.headers)}`;
    m.set(key, [...(m.get(key) ?? []), ep]);
  }
  return [...m.values()];
}

export function manyClusters(clusters: number): Workload {
  return {
    name: 'many-clusters',
    title: `GET and CREATE of 1 KB ConfigMaps spread over ${clusters.toLocaleString('en-US')} clusters (contexts)`,
    async setup(ctx: Ctx) {
      const eps = ctx.target.others.slice(0, clusters);
      if (eps.length === 0) return { skipped: 'the kubeconfig has no context besides the current one' };
      if (eps.length < clusters) ctx.log(`only ${eps.length} of ${clusters} clusters in the kubeconfig; using those`);
      const ns = nsName(ctx, 'mc');
      const made: { ep: Endpoint; ns: string }[] = [];
      let maker: ConfigMaps;
      try {
        // The first cluster's namespace first: the object size is calibrated there.
        await createNamespace(ctx, eps[0], ns);
        made.push({ ep: eps[0], ns });
        maker = await configMaps(ctx, eps[0], ns, 2 + WIDTH);
        await pool(eps, 32, async (ep) => {
          if (ep !== eps[0]) {
            await createNamespace(ctx, ep, ns);
            made.push({ ep, ns });
          }
          await ctx.target.http.must(ep, [201], 'POST', cmPath(ns), maker.body(objName('g-', 0, WIDTH), 0));
        });
      } catch (err) {
        await deleteNamespaces(ctx, made);
        throw err;
      }
      const lanesOf = (build: (ep: Endpoint, paths: string[]) => CannonRequestSpec[], path: (ep: Endpoint) => string): Lane[] => {
        const gs = groups(eps);
        const conns = shareConnections(ctx.connections, gs.map((g) => g.length));
        return gs.map((g, i) => ({ endpoint: g[0], connections: conns[i], requests: build(g[0], g.map(path)) }));
      };
      const prepared: Prepared = {
        async run() {
          const extra = { clusters: eps.length, connections: ctx.connections };
          const warmup = warmupOf(ctx.duration);
          // GET: one object in each cluster, in turn.
          let g = 0;
          const getLanes = () => lanesOf((ep, paths) => [{
            method: 'GET', path: paths[0], headers: { ...ep.headers },
            setupRequest: (req) => ({ ...req, path: paths[g++ % paths.length] }),
          }], (ep) => `${ep.prefix}${cmPath(ns)}/${objName('g-', 0, WIDTH)}`);
          if (warmup) await runLanes(getLanes(), { duration: warmup });
          const gets = await measuredLoad(ctx, getLanes(), { duration: ctx.duration });
          // CREATE: unique names, each cluster in turn.
          let c = 0;
          const createLanes = () => lanesOf((ep, paths) => [{
            method: 'POST', path: paths[0], headers: { ...ep.headers, 'content-type': 'application/json' },
            setupRequest: (req) => {
              const i = ++c;
              return { ...req, path: paths[i % paths.length], body: maker.body(objName('c-', i, WIDTH), i) };
            },
          }], (ep) => `${ep.prefix}${cmPath(ns)}`);
          if (warmup) await runLanes(createLanes(), { duration: warmup });
          const creates = await measuredLoad(ctx, createLanes(), { duration: ctx.duration });
          return [
            rateRow('many-clusters get', gets, (s) => s === 200, extra),
            rateRow('many-clusters create', creates, (s) => s === 201, extra),
          ];
        },
        cleanup: () => deleteNamespaces(ctx, made),
      };
      return prepared;
    },
  };
}
