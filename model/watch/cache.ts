// The watch cache: per (cluster, group, resource) a bounded window of recent events, so a watch
// from any resourceVersion inside the window replays what the client missed, and one older than
// the window gets 410 Expired, as kube-apiserver's cacher does.
//
// The window keeps only what a replay needs: the stored bytes (the very buffer delivered live),
// type, resourceVersion, namespace, and what selectors read of the object before and after the
// change (labels and the type's selectable fields), never the parsed objects: an idle cluster's
// window is its bootstrap objects' bytes and little more.
import { sameViewOr, selectableView, type SelectableView } from '../selectors/field-labels.js';
import { expired, type Status } from '../status.js';
import type { Store, StoreEvent } from '../store/store.js';
import type { CollectionKey } from '../store/keys.js';

export type { SelectableView } from '../selectors/field-labels.js';

export interface WatchFilter {
  /** undefined: every namespace. */
  readonly namespace?: string;
  /** false: no label or field selector, every object matches (matchesView is not asked). */
  readonly selective?: boolean;
  /** Whether the label and field selectors select an object with this view. */
  matchesView(view: SelectableView): boolean;
}

/**
 * What a watcher receives. `type` differs from the store event's when the object moved into
 * (ADDED) or out of (DELETED) the watcher's selector; `bytes` are shared by every watcher.
 */
export interface WatchDelivery {
  readonly type: StoreEvent['type'];
  readonly bytes: Buffer;
  readonly rv: number;
}

export interface WatchSink {
  deliver(d: WatchDelivery): void;
}

export interface Watcher {
  stop(): void;
}

/**
 * One event as the window holds it. `view` is the object after the change (for DELETED, its
 * last state), `prev` before it (MODIFIED, DELETED); both are the same object when the change
 * left labels and selectable fields alone. Not a WatchDelivery on purpose: the transport keys
 * its framed copy by delivery object, and that copy must not live as long as the window.
 */
class WindowEvent {
  constructor(
    readonly type: StoreEvent['type'],
    readonly rv: number,
    readonly bytes: Buffer,
    readonly namespace: string | undefined,
    readonly view: SelectableView,
    readonly prev: SelectableView | undefined,
  ) {}

  static of(e: StoreEvent): WindowEvent {
    const { group, resource } = e.key;
    const view = selectableView(group, resource, e.object);
    let prev: SelectableView | undefined;
    if (e.prevObject === e.object) prev = view;
    else if (e.prevObject !== undefined) prev = sameViewOr(view, selectableView(group, resource, e.prevObject));
    return new WindowEvent(e.type, e.rv, e.bytes, e.key.namespace, view, prev);
  }
}

/** A fixed-capacity circular buffer: pushing onto a full window drops (and returns) the oldest. */
class EventWindow {
  private readonly buf: (WindowEvent | undefined)[] = [];
  private head = 0;
  private size = 0;

  constructor(private readonly capacity: number) {}

  push(e: WindowEvent): WindowEvent | undefined {
    if (this.capacity === 0) return e;
    if (this.size < this.capacity) {
      this.buf[(this.head + this.size++) % this.capacity] = e;
      return undefined;
    }
    const dropped = this.buf[this.head];
    this.buf[this.head] = e;
    this.head = (this.head + 1) % this.capacity;
    return dropped;
  }

  /** Oldest first. */
  forEach(fn: (e: WindowEvent) => void): void {
    for (let i = 0; i < this.size; i++) fn(this.buf[(this.head + i) % this.capacity] as WindowEvent);
  }
}

interface Ring {
  readonly events: EventWindow;
  /** Every event of the collection with rv > startRV is still in `events`. */
  startRV: number;
  readonly watchers: Set<ActiveWatcher>;
}

interface ActiveWatcher {
  readonly filter: WatchFilter;
  readonly sink: WatchSink;
  readonly fromRV: number;
}

export interface WatchCacheOptions {
  /** Events kept per (cluster, resource). */
  readonly windowSize: number;
}

export class WatchCache {
  private readonly rings = new Map<string, Ring>();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: Store, private readonly opts: WatchCacheOptions) {
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  /**
   * Starts a watch that receives every matching event with rv > fromRV. Fails with 410 Expired
   * when events after fromRV have left the window.
   */
  watch(coll: CollectionKey, fromRV: number, filter: WatchFilter, sink: WatchSink): Watcher | Status {
    const ring = this.ring(coll);
    if (fromRV < ring.startRV) {
      return expired(`too old resource version: ${fromRV} (${ring.startRV + 1})`);
    }
    const w: ActiveWatcher = { filter, sink, fromRV };
    ring.events.forEach((e) => {
      if (e.rv > fromRV) deliver(w, e);
    });
    ring.watchers.add(w);
    return { stop: () => ring.watchers.delete(w) };
  }

  /** Closes the window of every collection of a cluster (the cluster was removed). */
  dropCluster(cluster: string): void {
    for (const k of this.rings.keys()) if (k.startsWith(`${cluster}/`)) this.rings.delete(k);
  }

  /** Number of watchers, for metrics. */
  watcherCount(): number {
    let n = 0;
    for (const r of this.rings.values()) n += r.watchers.size;
    return n;
  }

  close(): void {
    this.unsubscribe();
  }

  private ring(coll: CollectionKey): Ring {
    const k = `${coll.cluster}/${coll.group}/${coll.resource}`;
    let r = this.rings.get(k);
    if (!r) {
      // No event of this collection has happened since the store opened, or a ring would exist.
      r = { events: new EventWindow(this.opts.windowSize), startRV: this.store.openedAtRV, watchers: new Set() };
      this.rings.set(k, r);
    }
    return r;
  }

  private onEvent(e: StoreEvent): void {
    const r = this.ring({ cluster: e.key.cluster, group: e.key.group, resource: e.key.resource });
    const we = WindowEvent.of(e);
    const dropped = r.events.push(we);
    if (dropped) r.startRV = dropped.rv;
    // One delivery object per event, shared by every watcher that gets it unchanged, so the
    // transport can frame it once.
    const natural: WatchDelivery = { type: e.type, bytes: e.bytes, rv: e.rv };
    for (const w of r.watchers) if (e.rv > w.fromRV) deliver(w, we, natural);
  }
}

function deliver(w: ActiveWatcher, e: WindowEvent, natural?: WatchDelivery): void {
  const ns = w.filter.namespace;
  if (ns !== undefined && e.namespace !== ns) return;
  const type = deliveredType(w.filter, e);
  if (!type) return;
  w.sink.deliver(natural && type === natural.type ? natural : { type, bytes: e.bytes, rv: e.rv });
}

/** The event type a watcher sees, given its selector before and after the change. */
function deliveredType(filter: WatchFilter, e: WindowEvent): StoreEvent['type'] | undefined {
  const all = filter.selective === false;
  const now = e.type !== 'DELETED' && (all || filter.matchesView(e.view));
  // A MODIFIED that left labels and selectable fields alone has one view: before is now.
  const unchanged = e.type === 'MODIFIED' && e.prev === e.view;
  const before = e.prev !== undefined && (all || (unchanged ? now : filter.matchesView(e.prev)));
  if (e.type === 'ADDED') return now ? 'ADDED' : undefined;
  if (e.type === 'DELETED') return before ? 'DELETED' : undefined;
  if (now) return before ? 'MODIFIED' : 'ADDED';
  return before ? 'DELETED' : undefined;
}
