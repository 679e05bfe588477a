// The lifecycle engine: simulated controllers driven by the store's events, on the injected
// Clock. Each controller says which collections wake it and which object keys an event means;
// the engine keeps one deduplicating queue, syncs one key at a time (so a sync's writes are
// stored before the same controller looks again, as upstream's "expectations" ensure), and
// writes through a LifecycleWriter under the controller's own `system:` user: in the server
// that is the HTTP pipeline, so the writes show in watches, metrics and flow control like any
// client's.

import type { ResourceCatalog, ResourceType } from '../catalog.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { ClusterCatalogs } from '../crd/catalogs.js';
import type { KubeObject } from '../object.js';
import type { Rng } from '../rng.js';
import { isStatus, type Status } from '../status.js';
import type { Store, StoreEvent } from '../store/store.js';
import type { Writes } from './workloads/index.js';
import { controllerUser, type LifecycleWriter } from './writer.js';

/** What a controller may read: the stored objects of its cluster. */
export interface SyncContext {
  readonly cluster: string;
  readonly now: number;
  readonly rng: Rng;
  list(group: string, resource: string, namespace?: string): KubeObject[];
  get(group: string, resource: string, namespace: string, name: string): KubeObject | undefined;
}

export interface Watch {
  readonly group: string;
  readonly resource: string;
  /** The keys (`<namespace>/<name>` or anything the controller understands) this event wakes. */
  keys(e: StoreEvent): readonly string[];
}

export interface Controller {
  /** kube-controller-manager's name for it (`deployment`, `replicaset`, `garbagecollector`, …). */
  readonly name: string;
  readonly watches: readonly Watch[];
  sync(key: string, ctx: SyncContext): Writes | undefined | Promise<Writes | undefined>;
}

export interface EngineOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  /** `--controllers`: whether a controller runs in a cluster. */
  readonly enabled: (controller: string, cluster: string) => boolean;
}

// A sync that threw is tried again after a second rather than at once, so a bug cannot spin.
const FAILED_SYNC_RETRY_MS = 1000;
// The queue is bounded: past this many distinct pending keys, new keys wait for the next event.
const MAX_QUEUED = 1_000_000;

export class LifecycleEngine {
  private readonly queue = new Set<string>();
  private readonly byName = new Map<string, Controller>();
  private readonly byCollection = new Map<string, Controller[]>();
  /** Per catalog (a cluster's CRDs add kinds): `<apiVersion>/<Kind>` -> its resource. */
  private readonly kinds = new WeakMap<ResourceCatalog, Map<string, ResourceType>>();
  private readonly unsubscribe: () => void;
  private draining = false;
  /** Syncs that threw (bugs), for metrics and tests. */
  failures = 0;
  lastFailure: Error | undefined;
  private timers = new Set<TimerHandle>();
  private closed = false;

  constructor(private readonly store: Store, private readonly writer: LifecycleWriter, private readonly catalogs: ClusterCatalogs, controllers: readonly Controller[], private readonly opts: EngineOptions) {
    for (const c of controllers) {
      this.byName.set(c.name, c);
      for (const w of c.watches) {
        const k = `${w.group}/${w.resource}`;
        const list = this.byCollection.get(k);
        if (list) list.push(c); else this.byCollection.set(k, [c]);
      }
    }
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  /** Queues a key as if an event had woken it (after `ms`, for requeues and timed work). */
  enqueue(controller: string, cluster: string, key: string, ms = 0): void {
    if (this.closed) return;
    if (ms > 0) {
      const t = this.opts.clock.setTimeout(() => {
        this.timers.delete(t);
        this.enqueue(controller, cluster, key);
      }, ms);
      this.timers.add(t);
      return;
    }
    if (this.queue.size >= MAX_QUEUED) return;
    this.queue.add(`${controller}\u0000${cluster}\u0000${key}`);
    this.kick();
  }

  /** Wakes every controller for the objects a cluster already holds (at start, events are past). */
  resync(cluster: string): void {
    for (const c of this.byName.values()) {
      if (!this.opts.enabled(c.name, cluster)) continue;
      for (const w of c.watches) {
        for (const e of this.store.list({ cluster, group: w.group, resource: w.resource }).entries) {
          const object = JSON.parse(e.bytes.toString('utf8')) as KubeObject;
          const key = { cluster, group: w.group, resource: w.resource, namespace: object.metadata.namespace ?? '', name: object.metadata.name ?? '' };
          for (const k of w.keys({ type: 'ADDED', key, rv: e.rv, bytes: e.bytes, object })) this.enqueue(c.name, cluster, k);
        }
      }
    }
  }

  /** How many keys wait, for metrics and tests. */
  get depth(): number {
    return this.queue.size;
  }

  /** Resolves once nothing is queued or being synced (timers may still be pending). */
  async idle(): Promise<void> {
    while (this.draining || this.queue.size > 0) await new Promise<void>((r) => setImmediate(r));
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const t of this.timers) this.opts.clock.clearTimeout(t);
    this.timers.clear();
    this.queue.clear();
  }

  private onEvent(e: StoreEvent): void {
    const controllers = this.byCollection.get(`${e.key.group}/${e.key.resource}`);
    if (!controllers) return;
    for (const c of controllers) {
      if (!this.opts.enabled(c.name, e.key.cluster)) continue;
      for (const w of c.watches) {
        if (w.group !== e.key.group || w.resource !== e.key.resource) continue;
        for (const key of w.keys(e)) this.enqueue(c.name, e.key.cluster, key);
      }
    }
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size > 0 && !this.closed) {
        const item = this.queue.values().next().value as string;
        this.queue.delete(item);
        const [name, cluster, key] = item.split('\u0000');
        const c = this.byName.get(name);
        if (!c) continue;
        try {
          const writes = await c.sync(key, this.context(cluster));
          if (writes) await this.apply(c, cluster, key, writes);
        } catch (e) {
          // A bug in one sync must not stop every controller: count it, look again later.
          this.failures++;
          this.lastFailure = e instanceof Error ? e : new Error(String(e));
          this.enqueue(name, cluster, key, FAILED_SYNC_RETRY_MS);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private context(cluster: string): SyncContext {
    const parse = (b: Buffer): KubeObject => JSON.parse(b.toString('utf8')) as KubeObject;
    return {
      cluster, now: this.opts.clock.now(), rng: this.opts.rng,
      list: (group, resource, namespace) => this.store.list({ cluster, group, resource, namespace }).entries.map((e) => parse(e.bytes)),
      get: (group, resource, namespace, name) => {
        const e = this.store.get({ cluster, group, resource, namespace, name });
        return e ? parse(e.bytes) : undefined;
      },
    };
  }

  private kindsOf(catalog: ResourceCatalog): Map<string, ResourceType> {
    let m = this.kinds.get(catalog);
    if (m) return m;
    m = new Map();
    for (const g of catalog.groups()) {
      for (const v of g.versions) {
        for (const rt of catalog.resourcesOf(g.name, v)) {
          const key = `${rt.group ? `${rt.group}/` : ''}${rt.version}/${rt.kind}`;
          if (!m.has(key)) m.set(key, rt);
        }
      }
    }
    this.kinds.set(catalog, m);
    return m;
  }

  private async apply(c: Controller, cluster: string, key: string, w: Writes): Promise<void> {
    const user = controllerUser(c.name);
    // The longest wait a failed write asks for before this key is synced again.
    let retryMs = -1;
    const note = (r: KubeObject | Status | undefined): void => {
      if (!isStatus(r) || r.code === 404 || r.reason === 'AlreadyExists') return;
      retryMs = Math.max(retryMs, r.code === 429 ? 1000 * (r.details?.retryAfterSeconds ?? 1) : r.code === 409 ? 10 : 100);
    };
    const byKind = this.kindsOf(this.catalogs.forCluster(cluster));
    const rtOf = (o: { apiVersion?: string; kind?: string }): ResourceType | undefined => byKind.get(`${o.apiVersion}/${o.kind}`);
    for (const o of w.create ?? []) {
      const rt = rtOf(o);
      if (rt) note(await this.writer.create(cluster, user, rt, o.metadata.namespace ?? '', o));
    }
    for (const o of w.update ?? []) {
      const rt = rtOf(o);
      if (rt) note(await this.writer.update(cluster, user, rt, o.metadata.namespace ?? '', o.metadata.name ?? '', '', o));
    }
    for (const o of w.updateStatus ?? []) {
      const rt = rtOf(o);
      if (rt) note(await this.writer.update(cluster, user, rt, o.metadata.namespace ?? '', o.metadata.name ?? '', 'status', o));
    }
    for (const d of w.delete ?? []) {
      const rt = rtOf(d);
      if (!rt) continue;
      // A 404 or a failed precondition means someone got there first: the next event tells.
      note(await this.writer.delete(cluster, user, rt, d.namespace ?? '', d.name, {
        ...(d.propagationPolicy ? { propagationPolicy: d.propagationPolicy } : {}),
        ...(d.preconditions ? { preconditions: d.preconditions } : {}),
      }));
    }
    // A throttled or failed write is tried again by syncing the key again (upstream's rate-limited requeue).
    if (retryMs >= 0) this.enqueue(c.name, cluster, key, retryMs);
    if (w.requeueAfterMs !== undefined) this.enqueue(c.name, cluster, key, w.requeueAfterMs);
  }
}
