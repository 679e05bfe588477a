// The store: a thin layer on LMDB in the manner of kine. One resourceVersion counter per store,
// persisted in the same transaction as each write; conditional writes (create-if-absent,
// update-if-version) are checked inside LMDB's write transaction, so the read-modify-write loop
// of the registry is optimistic like etcd's GuaranteedUpdate. A write is acknowledged only after
// its transaction is flushed; events go out after that, in resourceVersion order.
//
// Size: lmdb-js grows its memory map without bound (its patched mdb_page_alloc resizes instead of
// returning MDB_MAP_FULL), so the limit is kemu's, enforced the way etcd enforces
// --quota-backend-bytes: a write that adds data is refused when the file plus what the writes in
// flight may add would pass the limit, and from then on every such write is refused, as etcd's
// NOSPACE alarm refuses them until an operator disarms it; deletes always go through. Like
// etcd's bbolt, LMDB reuses freed pages inside its file but never shrinks it: a restart with a
// larger limit is how writes resume.
import { chmodSync, statSync } from 'node:fs';
import { open, type Database, type RootDatabase, type RootDatabaseOptionsWithPath, type Transaction } from 'lmdb';
import type { KubeObject } from '../object.js';
import { databaseSpaceExceeded } from '../faults/statuses.js';
import type { Status } from '../status.js';
import {
  collectionPrefix, clusterPrefix, objectKey, prefixEnd, type CollectionKey, type ObjectKey,
} from './keys.js';

export interface Entry {
  readonly key: string;
  readonly rv: number;
  /** The object's JSON as served, resourceVersion included. */
  readonly bytes: Buffer;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: WatchEventType;
  readonly key: ObjectKey;
  readonly rv: number;
  readonly bytes: Buffer;
  readonly object: KubeObject;
  /** The state before a MODIFIED or DELETED event, for selector transitions. */
  readonly prevObject?: KubeObject;
}

export interface ListPage {
  readonly entries: readonly Entry[];
  /** The store's resourceVersion in the snapshot the page was read from. */
  readonly rv: number;
  /** Entries after this page in the same snapshot (0 when the page is the last, or not counted). */
  readonly remaining: number;
}

/** A consistent read view of the store at `rv`. */
export interface Snapshot {
  readonly rv: number;
  readonly txn: Transaction;
  release(): void;
}

export interface StoreOptions {
  readonly path: string;
  /** Initial LMDB map size in bytes; LMDB grows it as needed. */
  readonly mapSize?: number;
  /** The most the store's file may grow to, in bytes; unlimited when absent. */
  readonly maxBytes?: number;
  /** Clock.hold: a virtual clock must not move while a commit runs on LMDB's writer thread. */
  readonly hold?: () => () => void;
}

export type StoreListener = (e: StoreEvent) => void;

const RV_KEY = 'rv';

// The store holds Secrets: its files are the owner's alone, as etcd's data dir is (0700).
const FILE_MODE = 0o600;

// What one put may add to the file besides its key and value: copies of the pages on its path in
// the objects tree and in the meta tree (the resourceVersion), written afresh because LMDB does
// not overwrite pages a reader or the previous commit may still see.
const PAGES_PER_WRITE = 6;

export class Store {
  private readonly root: RootDatabase;
  private readonly objects: Database<Buffer, string>;
  private readonly meta: Database<unknown, string>;
  private nextRV: number;
  /** Highest resourceVersion settled (committed or failed) with all below it settled too. */
  private settledRV: number;
  private readonly pending = new Map<number, StoreEvent | null>();
  private readonly listeners = new Set<StoreListener>();
  /** The resourceVersion at open: events before it are not in any watch window. */
  readonly openedAtRV: number;
  /** The size limit in bytes, Infinity for none. */
  readonly maxBytes: number;
  private readonly path: string;
  private readonly hold: (() => () => void) | undefined;
  private readonly pageSize: number;
  /** The file's size after the last commit (kept only when there is a limit). */
  private fileBytes: number;
  /** What the writes admitted but not yet settled may add to the file. */
  private reservedBytes = 0;
  /** Set by the first write refused for space (etcd's NOSPACE alarm); cleared only by reopening. */
  private full = false;

  private constructor(opts: StoreOptions) {
    // permissionsMode is lmdb-js's file mode for a new environment (not in its typings).
    const options: RootDatabaseOptionsWithPath & { permissionsMode: number } = { path: opts.path, mapSize: opts.mapSize, maxDbs: 4, permissionsMode: FILE_MODE };
    this.root = open(options);
    // Files made by an older kemu (or before a umask change) are narrowed too.
    for (const f of [opts.path, `${opts.path}-lock`]) chmodSync(f, FILE_MODE);
    this.objects = this.root.openDB<Buffer, string>({ name: 'objects', encoding: 'binary', useVersions: true });
    this.meta = this.root.openDB<unknown, string>({ name: 'meta', encoding: 'json' });
    const rv = Number(this.meta.get(RV_KEY) ?? 0);
    this.nextRV = rv;
    this.settledRV = rv;
    this.openedAtRV = rv;
    this.path = opts.path;
    this.hold = opts.hold;
    this.maxBytes = opts.maxBytes ?? Infinity;
    this.pageSize = (this.root.getStats() as { pageSize?: number }).pageSize ?? 4096;
    this.fileBytes = statSync(opts.path).size;
  }

  static open(opts: StoreOptions): Store {
    return new Store(opts);
  }

  /** The newest resourceVersion whose write and every earlier one has been settled. */
  get currentRV(): number {
    return this.settledRV;
  }

  /** The store file's size in bytes. */
  get sizeBytes(): number {
    return statSync(this.path).size;
  }

  /** Undefined when the store answers reads, else why not (for /readyz). */
  check(): string | undefined {
    try {
      this.meta.get(RV_KEY);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  get(key: ObjectKey): Entry | undefined {
    const k = objectKey(key);
    const e = this.objects.getEntry(k);
    if (!e || e.value === undefined) return undefined;
    return { key: k, rv: e.version ?? 0, bytes: e.value };
  }

  /**
   * Opens a read snapshot: an LMDB read transaction, the state at one resourceVersion. It must be
   * released; while open, LMDB cannot reuse pages freed after it, so holders keep it short.
   */
  openSnapshot(): Snapshot {
    const txn = this.root.useReadTransaction();
    const rv = Number(this.meta.get(RV_KEY, { transaction: txn }) ?? 0);
    let open = true;
    return {
      rv,
      txn,
      release: () => {
        if (open) txn.done();
        open = false;
      },
    };
  }

  /** One page of a collection, from `snapshot` or from a snapshot of its own. */
  list(coll: CollectionKey, opts: { after?: string; limit?: number; countRemaining?: boolean } = {}, snapshot?: Snapshot): ListPage {
    const snap = snapshot ?? this.openSnapshot();
    const transaction = snap.txn;
    try {
      const prefix = collectionPrefix(coll);
      const end = prefixEnd(prefix);
      const start = opts.after !== undefined ? `${prefix}${opts.after}\u0000` : prefix;
      const entries: Entry[] = [];
      const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
      for (const { key, value, version } of this.objects.getRange({ start, end, transaction, versions: true, limit })) {
        entries.push({ key, rv: version ?? 0, bytes: value });
      }
      let remaining = 0;
      if (entries.length >= limit && opts.countRemaining !== false) {
        remaining = this.objects.getKeysCount({ start: `${entries[entries.length - 1].key}\u0000`, end, transaction });
      }
      return { entries, rv: snap.rv, remaining };
    } finally {
      if (!snapshot) snap.release();
    }
  }

  /**
   * Creates the object unless the key exists. The object's resourceVersion is set here. A Status
   * when the store is full: nothing was written and no resourceVersion was used.
   */
  async create(key: ObjectKey, obj: KubeObject): Promise<Entry | 'exists' | Status> {
    const k = objectKey(key);
    const rv = this.nextRV + 1;
    const bytes = serialize(obj, rv);
    const reserved = this.reserve(k, bytes);
    // etcd would refuse even a create that finds its key taken; kemu answers that it exists, so
    // that start-up's create-if-missing steps (system namespaces, fake Nodes, bootstrap objects)
    // pass over a full store.
    if (reserved === undefined) return this.objects.doesExist(k) ? 'exists' : databaseSpaceExceeded();
    this.nextRV = rv;
    const ok = await this.commit(rv, reserved, () => this.objects.ifNoExists(k, () => {
      this.objects.put(k, bytes, rv);
      this.meta.put(RV_KEY, rv);
    }), { type: 'ADDED', key, rv, bytes, object: obj });
    return ok ? { key: k, rv, bytes } : 'exists';
  }

  /** Replaces the object if it is still at expectedRV; a Status when the store is full. */
  async update(key: ObjectKey, expectedRV: number, obj: KubeObject, prev: KubeObject): Promise<Entry | 'conflict' | Status> {
    const k = objectKey(key);
    const rv = this.nextRV + 1;
    const bytes = serialize(obj, rv);
    const reserved = this.reserve(k, bytes);
    if (reserved === undefined) return databaseSpaceExceeded();
    this.nextRV = rv;
    const ok = await this.commit(rv, reserved, () => this.objects.ifVersion(k, expectedRV, () => {
      this.objects.put(k, bytes, rv);
      this.meta.put(RV_KEY, rv);
    }), { type: 'MODIFIED', key, rv, bytes, object: obj, prevObject: prev });
    return ok ? { key: k, rv, bytes } : 'conflict';
  }

  /** Removes the object if it is still at expectedRV; `last` is its final state for watchers. */
  async remove(key: ObjectKey, expectedRV: number, last: KubeObject): Promise<Entry | 'conflict'> {
    const k = objectKey(key);
    const rv = ++this.nextRV;
    const bytes = serialize(last, rv);
    const ok = await this.commit(rv, 0, () => this.objects.ifVersion(k, expectedRV, () => {
      this.objects.remove(k);
      this.meta.put(RV_KEY, rv);
    }), { type: 'DELETED', key, rv, bytes, object: last, prevObject: last });
    return ok ? { key: k, rv, bytes } : 'conflict';
  }

  /** Drops every object of a cluster, without events: the cluster itself goes away. */
  async dropCluster(cluster: string): Promise<void> {
    const start = clusterPrefix(cluster);
    const end = prefixEnd(start);
    await this.objects.transaction(() => {
      for (const key of this.objects.getKeys({ start, end })) this.objects.remove(key);
    });
    await this.root.flushed;
    this.refreshSize();
  }

  /** Object counts per `<cluster>/<group>/<resource>`, from one scan of the keys. */
  countByCollection(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const key of this.objects.getKeys({})) {
      const parts = key.split('/', 3);
      const coll = parts.join('/');
      counts.set(coll, (counts.get(coll) ?? 0) + 1);
    }
    return counts;
  }

  getMeta<T>(key: string): T | undefined {
    return this.meta.get(key) as T | undefined;
  }

  async putMeta(key: string, value: unknown): Promise<void> {
    await this.meta.put(key, value);
    await this.root.flushed;
  }

  async removeMeta(key: string): Promise<void> {
    await this.meta.remove(key);
    await this.root.flushed;
  }

  metaKeys(prefix: string): string[] {
    return Array.from(this.meta.getKeys({ start: prefix, end: `${prefix}\uffff` }));
  }

  subscribe(fn: StoreListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  // Only a limited store needs the size after every commit.
  private refreshSize(): void {
    if (this.maxBytes !== Infinity) this.fileBytes = statSync(this.path).size;
  }

  /**
   * Reserves what a put of `bytes` under `key` may add to the file (its entry, rounded up to whole
   * pages, and the page copies), or undefined when that could take the file past the limit.
   */
  private reserve(key: string, bytes: Buffer): number | undefined {
    if (this.maxBytes === Infinity) return 0;
    const entry = Math.ceil((bytes.length + key.length + 64) / this.pageSize) * this.pageSize;
    const cost = entry + PAGES_PER_WRITE * this.pageSize;
    if (this.full || this.fileBytes + this.reservedBytes + cost > this.maxBytes) {
      this.full = true;
      return undefined;
    }
    this.reservedBytes += cost;
    return cost;
  }

  /**
   * Runs the conditional write, whose callback records `rv` as the store's counter in the same
   * transaction. A write that lost its race still settles its resourceVersion, which bookmarks and
   * the current resourceVersion may then report, so the counter is moved past it before it
   * settles, to the highest resourceVersion given out: puts in issue order never lower it.
   */
  private async commit(rv: number, reserved: number, write: () => Promise<boolean>, event: StoreEvent): Promise<boolean> {
    const release = this.hold?.();
    let ok = false;
    try {
      ok = await write();
      if (!ok) await this.meta.put(RV_KEY, this.nextRV);
      await this.root.flushed;
    } finally {
      this.refreshSize();
      this.reservedBytes -= reserved;
      this.settle(rv, ok ? event : null);
      release?.();
    }
    return ok;
  }

  // Writes settle in the order LMDB committed them, but promise callbacks are not a contract:
  // hold each event until every smaller resourceVersion has settled.
  private settle(rv: number, event: StoreEvent | null): void {
    this.pending.set(rv, event);
    while (this.pending.has(this.settledRV + 1)) {
      const next = this.settledRV + 1;
      const e = this.pending.get(next);
      this.pending.delete(next);
      this.settledRV = next;
      if (e) for (const fn of this.listeners) fn(e);
    }
  }
}

// Each object gets a buffer of its own, exactly its size: Buffer.from would slice small ones
// from the shared 8 KiB pool, and a slice kept (by the watch window, for minutes) keeps its whole
// pool chunk alive with whatever else was cut from it.
function serialize(obj: KubeObject, rv: number): Buffer {
  obj.metadata.resourceVersion = String(rv);
  const json = JSON.stringify(obj);
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  bytes.write(json);
  return bytes;
}
