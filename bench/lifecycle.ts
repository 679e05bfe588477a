// The lifecycle engine at scale.
//
// (a) pods: D Deployments of R replicas (default 100 × 100 = 10,000 pods) to Running with the
//     zero-delay stages (node/fast, pod/fast), in-process, assembled as server/app.ts does on the
//     real clock: time from the first create to every pod Running, the store's writes/s over that
//     window (resourceVersion delta / time), and the process RSS.
//     Its controllers write to the registry directly (registryWriter), not through the HTTP
//     pipeline the server uses, so this measures the controllers and the store, not flow control.
// (b) nodes: a child `kemu serve --nodes N` (default 5,000): its RSS once every Node is Ready,
//     and after a minute more if a heartbeat controller (`nodelease`) exists.
//
//   npx tsx bench/lifecycle.ts [--deployments 100] [--replicas 100] [--pod-nodes 100]
//                              [--nodes 5000] [--timeout-s 900] [--heartbeat-s 60]
//                              [--skip-pods] [--skip-nodes] [--no-write]
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBuiltinCatalog } from '../model/catalog.js';
import { realClock } from '../model/clock.js';
import { Clusters, HUB } from '../model/clusters.js';
import { ClusterCatalogs } from '../model/crd/catalogs.js';
import { DEFAULTS } from '../model/defaults.js';
import { lifecycleControllers } from '../model/lifecycle/controllers.js';
import { LifecycleEngine } from '../model/lifecycle/engine.js';
import { registryWriter } from '../model/lifecycle/writer.js';
import { NamespaceController } from '../model/lifecycle/namespace.js';
import { ensureNodes } from '../model/lifecycle/nodes.js';
import { CONTROLLER_NAMES } from '../model/lifecycle/switches.js';
import type { KubeObject } from '../model/object.js';
import { Registry, type RequestScope } from '../model/registry/registry.js';
import { SnapshotCache } from '../model/registry/snapshots.js';
import { cryptoRng } from '../model/rng.js';
import { isStatus } from '../model/status.js';
import { Store } from '../model/store/store.js';
import { WatchCache } from '../model/watch/cache.js';
import { spawnChildServer } from '../test/helpers/child-server.js';
import { tempDir } from '../test/helpers/server.js';
import { memOf, resultHead, runMain, sleep, writeResult } from './common.js';

const { values } = parseArgs({
  options: {
    deployments: { type: 'string', default: '100' },
    replicas: { type: 'string', default: '100' },
    'pod-nodes': { type: 'string', default: '100' },
    nodes: { type: 'string', default: '5000' },
    'timeout-s': { type: 'string', default: '900' },
    'heartbeat-s': { type: 'string', default: '60' },
    'skip-pods': { type: 'boolean', default: false },
    'skip-nodes': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const D = Number(values.deployments);
const R = Number(values.replicas);
const POD_NODES = Number(values['pod-nodes']);
const NODES = Number(values.nodes);
const TIMEOUT_MS = Number(values['timeout-s']) * 1000;
const HEARTBEAT_MS = Number(values['heartbeat-s']) * 1000;

const ADMIN: RequestScope = { cluster: HUB, user: { name: 'bench', uid: 'bench', groups: ['system:masters', 'system:authenticated'] } };
const mb = (kb: number) => Math.round(kb / 1024);
const rssMB = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

async function podsBench(): Promise<Record<string, unknown>> {
  const dir = await tempDir('kemu-bench-lifecycle-');
  const clock = realClock;
  const rng = cryptoRng();
  const catalog = loadBuiltinCatalog();
  const catalogs = new ClusterCatalogs(catalog);
  const store = Store.open({ path: join(dir, 'store.mdb') });
  const watchCache = new WatchCache(store, { windowSize: DEFAULTS.watchWindow });
  const snapshots = new SnapshotCache(store, clock, { ttlMs: DEFAULTS.listSnapshotTtlMs, max: DEFAULTS.listSnapshots });
  const registry = new Registry(store, watchCache, clock, rng, snapshots);
  const clusters = new Clusters(store, registry, watchCache, catalog, clock);
  await clusters.ensure([HUB]);
  const nsController = new NamespaceController(store, registry, catalogs);
  const nodesRt = catalog.lookup('', 'v1', 'nodes');
  const deployRt = catalog.lookup('apps', 'v1', 'deployments');
  const nsRt = catalog.lookup('', 'v1', 'namespaces');
  if (!nodesRt || !deployRt || !nsRt) throw new Error('catalog');
  await ensureNodes(registry, nodesRt, HUB, POD_NODES);
  const engine = new LifecycleEngine(store, registryWriter(registry), catalogs, lifecycleControllers(), { clock, rng, enabled: () => true });
  engine.resync(HUB);
  await engine.idle();

  const total = D * R;
  let running = 0;
  let allRunningAt = 0;
  let done: () => void = () => undefined;
  const allRunning = new Promise<void>((r) => { done = r; });
  const isRunning = new Set<string>();
  const progress: { s: number; running: number; rv: number; queue: number; rssMB: number }[] = [];
  store.subscribe((e) => {
    if (e.key.resource !== 'pods' || e.key.group !== '') return;
    const id = `${e.key.namespace}/${e.key.name}`;
    const now = e.type !== 'DELETED' && (e.object.status as { phase?: string } | undefined)?.phase === 'Running';
    if (now && !isRunning.has(id)) { isRunning.add(id); running++; } else if (!now && isRunning.delete(id)) running--;
    if (running >= total && !allRunningAt) { allRunningAt = performance.now(); done(); }
  });

  const nsCount = D; // one namespace per Deployment, as 100 apps would be spread
  for (let i = 0; i < nsCount; i++) {
    const r = await registry.create(ADMIN, nsRt, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `app-${i}` } }, {});
    if (isStatus(r)) throw new Error(r.message);
  }
  const rv0 = store.currentRV;
  const rss0 = rssMB();
  const t0 = performance.now();
  for (let i = 0; i < D; i++) {
    const name = `app-${i}`;
    const r = await registry.create(ADMIN, deployRt, name, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: name },
      spec: { replicas: R, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } },
    }, { fieldManager: 'bench' });
    if (isStatus(r)) throw new Error(r.message);
  }
  const timer = setInterval(() => {
    const s = Math.round((performance.now() - t0) / 1000);
    progress.push({ s, running, rv: store.currentRV - rv0, queue: engine.depth, rssMB: rssMB() });
    console.log(`  +${s}s running ${running}/${total} writes ${store.currentRV - rv0} queue ${engine.depth} rss ${rssMB()} MB`);
  }, 10_000);
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([allRunning.then(() => false), new Promise<boolean>((r) => { deadline = setTimeout(() => r(true), TIMEOUT_MS); })]);
  clearTimeout(deadline);
  clearInterval(timer);
  const t1 = timedOut ? performance.now() : allRunningAt;
  const rv1 = store.currentRV;
  const seconds = (t1 - t0) / 1000;
  const rssAtRunning = rssMB();
  // Let the tail (status updates of Deployments and ReplicaSets) finish, bounded.
  const tailStart = performance.now();
  let tailLimit: NodeJS.Timeout | undefined;
  await Promise.race([engine.idle(), new Promise<void>((r) => { tailLimit = setTimeout(r, timedOut ? 0 : 60_000); })]);
  clearTimeout(tailLimit);
  const tailMs = performance.now() - tailStart;
  const out = {
    deployments: D, replicas: R, pods: total, nodes: POD_NODES, timedOut, running,
    secondsToAllRunning: Number(seconds.toFixed(2)),
    writes: rv1 - rv0, writesPerSecond: Math.round((rv1 - rv0) / seconds),
    writesPerPod: Number(((rv1 - rv0) / total).toFixed(2)),
    tailAfterRunning: { ms: Math.round(tailMs), writes: store.currentRV - rv1 },
    rssMB: { beforeCreates: rss0, atAllRunning: rssAtRunning, afterTail: rssMB(), peakMB: mb((await memOf(process.pid)).hwmKB) },
    progress,
  };
  engine.close();
  nsController.close();
  snapshots.close();
  watchCache.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return out;
}

async function nodesBench(): Promise<Record<string, unknown>> {
  const dir = await tempDir('kemu-bench-nodes-');
  const heartbeat = (CONTROLLER_NAMES as readonly string[]).includes('nodelease');
  const t0 = performance.now();
  const child = await spawnChildServer({ dataDir: dir, extraArgs: ['--nodes', String(NODES)], readyTimeoutMs: 600_000 });
  try {
    const startedS = (performance.now() - t0) / 1000;
    const rssAtServing = mb((await memOf(child.pid)).rssKB);
    let ready = 0;
    for (;;) {
      const res = await child.req('GET', '/api/v1/nodes');
      const list = res.json<{ items: KubeObject[] }>();
      ready = list.items.filter((n) => ((n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
      if (ready >= NODES || performance.now() - t0 > TIMEOUT_MS) break;
      await sleep(2000);
    }
    const readyS = (performance.now() - t0) / 1000;
    await sleep(2000);
    const memReady = await memOf(child.pid);
    let memAfterHeartbeats: unknown = 'no heartbeat controller (nodelease not in CONTROLLER_NAMES)';
    if (heartbeat) {
      await sleep(HEARTBEAT_MS);
      const m = await memOf(child.pid);
      memAfterHeartbeats = { afterMs: HEARTBEAT_MS, rssMB: mb(m.rssKB), anonMB: mb(m.anonKB), hwmMB: mb(m.hwmKB) };
    }
    return {
      nodes: NODES, ready, secondsToServing: Number(startedS.toFixed(1)), secondsToAllReady: Number(readyS.toFixed(1)),
      rssMBAtServing: rssAtServing,
      ready_mem: { rssMB: mb(memReady.rssKB), anonMB: mb(memReady.anonKB), fileMB: mb(memReady.fileKB), hwmMB: mb(memReady.hwmKB) },
      heartbeats: memAfterHeartbeats,
    };
  } finally {
    await child.stop('SIGTERM', 30_000);
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const result: Record<string, unknown> & { bench: string; date: string } = { ...resultHead('lifecycle'), controllers: [...CONTROLLER_NAMES] };
  if (!values['skip-pods']) {
    console.log(`pods: ${D} Deployments x ${R} replicas on ${POD_NODES} nodes, zero delays (in-process)`);
    result.pods = await podsBench();
    console.log(JSON.stringify(result.pods, (k, v) => (k === 'progress' ? undefined : v), 2));
  }
  if (!values['skip-nodes']) {
    console.log(`nodes: kemu serve --nodes ${NODES} (child)`);
    result.nodes = await nodesBench();
    console.log(JSON.stringify(result.nodes, null, 2));
  }
  if (!values['no-write']) await writeResult(result);
}

runMain(main);
