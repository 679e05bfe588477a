// The fieldmanager of kube-apiserver 1.32 (k8s.io/apimachinery/pkg/util/managedfields): server-side
// apply, and managedFields tracking of every other write. Upstream stacks small managers, outermost
// first: version check, last-applied updater and manager (kubectl's client-side-apply
// upgrade), skip-non-applied (`before-first-apply`), cap managers (`ancient-changes`), build
// manager info, managed-fields updater (times), strip meta, structured merge. The same steps run
// here in the same order, as plain functions over values.

import { rfc3339 } from '../clock.js';
import type { KubeObject } from '../object.js';
import type { Schema } from '../schema/schema.js';
import { badRequest, Status } from '../status.js';
import { conflictStatus } from './conflict.js';
import { prepareType } from './facts.js';
import { valueFieldSet } from './fieldset.js';
import { allowedConflicts, KUBECTL_MANAGER, lastAppliedOf, refreshLastApplied } from './lastapplied.js';
import {
  decodeManagedFields, emptyManaged, encodeManagedFields, isResetManagedFields, managerId, type Managed,
} from './managed.js';
import { fieldPE } from './path.js';
import { FieldSet, setOf } from './set.js';
import { applyManagers, Conflicts, updateManagers, type Managers, type UpdaterContext } from './updater.js';
import { validate } from './validate.js';
import { compareStrings, isObject, type JsonObject } from './value.js';

export interface ManagedFieldsOptions {
  /** The fieldManager, or for writes without one managerFromUserAgent(); '' becomes `unknown`. */
  readonly manager: string;
  /** The request's group/version: `apps/v1`, `v1`. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: Schema;
  /** `status` for writes to the status subresource. */
  readonly subresource?: string;
  /** The write's time, ms since the epoch. */
  readonly now: number;
  /** The strategy's reset fields for this (sub)resource, as field-name paths: [['status']]. */
  readonly resetFields?: readonly (readonly string[])[];
}

export interface ApplyOptions extends ManagedFieldsOptions {
  readonly force: boolean;
}

// DefaultMaxUpdateManagers in managedfields/internal/fieldmanager.go.
const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';
const BEFORE_FIRST_APPLY = 'before-first-apply';
// The name managedFieldsUpdater runs an update under, to see whether it changed anything.
const CURRENT_OPERATION = 'current-operation';

// stripmeta.go: fields no manager ever owns.
const STRIPPED = setOf(
  [fieldPE('apiVersion')], [fieldPE('kind')], [fieldPE('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => [fieldPE('metadata'), fieldPE(f)]),
);

interface Call {
  readonly ctx: UpdaterContext;
  readonly opts: ManagedFieldsOptions;
  /** The kind's Go zero value: the object before a create. */
  readonly zero: JsonObject;
}

function prepare(opts: ManagedFieldsOptions): Call {
  const slash = opts.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : opts.apiVersion.slice(0, slash);
  const version = opts.apiVersion.slice(slash + 1);
  const zero = prepareType(opts.schema, group, version, opts.kind);
  const ignored = opts.resetFields && opts.resetFields.length > 0 ? setOf(...opts.resetFields.map((p) => p.map(fieldPE))) : undefined;
  return { ctx: { schema: opts.schema, apiVersion: opts.apiVersion, ignored, zero }, opts, zero };
}

/** The object without metadata.managedFields, which no comparison or merge should see. */
function withoutManagedFields(obj: JsonObject): JsonObject {
  const meta = obj.metadata;
  if (!isObject(meta) || !('managedFields' in meta)) return obj;
  const { managedFields: _, ...rest } = meta;
  return { ...obj, metadata: rest };
}

function withManaged(obj: JsonObject, managed: Managed): KubeObject {
  const entries = encodeManagedFields(managed);
  const meta = isObject(obj.metadata) ? { ...obj.metadata } : {};
  if (entries) meta.managedFields = entries;
  else delete meta.managedFields;
  return { ...obj, metadata: meta };
}

function stripMeta(fields: Managers, id: string): void {
  const vs = fields.get(id);
  if (!vs) return;
  const set = vs.set.difference(STRIPPED);
  if (set.empty()) fields.delete(id);
  else fields.set(id, { ...vs, set });
}

/** capManagersManager: the oldest updaters beyond ten merge into one `ancient-changes` per version. */
function capManagers(managed: Managed): Managed {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return managed;
  const seconds = (id: string): number => {
    const t = managed.times.get(id);
    return t === undefined ? 0 : Math.floor(Date.parse(t) / 1000);
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || compareStrings(a, b));
  const fields = new Map(managed.fields);
  const times = new Map(managed.times);
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i];
    const vs = fields.get(id);
    if (!vs) continue;
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    const bucket = managerId({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: vs.apiVersion });
    let bucketSet = fields.get(bucket)?.set;
    if (bucketSet === undefined) {
      bucketSet = fields.get(first)?.set ?? new FieldSet();
      fields.delete(first);
    }
    fields.set(bucket, { set: vs.set.union(bucketSet), apiVersion: vs.apiVersion, applied: vs.applied });
    fields.delete(id);
    length--;
    const time = times.get(id);
    if (time !== undefined) times.set(bucket, time);
    else times.delete(bucket);
  }
  return { fields, times };
}

/** The update stack below skip-non-applied: cap, manager info, times, strip meta, structured merge. */
function updateStack(call: Call, live: JsonObject, next: JsonObject, managed: Managed, manager: string): Managed {
  const { opts } = call;
  const id = managerId({ manager: manager || 'unknown', operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
  const fields = updateManagers(call.ctx, live, next, managed.fields, CURRENT_OPERATION);
  stripMeta(fields, CURRENT_OPERATION);
  const times = new Map(managed.times);
  const vs = fields.get(CURRENT_OPERATION);
  if (vs) {
    fields.delete(CURRENT_OPERATION);
    const prev = fields.get(id);
    fields.set(id, prev ? { ...vs, set: vs.set.union(prev.set) } : vs);
    times.set(id, rfc3339(opts.now));
  }
  return capManagers({ fields, times });
}

/** decodeLiveOrNew: a client may set managedFields on a write, reset them, or leave them be. */
function managedOf(old: KubeObject | undefined, updated: KubeObject, isSubresource: boolean): Managed {
  const fromLive = (): Managed => {
    const m = decodeManagedFields(old?.metadata.managedFields);
    return typeof m === 'string' ? emptyManaged() : m;
  };
  if (isSubresource) return fromLive();
  if (isResetManagedFields(updated.metadata.managedFields)) return emptyManaged();
  const m = decodeManagedFields(updated.metadata.managedFields);
  return typeof m === 'string' || m.fields.size === 0 ? fromLive() : m;
}

/**
 * managedFields after a create (old undefined), update or non-apply patch: the writer owns what
 * it changed. Never fails; an object that has no managedFields is not tracked from an update.
 */
export function recordUpdate(old: KubeObject | undefined, updated: KubeObject, opts: ManagedFieldsOptions): KubeObject {
  const call = prepare(opts);
  const managed = managedOf(old, updated, Boolean(opts.subresource));
  const next = withoutManagedFields(updated);
  if (managed.fields.size === 0 && old !== undefined) return withManaged(next, managed);
  const live = old === undefined ? call.zero : withoutManagedFields(old);
  return withManaged(next, updateStack(call, live, next, managed, opts.manager));
}

/**
 * The fields an object specifies (ToFieldSet): what an apply of it would own. Its apiVersion and
 * kind name the type, whose list key defaults apply.
 */
export function fieldSetOf(obj: JsonObject, schema: Schema): FieldSet {
  const av = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = av.indexOf('/');
  if (typeof obj.kind === 'string') prepareType(schema, slash < 0 ? '' : av.slice(0, slash), av.slice(slash + 1), obj.kind);
  return valueFieldSet(obj, schema);
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const parts = av.split('/');
  if (parts.length > 2) return '/, Kind=';
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]];
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

function objectGVKNN(obj: JsonObject): string {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return `${str(meta.namespace)}/${str(meta.name)}; ${gvkString(obj.apiVersion, obj.kind)}`;
}

interface ApplyResult {
  readonly object: JsonObject;
  readonly managed: Managed;
}

/** The apply stack below last-applied: skip-non-applied down to the structured merge. */
function applyStack(call: Call, live: JsonObject | undefined, applied: JsonObject, managed: Managed, force: boolean): ApplyResult | Status | Conflicts {
  const { opts } = call;
  if (managed.fields.size === 0 && live !== undefined) managed = updateStack(call, call.zero, live, managed, BEFORE_FIRST_APPLY);
  const id = managerId({ manager: opts.manager || 'unknown', operation: 'Apply', subresource: opts.subresource });
  const meta = applied.metadata;
  if (isObject(meta) && Array.isArray(meta.managedFields)) return badRequest('metadata.managedFields must be nil');
  const invalid = validate(applied, opts.schema);
  if (invalid !== '') return new Status(500, '', `failed to create typed patch object (${objectGVKNN(applied)}): ${invalid}`);
  const r = applyManagers(call.ctx, live, applied, managed.fields, id, force);
  if (r instanceof Conflicts) return r;
  const fields = new Map(r.managers);
  stripMeta(fields, id);
  const times = new Map(managed.times);
  let object: JsonObject;
  if (r.object !== undefined && isObject(r.object)) {
    object = r.object;
    times.set(id, rfc3339(opts.now));
  } else {
    object = live ?? {};
  }
  return { object, managed: { fields, times } };
}

/**
 * Server-side apply of `applied` (parsed by parseApplyBody) to live, or to nothing for a
 * create. Returns the merged object with its managedFields, or the Status upstream answers.
 */
export function applyConfiguration(live: KubeObject | undefined, applied: JsonObject, opts: ApplyOptions): KubeObject | Status {
  const call = prepare(opts);
  let managed = emptyManaged();
  if (live !== undefined) {
    const m = decodeManagedFields(live.metadata.managedFields);
    if (typeof m === 'string') return new Status(500, '', `failed to decode managed fields: ${m}`);
    managed = m;
  }
  if (gvkString(applied.apiVersion, applied.kind) !== gvkString(opts.apiVersion, opts.kind)) {
    return badRequest(`invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`);
  }
  const liveObj = live === undefined ? undefined : withoutManagedFields(live);
  let r = applyStack(call, liveObj, applied, managed, opts.force);
  if (r instanceof Conflicts && opts.manager === KUBECTL_MANAGER && liveObj !== undefined) {
    const allowed = allowedConflicts(call.ctx, liveObj);
    if (allowed) {
      const rest = r.conflicts.filter((c) => !allowed.has(c.path));
      r = rest.length > 0 ? new Conflicts(rest) : applyStack(call, liveObj, applied, managed, true);
    }
  }
  if (r instanceof Conflicts) return conflictStatus(r.conflicts);
  if (r instanceof Status) return r;
  let object = r.object;
  if (opts.manager === KUBECTL_MANAGER && lastAppliedOf(object) !== '') object = refreshLastApplied(object, applied);
  return withManaged(object, r.managed);
}
