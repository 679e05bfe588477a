// Read snapshots held for paged lists, so every page of a `limit`/`continue` walk comes from the
// state of the first page, as etcd serves later pages at the first page's revision. A snapshot
// is an LMDB read transaction: held only for `ttlMs` after its last use and at most `max` at a
// time (the oldest goes first); a continue token whose snapshot is gone gets 410 Expired, as a
// compacted etcd revision does.
import type { Clock, TimerHandle } from '../clock.js';
import type { Snapshot, Store } from '../store/store.js';

export interface SnapshotCacheOptions {
  readonly ttlMs: number;
  readonly max: number;
}

interface Held {
  readonly snap: Snapshot;
  timer: TimerHandle;
}

/** Which collection a count is of, as the store lists it. */
export interface CountedCollection {
  readonly cluster: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace?: string;
}

export class SnapshotCache {
  private readonly held = new Map<number, Held>();
  /** Object counts per collection in a snapshot, for remainingItemCount of later pages. */
  private readonly totals = new Map<number, Map<string, number>>();

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly opts: SnapshotCacheOptions) {}

  get size(): number {
    return this.held.size;
  }

  /** The held snapshot at `rv`, its lifetime extended; undefined when none is held. */
  get(rv: number): Snapshot | undefined {
    const h = this.held.get(rv);
    if (!h) return undefined;
    this.clock.clearTimeout(h.timer);
    h.timer = this.expireLater(rv);
    // Map order is the eviction order: move it to the newest end.
    this.held.delete(rv);
    this.held.set(rv, h);
    return h.snap;
  }

  /** A snapshot of the current state: a held one if it is still current, else a new one. */
  current(): { snap: Snapshot; held: boolean } {
    const snap = this.store.openSnapshot();
    const h = this.held.get(snap.rv);
    if (h) {
      snap.release();
      return { snap: this.get(snap.rv) ?? h.snap, held: true };
    }
    return { snap, held: false };
  }

  /** Keeps `snap` for later pages. */
  hold(snap: Snapshot): void {
    if (this.held.has(snap.rv)) return;
    this.held.set(snap.rv, { snap, timer: this.expireLater(snap.rv) });
    while (this.held.size > this.opts.max) {
      const oldest = this.held.keys().next().value as number;
      this.drop(oldest);
    }
  }

  total(rv: number, coll: CountedCollection): number | undefined {
    return this.totals.get(rv)?.get(collectionId(coll));
  }

  setTotal(rv: number, coll: CountedCollection, n: number): void {
    let m = this.totals.get(rv);
    if (!m) {
      m = new Map();
      this.totals.set(rv, m);
    }
    m.set(collectionId(coll), n);
  }

  close(): void {
    for (const rv of [...this.held.keys()]) this.drop(rv);
  }

  private expireLater(rv: number): TimerHandle {
    return this.clock.setTimeout(() => this.drop(rv), this.opts.ttlMs);
  }

  private drop(rv: number): void {
    const h = this.held.get(rv);
    if (!h) return;
    this.clock.clearTimeout(h.timer);
    h.snap.release();
    this.held.delete(rv);
    this.totals.delete(rv);
  }
}

function collectionId(c: CountedCollection): string {
  return `${c.cluster}/${c.group}/${c.resource}/${c.namespace ?? ''}`;
}
