// The generic registry: create, get, list, watch, update, delete and deletecollection, written
// once for every type (kube-apiserver's pkg/registry/generic/registry/store.go). What differs per
// type lives in ./strategy.ts.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ResourceType } from '../catalog.js';
import { apiVersionOf } from '../catalog.js';
import type { Clock } from '../clock.js';
import { rfc3339 } from '../clock.js';
import { canonicalize, isPlainObject, type KubeObject } from '../object.js';
import { DEFAULTS } from '../defaults.js';
import { limitViolation, violationText } from '../nesting.js';
import type { Rng } from '../rng.js';
import { fieldsOf, validateFieldSelectorFor } from '../selectors/field-labels.js';
import { parseFieldSelector } from '../selectors/fields.js';
import { parseLabelSelector } from '../selectors/labels.js';
import {
  alreadyExists, badRequest, conflict, expired, forbidden, internalError, invalid, isStatus, notFound,
  OPTIMISTIC_LOCK_MESSAGE, Status, type FieldError,
} from '../status.js';
import type { ObjectKey } from '../store/keys.js';
import type { Entry, Snapshot, Store } from '../store/store.js';
import type { UserInfo } from '../user.js';
import { generateName, validateObjectMeta } from '../validation.js';
import type { WatchCache, WatchFilter, WatchSink, Watcher } from '../watch/cache.js';
import {
  decodeContinue, encodeContinue, parseResourceVersion, validateListOptions, type ListOptions,
  type WatchOptions,
} from './list-options.js';
import type { SnapshotCache } from './snapshots.js';
import { applyDefaults } from './defaulting.js';
import { customResourceStrategy } from '../crd/strategy.js';
import { scaleOf, withScale } from './scale.js';
import { resetFieldsOf, strategyFor, type Strategy } from './strategy.js';
import { recordUpdate } from '../apply/index.js';
import { schemaOf } from '../schema/of-type.js';


/** Who asks, and of which virtual cluster. */
export interface RequestScope {
  readonly cluster: string;
  readonly user: UserInfo;
}

/** How unknown fields in a request body are answered (metav1 fieldValidation). */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly fieldValidation?: FieldValidation;
  /** Who makes the change, for managedFields; writes without one are not tracked. */
  readonly fieldManager?: string;
}

/** Turns the current object (or its Scale; undefined when there is none) into the patched one. */
export type PatchFn = (current: KubeObject | undefined) => Record<string, unknown> | Status;

export interface PatchOptions extends WriteOptions {
  /** Server-side apply creates a missing object from mutate(undefined). */
  readonly createIfMissing?: boolean;
  /** mutate has updated managedFields itself (server-side apply): no Update entry is recorded. */
  readonly apply?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: string;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

export interface WriteResult {
  readonly bytes: Buffer;
  /** 201 rather than 200. */
  readonly created: boolean;
  /** `Warning` header texts (unknown fields under fieldValidation=Warn). */
  readonly warnings?: readonly string[];
}

export interface DeleteResult {
  /** The object (still there, or returned on delete), or undefined for a Success Status. */
  readonly object?: Buffer;
  readonly uid: string;
}

export interface ListResult {
  readonly items: readonly Buffer[];
  readonly rv: number;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface WatchStart {
  readonly watcher: Watcher;
  /** The resourceVersion every delivered event so far is at or below. */
  bookmarkRV(): number;
}

export interface WatchStartSink extends WatchSink {
  /** Called once, after the initial events, for the watch-list protocol. */
  initialEventsEnd(rv: number): void;
}

// patch.go's MaxRetryWhenPatchConflicts: retries of a patch that created the object and lost.
const PATCH_CONFLICT_RETRIES = 5;
// A patch that names no resourceVersion and lost a write race is retried on the new object, as
// etcd3's GuaranteedUpdate loops on a failed compare-and-swap with no limit; this bound only keeps
// a pathological storm from spinning forever.
const PATCH_RACE_RETRIES = 1000;
// etcd's default request size limit (1.5 MiB); kube-apiserver stores nothing larger.
const MAX_STORED_BYTES = 1.5 * 1024 * 1024;
// apiserver pkg/registry/generic/registry/store.go: retries of a generated-name collision.
const GENERATE_NAME_RETRIES = 8;
// apiserver pkg/storage/etcd3/errors.go: a continue token whose revision was compacted.
const CONTINUE_EXPIRED = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';
const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export class Registry {
  // Creates of types with allocations (Services) between allocation and commit, by collection:
  // what they took counts as taken, so concurrent creates do not pick the same ClusterIP.
  private readonly allocating = new Map<string, Set<KubeObject>>();

  constructor(
    private readonly store: Store,
    private readonly watchCache: WatchCache,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly snapshots: SnapshotCache,
  ) {}

  get(scope: RequestScope, rt: ResourceType, namespace: string, name: string): Entry | Status {
    const entry = this.store.get(this.key(scope, rt, namespace, name));
    return entry ?? notFound(rt, name);
  }

  list(scope: RequestScope, rt: ResourceType, namespace: string | undefined, opts: ListOptions): ListResult | Status {
    const bad = validateListOptions(opts, false);
    if (bad) return bad;
    const filter = this.filter(rt, namespace, opts);
    if (isStatus(filter)) return filter;
    const view = this.listView(opts);
    if (isStatus(view)) return view;
    const { snap, held, after } = view;
    // resourceVersion=0 is served from the cache, where limit is ignored (cacher.go computeListLimit).
    const limit = opts.resourceVersion === '0' ? undefined : opts.limit;
    const coll = { cluster: scope.cluster, group: rt.group, resource: rt.resource, namespace: rt.namespaced ? namespace : undefined };
    const prefixLen = `${scope.cluster}/${rt.group}/${rt.resource}/`.length + (coll.namespace !== undefined ? coll.namespace.length + 1 : 0);
    let result: ListResult;
    if (!filter.selective) {
      // Counting what is left costs a scan: do it on the first page only and carry the position.
      const total = view.pos !== undefined ? this.snapshots.total(snap.rv, coll) : undefined;
      const page = this.store.list(coll, { after, limit, countRemaining: total === undefined }, snap);
      const items = page.entries.map((e) => e.bytes);
      const pos = (view.pos ?? 0) + items.length;
      const remaining = total !== undefined ? total - pos : page.remaining;
      result = limit && items.length >= limit && remaining > 0
        ? { items, rv: snap.rv, continue: encodeContinue({ rv: snap.rv, start: page.entries[page.entries.length - 1].key.slice(prefixLen), pos }), remainingItemCount: remaining }
        : { items, rv: snap.rv };
      if (result.continue && total === undefined) this.snapshots.setTotal(snap.rv, coll, pos + remaining);
    } else {
      const page = this.store.list(coll, { after }, snap);
      const items: Buffer[] = [];
      let lastKey = '';
      let more = false;
      for (const e of page.entries) {
        if (!filter.matches(JSON.parse(e.bytes.toString('utf8')) as KubeObject)) continue;
        if (limit && items.length >= limit) { more = true; break; }
        items.push(e.bytes);
        lastKey = e.key;
      }
      result = more ? { items, rv: snap.rv, continue: encodeContinue({ rv: snap.rv, start: lastKey.slice(prefixLen) }) } : { items, rv: snap.rv };
    }
    if (result.continue) this.snapshots.hold(snap);
    else if (!held) snap.release();
    return result;
  }

  /** The snapshot a list reads (apiserver's resourceVersion semantics), and where to start. */
  private listView(opts: ListOptions): { snap: Snapshot; held: boolean; after?: string; pos?: number } | Status {
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      if (isStatus(token)) return token;
      const snap = this.snapshots.get(token.rv);
      if (!snap) {
        const fresh = encodeContinue({ rv: this.store.currentRV, start: token.start });
        return new Status(410, 'Expired', CONTINUE_EXPIRED, undefined, fresh);
      }
      return { snap, held: true, after: token.start, pos: token.pos };
    }
    const rvText = opts.resourceVersion ?? '';
    if (rvText === '' || rvText === '0') return this.snapshots.current();
    const rv = parseResourceVersion(rvText);
    if (isStatus(rv)) return rv;
    // Exact, or the legacy resourceVersion+limit form, reads the state at exactly rv.
    const exact = opts.resourceVersionMatch === 'Exact' || (!opts.resourceVersionMatch && !!opts.limit);
    const cur = this.snapshots.current();
    if (!exact || cur.snap.rv === rv) return cur;
    const held = this.snapshots.get(rv);
    if (!cur.held) cur.snap.release();
    if (held) return { snap: held, held: true };
    return expired('The resourceVersion for the provided list is too old.');
  }

  /**
   * Waits until the store has reached resourceVersion `rv`, as the cacher waits for a list or
   * watch at a future resourceVersion; a 504 "Too large resource version" when `ms` pass first.
   */
  async waitForResourceVersion(rv: number, ms: number): Promise<Status | undefined> {
    const deadline = this.clock.now() + ms;
    while (this.store.currentRV < rv) {
      if (this.clock.now() >= deadline) {
        return new Status(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${this.store.currentRV}`, {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
        });
      }
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 10));
    }
    return undefined;
  }

  watch(scope: RequestScope, rt: ResourceType, namespace: string | undefined, opts: WatchOptions, sink: WatchStartSink): WatchStart | Status {
    const bad = validateListOptions(opts, true);
    if (bad) return bad;
    const filter = this.filter(rt, namespace, opts);
    if (isStatus(filter)) return filter;
    const coll = { cluster: scope.cluster, group: rt.group, resource: rt.resource, namespace: rt.namespaced ? namespace : undefined };
    const rvText = opts.resourceVersion ?? '';
    let fromRV: number;
    // RV unset or 0 starts with the current state as ADDED events; 1.32's WatchList gate makes
    // that the sendInitialEvents protocol.
    const initial = rvText === '' || rvText === '0' || opts.sendInitialEvents === true;
    if (initial) {
      const page = this.store.list(coll);
      for (const e of page.entries) {
        if (filter.selective && !filter.matches(JSON.parse(e.bytes.toString('utf8')) as KubeObject)) continue;
        sink.deliver({ type: 'ADDED', bytes: e.bytes, rv: e.rv });
      }
      fromRV = page.rv;
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) sink.initialEventsEnd(fromRV);
    } else {
      const rv = parseResourceVersion(rvText);
      if (isStatus(rv)) return rv;
      fromRV = rv;
    }
    const watcher = this.watchCache.watch(coll, fromRV, filter, sink);
    if (isStatus(watcher)) return watcher;
    return { watcher, bookmarkRV: () => Math.max(fromRV, this.store.currentRV) };
  }

  async create(scope: RequestScope, rt: ResourceType, namespace: string, body: unknown, opts: WriteOptions): Promise<WriteResult | Status> {
    const strategy = strategyOf(rt);
    const decoded = this.decode(rt, strategy, body, opts);
    if (isStatus(decoded)) return decoded;
    const { warnings } = decoded;
    // The field manager sees the object as the client sent it, before the strategy adds to it.
    const obj = this.track(rt, '', undefined, decoded.obj, opts);
    const meta = obj.metadata;
    const ns = this.checkNamespace(rt, namespace, meta.namespace);
    if (isStatus(ns)) return ns;
    if (rt.namespaced) meta.namespace = namespace;
    const admitted = this.admitNamespace(scope, rt, namespace, meta.name ?? '');
    if (admitted) return admitted;

    const now = rfc3339(this.clock.now());
    meta.uid = randomUUID();
    meta.creationTimestamp = now;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (strategy.tracksGeneration) meta.generation = 1; else delete meta.generation;
    if (rt.subresources.some((s) => s.name === 'status')) delete obj.status;
    const generated = !meta.name && !!meta.generateName;
    for (let attempt = 0; ; attempt++) {
      if (generated) meta.name = generateName(meta.generateName as string, () => this.rng.next());
      strategy.prepareForCreate(obj);
      const inFlight = strategy.allocate ? this.inFlight(scope, rt) : undefined;
      if (strategy.allocate && inFlight && attempt === 0) {
        const stored = this.store.list({ cluster: scope.cluster, group: rt.group, resource: rt.resource }).entries
          .map((e) => JSON.parse(e.bytes.toString('utf8')) as KubeObject);
        const allocErrs = strategy.allocate(obj, [...stored, ...inFlight], this.rng);
        if (allocErrs.length) return invalid(rt.kind, rt.group, meta.name ?? '', allocErrs);
      }
      const errs = this.validate(rt, strategy, obj);
      if (errs.length) return invalid(rt.kind, rt.group, meta.name ?? meta.generateName ?? '', errs);
      const name = meta.name as string;
      const canonical = canonicalize(obj);
      const json = Buffer.from(JSON.stringify(canonical));
      const tooBig = checkSize(json);
      if (tooBig) return tooBig;
      if (opts.dryRun) return { bytes: json, created: true, warnings };
      inFlight?.add(canonical);
      const res = await this.store.create(this.key(scope, rt, namespace, name), canonical)
        .finally(() => inFlight && this.settleInFlight(scope, rt, canonical));
      if (isStatus(res)) return res;
      if (res !== 'exists') return { bytes: res.bytes, created: true, warnings };
      if (!generated) return alreadyExists(rt, name);
      if (attempt + 1 >= GENERATE_NAME_RETRIES) {
        const s = alreadyExists(rt, name);
        return new Status(s.code, s.reason, `${s.message}, the server was not able to generate a unique name for the object`, s.details);
      }
    }
  }

  async update(scope: RequestScope, rt: ResourceType, namespace: string, name: string, subresource: string, body: unknown, opts: WriteOptions): Promise<WriteResult | Status> {
    if (subresource === 'scale') return this.updateScale(scope, rt, namespace, name, body, opts);
    const strategy = strategyOf(rt);
    const decoded = this.decode(rt, strategy, body, opts);
    if (isStatus(decoded)) return decoded;
    const { obj, warnings } = decoded;
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      return badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    const ns = this.checkNamespace(rt, namespace, obj.metadata.namespace);
    if (isStatus(ns)) return ns;
    obj.metadata.name = name;
    const key = this.key(scope, rt, namespace, name);
    const wantedRV = obj.metadata.resourceVersion;
    for (;;) {
      const cur = this.store.get(key);
      if (!cur) {
        if (!strategy.allowCreateOnUpdate || subresource) return notFound(rt, name);
        delete obj.metadata.resourceVersion;
        return this.create(scope, rt, namespace, obj, opts);
      }
      if (wantedRV && wantedRV !== String(cur.rv)) return conflict(rt, name, OPTIMISTIC_LOCK_MESSAGE);
      const old = JSON.parse(cur.bytes.toString('utf8')) as KubeObject;
      const next = this.prepareUpdate(rt, strategy, subresource, this.track(rt, subresource, old, structuredClone(obj), opts), old);
      if (isStatus(next)) return next;
      const errs = this.validate(rt, strategy, next);
      if (errs.length) return invalid(rt.kind, rt.group, name, errs);
      const canonical = canonicalize(next);
      canonical.metadata.resourceVersion = String(cur.rv);
      // A write that changes nothing is not a write: no new resourceVersion, no event.
      if (isDeepStrictEqual(canonical, old)) return { bytes: cur.bytes, created: false, warnings };
      const bytes = Buffer.from(JSON.stringify(canonical));
      const tooBig = checkSize(bytes);
      if (tooBig) return tooBig;
      if (opts.dryRun) return { bytes, created: false, warnings };
      const finished = isDeleting(canonical) && !hasFinalizers(rt, canonical);
      const res = finished
        ? await this.store.remove(key, cur.rv, canonical)
        : await this.store.update(key, cur.rv, canonical, old);
      if (isStatus(res)) return res;
      if (res !== 'conflict') return { bytes: res.bytes, created: false, warnings };
      if (wantedRV) return conflict(rt, name, OPTIMISTIC_LOCK_MESSAGE);
    }
  }

  /**
   * PATCH: read, mutate the current object (or its Scale), write the result at the version read.
   * A lost race is retried unless the patched object names another resourceVersion, which is
   * then the client's precondition (patch.go's conflict retries).
   */
  async patch(scope: RequestScope, rt: ResourceType, namespace: string, name: string, subresource: string, mutate: PatchFn, opts: PatchOptions): Promise<WriteResult | Status> {
    const key = this.key(scope, rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const cur = this.store.get(key);
      if (!cur) {
        if (!opts.createIfMissing || subresource) return notFound(rt, name);
        const made = mutate(undefined);
        if (isStatus(made)) return made;
        const res = await this.create(scope, rt, namespace, made, opts);
        if (isStatus(res) && res.reason === 'AlreadyExists' && attempt < PATCH_CONFLICT_RETRIES) continue;
        return res;
      }
      const old = JSON.parse(cur.bytes.toString('utf8')) as KubeObject;
      const patched = mutate(subresource === 'scale' ? scaleOf(rt, old) : old);
      if (isStatus(patched)) return patched;
      if (!isPlainObject(patched.metadata)) return badRequest('the patch removed the object metadata');
      const next = subresource === 'scale' ? withScale(rt, old, patched) : patched;
      if (isStatus(next)) return next;
      const meta = next.metadata as { resourceVersion?: unknown };
      if (meta.resourceVersion === undefined || meta.resourceVersion === '') meta.resourceVersion = String(cur.rv);
      const ours = meta.resourceVersion === String(cur.rv);
      const res = await this.update(scope, rt, namespace, name, subresource === 'scale' ? '' : subresource, next, opts);
      if (isStatus(res) && res.code === 409 && res.reason === 'Conflict' && ours && attempt < PATCH_RACE_RETRIES) continue;
      if (isStatus(res) || subresource !== 'scale') return res;
      return { ...res, bytes: Buffer.from(JSON.stringify(scaleOf(rt, JSON.parse(res.bytes.toString('utf8')) as KubeObject))) };
    }
  }

  /** GET of the scale subresource. */
  getScale(scope: RequestScope, rt: ResourceType, namespace: string, name: string): Buffer | Status {
    const e = this.get(scope, rt, namespace, name);
    if (isStatus(e)) return e;
    return Buffer.from(JSON.stringify(scaleOf(rt, JSON.parse(e.bytes.toString('utf8')) as KubeObject)));
  }

  private async updateScale(scope: RequestScope, rt: ResourceType, namespace: string, name: string, body: unknown, opts: WriteOptions): Promise<WriteResult | Status> {
    const cur = this.get(scope, rt, namespace, name);
    if (isStatus(cur)) return cur;
    const next = withScale(rt, JSON.parse(cur.bytes.toString('utf8')) as KubeObject, body);
    if (isStatus(next)) return next;
    const res = await this.update(scope, rt, namespace, name, '', next, opts);
    if (isStatus(res)) return res;
    return { ...res, bytes: Buffer.from(JSON.stringify(scaleOf(rt, JSON.parse(res.bytes.toString('utf8')) as KubeObject))) };
  }

  async delete(scope: RequestScope, rt: ResourceType, namespace: string, name: string, opts: DeleteOptions): Promise<DeleteResult | Status> {
    const strategy = strategyOf(rt);
    const policy = opts.propagationPolicy;
    if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      return invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', value: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' }]);
    }
    if (rt.group === '' && rt.resource === 'namespaces' && UNDELETABLE_NAMESPACES.has(name)) {
      return forbidden(rt, name, 'this namespace may not be deleted');
    }
    const key = this.key(scope, rt, namespace, name);
    for (;;) {
      const cur = this.store.get(key);
      if (!cur) return notFound(rt, name);
      const obj = JSON.parse(cur.bytes.toString('utf8')) as KubeObject;
      const uid = obj.metadata.uid ?? '';
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== uid) {
        return conflict(rt, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== String(cur.rv)) {
        return conflict(rt, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.rv}`);
      }
      const finalizer = policy === 'Foreground' ? 'foregroundDeletion' : policy === 'Orphan' ? 'orphan' : strategy.deleteFinalizer;
      if (finalizer || hasFinalizers(rt, obj)) {
        if (isDeleting(obj) && rt.resource === 'namespaces' && rt.group === '') {
          return conflict(rt, name, 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');
        }
        const next = structuredClone(obj);
        next.metadata.deletionTimestamp ??= rfc3339(this.clock.now());
        next.metadata.deletionGracePeriodSeconds ??= 0;
        if (finalizer && !next.metadata.finalizers?.includes(finalizer)) {
          next.metadata.finalizers = [...(next.metadata.finalizers ?? []), finalizer];
        }
        if (rt.resource === 'namespaces' && rt.group === '') next.status = { ...(next.status as object), phase: 'Terminating' };
        const canonical = canonicalize(next);
        if (opts.dryRun) return { object: Buffer.from(JSON.stringify(canonical)), uid };
        if (isDeleting(obj) && canonical.metadata.finalizers?.length === obj.metadata.finalizers?.length) {
          return { object: cur.bytes, uid };
        }
        const res = await this.store.update(key, cur.rv, canonical, obj);
        if (res === 'conflict') continue;
        if (isStatus(res)) return res;
        return { object: res.bytes, uid };
      }
      if (opts.dryRun) return { object: strategy.returnDeletedObject ? cur.bytes : undefined, uid };
      const res = await this.store.remove(key, cur.rv, obj);
      if (res === 'conflict') continue;
      return { object: strategy.returnDeletedObject ? res.bytes : undefined, uid };
    }
  }

  async deleteCollection(scope: RequestScope, rt: ResourceType, namespace: string | undefined, list: ListOptions, opts: DeleteOptions): Promise<ListResult | Status> {
    const page = this.list(scope, rt, namespace, { labelSelector: list.labelSelector, fieldSelector: list.fieldSelector });
    if (isStatus(page)) return page;
    const deleted: Buffer[] = [];
    for (const bytes of page.items) {
      const meta = (JSON.parse(bytes.toString('utf8')) as KubeObject).metadata;
      const res = await this.delete(scope, rt, meta.namespace ?? '', meta.name ?? '', opts);
      if (isStatus(res)) {
        if (res.code === 404) continue;
        return res;
      }
      deleted.push(res.object ?? bytes);
    }
    return { items: deleted, rv: this.store.currentRV };
  }

  /** managedFields after a non-apply write by opts.fieldManager (apply has done its own). */
  private track(rt: ResourceType, subresource: string, old: KubeObject | undefined, obj: KubeObject, opts: PatchOptions): KubeObject {
    if (opts.fieldManager === undefined || opts.apply) return obj;
    return recordUpdate(old, obj, {
      manager: opts.fieldManager, apiVersion: apiVersionOf(rt.group, rt.version), kind: rt.kind, schema: schemaOf(rt),
      subresource: subresource || undefined, now: this.clock.now(), resetFields: resetFieldsOf(rt, subresource),
    });
  }

  private inFlight(scope: RequestScope, rt: ResourceType): Set<KubeObject> {
    const id = `${scope.cluster}/${rt.group}/${rt.resource}`;
    let set = this.allocating.get(id);
    if (!set) {
      set = new Set();
      this.allocating.set(id, set);
    }
    return set;
  }

  private settleInFlight(scope: RequestScope, rt: ResourceType, obj: KubeObject): void {
    const id = `${scope.cluster}/${rt.group}/${rt.resource}`;
    const set = this.allocating.get(id);
    set?.delete(obj);
    if (set?.size === 0) this.allocating.delete(id);
  }

  private key(scope: RequestScope, rt: ResourceType, namespace: string, name: string): ObjectKey {
    return { cluster: scope.cluster, group: rt.group, resource: rt.resource, namespace: rt.namespaced ? namespace : '', name };
  }

  private decode(rt: ResourceType, strategy: Strategy, body: unknown, opts: WriteOptions): { obj: KubeObject; warnings?: string[] } | Status {
    if (!isPlainObject(body)) return badRequest(`the body of the request was not a JSON object`);
    // Bodies were checked when decoded; this catches what a patch built from checked parts. The
    // managedFields kemu itself derived from the object nest a few levels deeper than it does.
    const ownMeta = isPlainObject(body.metadata) ? { ...body.metadata, managedFields: undefined } : body.metadata;
    const bad = limitViolation({ ...body, metadata: ownMeta }, DEFAULTS.maxNestingDepth);
    if (bad) return badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${violationText(bad, undefined, 'json', DEFAULTS.maxNestingDepth)}`);
    const want = apiVersionOf(rt.group, rt.version);
    const apiVersion = body.apiVersion ?? want;
    if (typeof apiVersion !== 'string' || apiVersion !== want) {
      return badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${want})`);
    }
    const kind = body.kind ?? rt.kind;
    if (kind !== rt.kind) {
      return badRequest(`${String(kind)} in version "${rt.version}" cannot be handled as a ${rt.kind}: converting (${rt.version}.${String(kind)}) to (${rt.group || 'core'}.${rt.kind}): unknown conversion`);
    }
    const meta = body.metadata ?? {};
    if (!isPlainObject(meta)) return badRequest('metadata must be an object');
    const obj = { ...body, kind: rt.kind, apiVersion: want, metadata: { ...meta } } as KubeObject;
    applyDefaults(rt.group, rt.resource, obj);
    const unknown = strategy.normalize?.(obj) ?? [];
    if (unknown.length === 0 || opts.fieldValidation === 'Ignore') return { obj };
    const texts = unknown.map((path) => `unknown field "${path}"`);
    // fieldValidation=Strict fails the request; Warn (the default) answers with Warning headers.
    if (opts.fieldValidation === 'Strict') return badRequest(`strict decoding error: ${texts.join(', ')}`);
    return { obj, warnings: texts };
  }

  private checkNamespace(rt: ResourceType, urlNamespace: string, bodyNamespace: unknown): Status | undefined {
    if (rt.namespaced && bodyNamespace !== undefined && bodyNamespace !== '' && bodyNamespace !== urlNamespace) {
      return badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    return undefined;
  }

  /** The NamespaceLifecycle admission plugin: no content in a missing or terminating namespace. */
  private admitNamespace(scope: RequestScope, rt: ResourceType, namespace: string, name: string): Status | undefined {
    if (!rt.namespaced) return undefined;
    const nsRes = { group: '', resource: 'namespaces' };
    const ns = this.store.get({ cluster: scope.cluster, ...nsRes, namespace: '', name: namespace });
    if (!ns) return notFound(nsRes, namespace);
    const obj = JSON.parse(ns.bytes.toString('utf8')) as KubeObject;
    if (isDeleting(obj)) {
      return forbidden(rt, name, `unable to create new content in namespace ${namespace} because it is being terminated`,
        [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }]);
    }
    return undefined;
  }

  private validate(rt: ResourceType, strategy: Strategy, obj: KubeObject): FieldError[] {
    return [...validateObjectMeta(obj.metadata, { namespaced: rt.namespaced, nameRule: strategy.nameRule }), ...strategy.validate(obj)];
  }

  private prepareUpdate(rt: ResourceType, strategy: Strategy, subresource: string, obj: KubeObject, old: KubeObject): KubeObject | Status {
    const hasStatus = rt.subresources.some((s) => s.name === 'status');
    let next: KubeObject;
    if (subresource === 'status') {
      // Writes to /status change only .status (and metadata a controller may touch).
      next = structuredClone(old);
      if (obj.status === undefined) delete next.status; else next.status = obj.status;
      if (obj.metadata.managedFields !== undefined) next.metadata.managedFields = obj.metadata.managedFields;
      if (strategy.statusKeepsAnnotations) {
        if (obj.metadata.annotations === undefined) delete next.metadata.annotations; else next.metadata.annotations = obj.metadata.annotations;
      }
    } else if (subresource === 'finalize' && rt.resource === 'namespaces') {
      next = structuredClone(old);
      next.spec = { ...(old.spec as object), finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] };
    } else if (subresource) {
      return internalError(`subresource ${subresource} is not writable here`);
    } else {
      next = obj;
      if (hasStatus) {
        if (old.status === undefined) delete next.status; else next.status = old.status;
      }
      const m = next.metadata;
      const o = old.metadata;
      m.uid = o.uid;
      m.creationTimestamp = o.creationTimestamp;
      m.namespace = o.namespace;
      if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp; else delete m.deletionTimestamp;
      if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
      else delete m.deletionGracePeriodSeconds;
      if (strategy.tracksGeneration) {
        m.generation = (o.generation ?? 1) + (specChanged(next, old) ? 1 : 0);
      } else if (o.generation !== undefined) {
        m.generation = o.generation;
      } else {
        delete m.generation;
      }
      strategy.prepareForUpdate(next, old);
      if (isDeleting(old)) {
        const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
        if (added.length) {
          return invalid(rt.kind, rt.group, o.name ?? '', [{ type: 'FieldValueForbidden', field: 'metadata.finalizers',
            detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
        }
      }
    }
    if (next.metadata.finalizers && next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    return next;
  }

  private filter(rt: ResourceType, namespace: string | undefined, opts: ListOptions): (WatchFilter & { selective: boolean; matches(obj: KubeObject): boolean }) | Status {
    const labels = parseLabelSelector(opts.labelSelector ?? '');
    if (isStatus(labels)) return labels;
    const fields = parseFieldSelector(opts.fieldSelector ?? '');
    if (isStatus(fields)) return fields;
    if (!fields.empty) {
      const unsupported = validateFieldSelectorFor(fields, rt.group, rt.resource);
      if (unsupported) return unsupported;
    }
    const selective = !labels.empty || !fields.empty;
    return {
      namespace: rt.namespaced ? namespace : undefined,
      selective,
      matches: (obj: KubeObject) => labels.matches(obj.metadata.labels) && (fields.empty || fields.matches(fieldsOf(rt.group, rt.resource, obj))),
      matchesView: (v) => labels.matches(v.labels) && (fields.empty || fields.matches(v.fields)),
    };
  }
}

function strategyOf(rt: ResourceType): Strategy {
  return rt.custom ? customResourceStrategy(rt) : strategyFor(rt.group, rt.resource);
}

function isDeleting(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

function hasFinalizers(rt: ResourceType, obj: KubeObject): boolean {
  if (obj.metadata.finalizers?.length) return true;
  if (rt.group === '' && rt.resource === 'namespaces') {
    return !!(obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length;
  }
  return false;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = ({ metadata: _m, status: _s, ...rest }: KubeObject) => rest;
  return !isDeepStrictEqual(strip(a), strip(b));
}

function checkSize(json: Buffer): Status | undefined {
  if (json.length > MAX_STORED_BYTES) return internalError('etcdserver: request is too large');
  return undefined;
}
