// An informer like client-go's reflector feeding a store (tools/cache/reflector.go, store.go):
//   - list through a pager (tools/pager: `limit` 500 + `continue`); the first list asks for
//     resourceVersion=0 as a reflector does (served from the watch cache, which ignores limit),
//     a list after 410 asks for "" (a consistent, paged read); a continue token that expired
//     (410) falls back to one unpaged list (pager FullListIfExpired);
//   - then watch from the list's resourceVersion with allowWatchBookmarks and a timeoutSeconds of
//     5 to 10 minutes; when the server ends the watch, watch again from the last resourceVersion;
//   - 410 Gone/Expired (as the watch's HTTP answer or an ERROR event) relists; other failures back
//     off (800 ms doubling to 30 s, jittered) and relist at the last resourceVersion, except a 429 or
//     a broken connection, after which the watch is simply started again;
//   - a relist replaces the store: new objects are adds, known ones updates, missing ones deletes
//     (client-go wraps those in DeletedFinalStateUnknown; here the handler gets the last known state).
// Handlers run synchronously in event order; an exception from one is a bug and stops the informer.

import { realClock, type Clock } from '../../model/clock.js';
import { DEFAULTS } from '../../model/defaults.js';
import type { RestClient } from './rest.js';
import { sleep } from './sleep.js';
import type { Query } from './wire.js';

export interface KubeObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

export interface InformerHandlers {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

export interface InformerOptions {
  readonly client: RestClient;
  /** Metrics label of the resource (ResourceRef.label). */
  readonly resource: string;
  /** The collection path, e.g. collectionPath(ref, namespace). */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly handlers?: InformerHandlers;
  readonly clock?: Clock;
  readonly pageSize?: number;
  /** resourceVersion of the first list: '0' (client-go's choice, default) or '' (consistent and paged). */
  readonly initialResourceVersion?: '0' | '';
  /** Source of the watch timeout's and backoff's randomness, in [0, 1). */
  readonly random?: () => number;
}

export interface InformerStats {
  /** Completed list walks, the first included. */
  readonly lists: number;
  /** List walks started after the first sync (410s, failed watches). */
  readonly relists: number;
  /** Watches the server accepted. */
  readonly watches: number;
  /** Watch events other than bookmarks and errors. */
  readonly events: number;
  readonly resourceVersion: string;
}

type ListOutcome = 'ok' | 'expired' | 'failed' | 'aborted';
type WatchOutcome = 'ended' | 'expired' | 'retry' | 'failed' | 'aborted';

interface ListBody {
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
  readonly items?: readonly KubeObject[];
}

/** client-go's MetaNamespaceKeyFunc: `<namespace>/<name>`, or `<name>` when cluster-scoped. */
export function objectKeyOf(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export class Informer {
  private readonly store = new Map<string, KubeObject>();
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly selectors: Query;
  private synced = false;
  private started = false;
  private stopped = false;
  private syncWaiters: Array<(ok: boolean) => void> = [];
  private rv = '';
  private lists = 0;
  private relists = 0;
  private watches = 0;
  private events = 0;
  private backoffMs = 0;
  private lastBackoffAt = -Infinity;
  private failure: Error | undefined;

  constructor(private readonly opts: InformerOptions) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.selectors = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
  }

  /** Starts listing and watching; a second call does nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.run().catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.stop();
    });
  }

  /** Aborts the list or watch in flight; the informer does not start again. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const w of this.syncWaiters) w(false);
    this.syncWaiters = [];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** True once the first list is in the store; false when stopped first or after `timeoutMs`. */
  waitForSync(timeoutMs?: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const done = (ok: boolean): void => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        resolve(ok);
      };
      this.syncWaiters.push(done);
      if (timeoutMs !== undefined) {
        timer = this.clock.setTimeout(() => {
          this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): KubeObject[] {
    return [...this.store.values()];
  }

  get size(): number {
    return this.store.size;
  }

  stats(): InformerStats {
    return { lists: this.lists, relists: this.relists, watches: this.watches, events: this.events, resourceVersion: this.rv };
  }

  /** The handler exception that stopped the informer, if one did. */
  error(): Error | undefined {
    return this.failure;
  }

  private async run(): Promise<void> {
    let listRv: string = this.opts.initialResourceVersion ?? '0';
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        const outcome = await this.listAll(listRv);
        if (outcome === 'aborted') return;
        if (outcome === 'expired') {
          // reflector: the RV is gone; list again at once from the latest state.
          listRv = '';
          continue;
        }
        if (outcome === 'failed') {
          await this.backoff();
          continue;
        }
        needList = false;
      }
      const outcome = await this.watchOnce();
      if (outcome === 'aborted') return;
      if (outcome === 'ended') continue;
      if (outcome === 'retry') {
        await this.backoff();
        continue;
      }
      needList = true;
      this.relists++;
      if (outcome === 'expired') listRv = '';
      else {
        listRv = this.rv;
        await this.backoff();
      }
    }
  }

  private async backoff(): Promise<void> {
    const now = this.clock.now();
    const base = now - this.lastBackoffAt > DEFAULTS.reflectorBackoffResetMs
      ? DEFAULTS.reflectorBackoffInitialMs
      : Math.min(this.backoffMs * 2, DEFAULTS.reflectorBackoffMaxMs);
    this.backoffMs = base;
    this.lastBackoffAt = now;
    await sleep(this.clock, base * (1 + this.random()), this.abort.signal);
  }

  private async listAll(rv: string): Promise<ListOutcome> {
    const items: KubeObject[] = [];
    let limit = this.opts.pageSize ?? DEFAULTS.listPageSize;
    let cont: string | undefined;
    for (;;) {
      const r = await this.opts.client.request({
        verb: 'list', resource: this.opts.resource, method: 'GET', path: this.opts.path, signal: this.abort.signal,
        // Later pages carry only the token: the server rejects a resourceVersion with continue.
        query: { ...this.selectors, limit: limit > 0 ? limit : undefined, continue: cont, resourceVersion: cont === undefined && rv !== '' ? rv : undefined },
      });
      if (this.stopped) return 'aborted';
      if (r.status === 410 && cont !== undefined) {
        items.length = 0;
        cont = undefined;
        limit = 0;
        continue;
      }
      if (r.status === 410) return 'expired';
      if (r.status !== 200 || typeof r.body !== 'object' || r.body === null) return 'failed';
      const page = r.body as ListBody;
      for (const item of page.items ?? []) items.push(item);
      cont = page.metadata?.continue || undefined;
      if (cont === undefined) {
        this.replace(items, page.metadata?.resourceVersion ?? '');
        return 'ok';
      }
    }
  }

  private replace(items: readonly KubeObject[], rv: string): void {
    const h = this.opts.handlers;
    const old = new Map(this.store);
    this.store.clear();
    for (const obj of items) this.store.set(objectKeyOf(obj), obj);
    this.rv = rv;
    this.lists++;
    for (const obj of items) {
      const key = objectKeyOf(obj);
      const before = old.get(key);
      old.delete(key);
      if (before === undefined) h?.onAdd?.(obj);
      else h?.onUpdate?.(before, obj);
    }
    for (const gone of old.values()) h?.onDelete?.(gone);
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters) w(true);
      this.syncWaiters = [];
    }
  }

  private async watchOnce(): Promise<WatchOutcome> {
    const timeoutSeconds = Math.floor((DEFAULTS.reflectorMinWatchTimeoutMs / 1000) * (1 + this.random()));
    const start = await this.opts.client.watch({
      verb: 'watch', resource: this.opts.resource, method: 'GET', path: this.opts.path, signal: this.abort.signal,
      query: { ...this.selectors, watch: true, resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds },
    });
    if (this.stopped) return 'aborted';
    if (!start.ok) {
      const status = start.response.status;
      if (status === 410) return 'expired';
      return status === 0 || status === 429 ? 'retry' : 'failed';
    }
    this.watches++;
    const it = start.events[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<{ readonly type: string; readonly object: Record<string, unknown> }>;
        try {
          next = await it.next();
        } catch {
          // The stream broke (reset, bad frame, abort): reflector watches again from the last RV.
          return this.stopped ? 'aborted' : 'retry';
        }
        if (next.done) return 'ended';
        const { type, object } = next.value;
        if (type === 'ERROR') return object.code === 410 ? 'expired' : 'failed';
        this.dispatch(type, object as KubeObject);
      }
    } finally {
      void it.return?.()?.catch(() => undefined);
    }
  }

  private dispatch(type: string, obj: KubeObject): void {
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.rv = rv;
    if (type === 'BOOKMARK') return;
    this.events++;
    const h = this.opts.handlers;
    const key = objectKeyOf(obj);
    const before = this.store.get(key);
    if (type === 'DELETED') {
      this.store.delete(key);
      h?.onDelete?.(obj);
    } else {
      this.store.set(key, obj);
      if (before === undefined) h?.onAdd?.(obj);
      else h?.onUpdate?.(before, obj);
    }
  }
}
