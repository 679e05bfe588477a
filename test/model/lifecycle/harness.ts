// An in-process cluster for the lifecycle engine tests: a temp-dir store, the registry as
// server/app.ts assembles it, the namespace controller, fake kwok Nodes and the engine, all on a
// manual Clock whose time only moves when a test advances it. The engine drains its queue on
// setImmediate; the clock only fires delays and requeues, so "settle, then advance to the next
// timer" walks the simulation through virtual time without measuring real time.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBuiltinCatalog, type ResourceType } from '../../../model/catalog.js';
import { Clusters, HUB } from '../../../model/clusters.js';
import { CRDController } from '../../../model/crd/controller.js';
import { installCRDs } from '../../../model/crd/install.js';
import { ClusterCatalogs } from '../../../model/crd/catalogs.js';
import { lifecycleControllers } from '../../../model/lifecycle/controllers.js';
import { LifecycleEngine, type Controller } from '../../../model/lifecycle/engine.js';
import { registryWriter } from '../../../model/lifecycle/writer.js';
import { NamespaceController } from '../../../model/lifecycle/namespace.js';
import { ensureNodes } from '../../../model/lifecycle/nodes.js';
import type { KubeObject } from '../../../model/object.js';
import { Registry, type DeleteOptions, type RequestScope } from '../../../model/registry/registry.js';
import { SnapshotCache } from '../../../model/registry/snapshots.js';
import { seededRng } from '../../../model/rng.js';
import { isStatus } from '../../../model/status.js';
import { Store } from '../../../model/store/store.js';
import { WatchCache } from '../../../model/watch/cache.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { tempDir } from '../../helpers/server.js';

export { ManualClock };

export const ADMIN: RequestScope = { cluster: HUB, user: { name: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] } };

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface HarnessOptions {
  readonly nodes?: number;
  /** The engine's controllers; lifecycleControllers() when not given. */
  readonly controllers?: readonly Controller[];
  /** CRDs installed in the hub first (served through the CRD controller's catalogs). */
  readonly crdsDir?: string;
}

export class Harness {
  private constructor(
    readonly dir: string,
    readonly clock: ManualClock,
    readonly store: Store,
    readonly watchCache: WatchCache,
    readonly snapshots: SnapshotCache,
    readonly registry: Registry,
    readonly catalogs: ClusterCatalogs,
    readonly namespaceController: NamespaceController,
    readonly crdController: CRDController,
    readonly engine: LifecycleEngine,
  ) {}

  static async start(opts: HarnessOptions = {}): Promise<Harness> {
    const dir = await tempDir('kemu-lifecycle-');
    const clock = new ManualClock();
    const rng = seededRng(2);
    const catalog = loadBuiltinCatalog();
    const catalogs = new ClusterCatalogs(catalog);
    const store = Store.open({ path: join(dir, 'store.mdb') });
    const watchCache = new WatchCache(store, { windowSize: 10_000 });
    const snapshots = new SnapshotCache(store, clock, { ttlMs: 60_000, max: 8 });
    const registry = new Registry(store, watchCache, clock, rng, snapshots);
    const clusters = new Clusters(store, registry, watchCache, catalog, clock);
    await clusters.ensure([HUB]);
    const namespaceController = new NamespaceController(store, registry, catalogs);
    const crdController = new CRDController(store, registry, catalogs, clock, clusters);
    if (opts.crdsDir) await installCRDs(registry, catalog, opts.crdsDir, HUB);
    const nodes = catalog.lookup('', 'v1', 'nodes');
    if (!nodes) throw new Error('catalog has no nodes');
    await ensureNodes(registry, nodes, HUB, opts.nodes ?? 3);
    const engine = new LifecycleEngine(store, registryWriter(registry), catalogs, opts.controllers ?? lifecycleControllers(), { clock, rng: seededRng(1), enabled: () => true });
    engine.resync(HUB);
    const h = new Harness(dir, clock, store, watchCache, snapshots, registry, catalogs, namespaceController, crdController, engine);
    await h.settle();
    return h;
  }

  async close(): Promise<void> {
    this.engine.close();
    this.namespaceController.close();
    this.crdController.close();
    await this.settle();
    this.snapshots.close();
    this.watchCache.close();
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  rt(group: string, resource: string): ResourceType {
    const rt = this.catalogs.forCluster(HUB).lookup(group, 'v1', resource);
    if (!rt) throw new Error(`no ${group}/${resource}`);
    return rt;
  }

  /**
   * Waits until the engine is idle and the store's resourceVersion has stopped moving (the
   * namespace controller's writes are not the engine's: a short real pause lets them land).
   * Virtual time does not move.
   */
  async settle(): Promise<void> {
    let quiet = 0;
    let rv = -1;
    while (quiet < 3) {
      await this.engine.idle();
      for (let i = 0; i < 5; i++) await tick();
      await sleep(2);
      if (this.store.currentRV === rv && this.engine.depth === 0) quiet++;
      else { quiet = 0; rv = this.store.currentRV; }
    }
  }

  /**
   * Settles, then moves virtual time to the next timer, until pred holds; fails after maxVirtualMs
   * of virtual time or maxSteps steps. Returns the virtual time spent.
   */
  async runUntil(pred: () => boolean, what: string, maxVirtualMs = 600_000, maxSteps = 10_000): Promise<number> {
    const start = this.clock.now();
    for (let i = 0; i < maxSteps; i++) {
      await this.settle();
      if (pred()) return this.clock.now() - start;
      const next = this.clock.nextDue();
      if (next === undefined) throw new Error(`${what}: nothing left to happen (virtual +${this.clock.now() - start} ms)`);
      if (next - start > maxVirtualMs) throw new Error(`${what}: not within ${maxVirtualMs} virtual ms`);
      this.clock.advanceTo(next);
    }
    throw new Error(`${what}: not within ${maxSteps} steps`);
  }

  // ---- reads and writes

  list(group: string, resource: string, namespace?: string): KubeObject[] {
    return this.store.list({ cluster: HUB, group, resource, namespace }).entries.map((e) => JSON.parse(e.bytes.toString('utf8')) as KubeObject);
  }

  get(group: string, resource: string, namespace: string, name: string): KubeObject | undefined {
    const e = this.store.get({ cluster: HUB, group, resource, namespace, name });
    return e ? JSON.parse(e.bytes.toString('utf8')) as KubeObject : undefined;
  }

  async create(group: string, resource: string, namespace: string, body: unknown): Promise<KubeObject> {
    const r = await this.registry.create(ADMIN, this.rt(group, resource), namespace, body, { fieldManager: 'test' });
    if (isStatus(r)) throw new Error(`create ${resource}: ${r.message}`);
    return JSON.parse(r.bytes.toString('utf8')) as KubeObject;
  }

  async update(group: string, resource: string, namespace: string, body: KubeObject): Promise<KubeObject> {
    const r = await this.registry.update(ADMIN, this.rt(group, resource), namespace, body.metadata.name ?? '', '', body, { fieldManager: 'test' });
    if (isStatus(r)) throw new Error(`update ${resource}: ${r.message}`);
    return JSON.parse(r.bytes.toString('utf8')) as KubeObject;
  }

  async delete(group: string, resource: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<void> {
    const r = await this.registry.delete(ADMIN, this.rt(group, resource), namespace, name, opts);
    if (isStatus(r)) throw new Error(`delete ${resource} ${name}: ${r.message}`);
  }

  async namespace(name: string): Promise<void> {
    await this.create('', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  /** Pods of a namespace in phase Running. */
  running(namespace: string): KubeObject[] {
    return this.list('', 'pods', namespace).filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running');
  }
}

export function deployment(namespace: string, name: string, replicas: number, image = 'nginx:1.27'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
    },
  };
}

export function ownedBy(o: KubeObject, uid: string | undefined): boolean {
  return ((o.metadata.ownerReferences ?? []) as { uid?: string }[]).some((r) => r.uid === uid);
}
