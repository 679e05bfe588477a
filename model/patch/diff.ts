// The diff half of strategic merge patch (k8s.io/apimachinery pkg/util/strategicpatch, 1.32):
// diffMaps computes the patch that turns `original` into `modified`, as kubectl builds it for
// `apply` and `edit`. Changed scalars and non-merging lists are sent whole, removed keys as null,
// merging lists item by item with `$patch: delete` for removed maps, a parallel
// $deleteFromPrimitiveList for removed scalars, $setElementOrder for the wanted order, and
// $retainKeys for retainKeys fields.
import type { Schema } from '../schema/schema.js';
import { DELETE, DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, RETAIN_KEYS, SET_ELEMENT_ORDER } from './directives.js';
import { errBadArgType, errNoMergeKey, internal, PatchError, type Result } from './errors.js';
import { goSprint } from './go-format.js';
import { fieldMeta, itemsOf, MERGE, REPLACE } from './meta.js';
import { dedupeScalars, normalizeSliceOrder, sliceElementType } from './order.js';
import { byteOrder, deepEqual, goType, has, isObj, type Obj } from './values.js';

export interface DiffOptions {
  /** Emit $setElementOrder lists for merging lists. */
  readonly setElementOrder: boolean;
  /** Leave out additions and changes (kubectl's deletions pass). */
  readonly ignoreChangesAndAdditions: boolean;
  /** Leave out deletions (kubectl's changes pass against the live object). */
  readonly ignoreDeletions: boolean;
  /** The map being diffed is a retainKeys field: list the keys to keep. */
  readonly buildRetainKeysDirective: boolean;
}

export function diffMaps(original: Obj, modified: Obj, schema: Schema, opts: DiffOptions): Result<Obj> {
  const patch: Obj = {};
  const retainKeys: string[] = [];
  for (const [key, modV] of Object.entries(modified)) {
    if (opts.buildRetainKeysDirective && modV !== null) retainKeys.push(key);
    if (!has(original, key)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modV;
      continue;
    }
    const origV = original[key];
    if (key === DIRECTIVE) {
      if (typeof origV !== 'string' || typeof modV !== 'string') return internal(`invalid value for special key: ${DIRECTIVE}`);
      if (origV !== modV) patch[key] = modV;
      continue;
    }
    const t = goType(origV);
    if (t !== goType(modV)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modV;
      continue;
    }
    const failed = t === 'map' ? diffMapField(key, origV as Obj, modV as Obj, patch, schema, opts)
      : t === 'slice' ? diffListField(key, origV as unknown[], modV as unknown[], patch, schema, opts)
        : replaceIfChanged(key, origV, modV, patch, opts);
    if (failed) return failed;
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!has(modified, key)) patch[key] = null;
  }
  // Only when there is something to send, or keys to clear that the patch does not mention.
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || clearsKeys(original, modified))) {
    patch[RETAIN_KEYS] = retainKeys.sort(byteOrder);
  }
  return patch;
}

function clearsKeys(original: Obj, modified: Obj): boolean {
  return Object.entries(original).some(([k, v]) => v !== null && !has(modified, k));
}

function replaceIfChanged(key: string, origV: unknown, modV: unknown, patch: Obj, opts: DiffOptions): undefined {
  if (!opts.ignoreChangesAndAdditions && !deepEqual(origV, modV)) patch[key] = modV;
  return undefined;
}

function diffMapField(
  key: string, origV: Obj, modV: Obj, patch: Obj, schema: Schema, opts: DiffOptions,
): PatchError | undefined {
  const meta = fieldMeta(schema, key);
  if (meta.strategy === REPLACE) {
    if (!opts.ignoreChangesAndAdditions) patch[key] = modV;
    return undefined;
  }
  const sub = diffMaps(origV, modV, meta.schema, { ...opts, buildRetainKeysDirective: meta.retainKeys });
  if (sub instanceof PatchError) return sub;
  if (Object.keys(sub).length > 0) patch[key] = sub;
  return undefined;
}

function diffListField(
  key: string, origV: unknown[], modV: unknown[], patch: Obj, schema: Schema, opts: DiffOptions,
): PatchError | undefined {
  const meta = fieldMeta(schema, key);
  if (meta.strategy !== MERGE) return replaceIfChanged(key, origV, modV, patch, opts);
  const d = diffLists(origV, modV, itemsOf(meta.schema), meta.mergeKey, { ...opts, buildRetainKeysDirective: meta.retainKeys });
  if (d instanceof PatchError) return d;
  if (d.patch.length > 0) patch[key] = d.patch;
  if (d.deletions.length > 0) patch[`${DELETE_FROM_PRIMITIVE_LIST}/${key}`] = d.deletions;
  if (d.order.length > 0) patch[`${SET_ELEMENT_ORDER}/${key}`] = d.order;
  return undefined;
}

interface ListDiff {
  readonly patch: unknown[];
  /** Scalars to remove ($deleteFromPrimitiveList). */
  readonly deletions: unknown[];
  /** The $setElementOrder list. */
  readonly order: unknown[];
}

function diffLists(original: unknown[], modified: unknown[], items: Schema, mergeKey: string, opts: DiffOptions): Result<ListDiff> {
  if (original.length === 0) {
    const added = modified.length === 0 || opts.ignoreChangesAndAdditions ? [] : modified;
    return { patch: added, deletions: [], order: [] };
  }
  const kind = sliceElementType([original, modified]);
  if (kind instanceof PatchError) return kind;
  if (kind === 'map') {
    const d = diffListsOfMaps(original, modified, items, mergeKey, opts);
    if (d instanceof PatchError) return d;
    const changed = normalizeSliceOrder(d.patch, modified, mergeKey, kind);
    if (changed instanceof PatchError) return changed;
    const sameOrder = isOrderSame(original, modified, mergeKey);
    if (sameOrder instanceof PatchError) return sameOrder;
    const patch = [...changed, ...d.deletions];
    const wantOrder = opts.setElementOrder
      && ((!opts.ignoreChangesAndAdditions && (patch.length > 0 || !sameOrder)) || (!opts.ignoreDeletions && patch.length > 0));
    const order = wantOrder ? modified.map((v) => ({ [mergeKey]: (v as Obj)[mergeKey] })) : [];
    return { patch, deletions: [], order };
  }
  const d = diffListsOfScalars(original, modified, opts);
  const added = normalizeSliceOrder(d.added, modified, mergeKey, kind);
  if (added instanceof PatchError) return added;
  // Upstream sorts `original` in place while diffing, so an unchanged list in another order
  // still counts as changed here and gets a $setElementOrder.
  const wantOrder = opts.setElementOrder
    && ((!opts.ignoreDeletions && d.deletions.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(d.sortedOriginal, modified)));
  return { patch: added, deletions: d.deletions, order: wantOrder ? modified : [] };
}

function isOrderSame(original: unknown[], modified: unknown[], mergeKey: string): Result<boolean> {
  if (original.length !== modified.length) return false;
  for (let i = 0; i < modified.length; i++) {
    const a = original[i];
    const b = modified[i];
    if (!isObj(a)) return errBadArgType('map', a);
    if (!isObj(b)) return errBadArgType('map', b);
    if (!has(a, mergeKey)) return errNoMergeKey(a, mergeKey);
    if (!has(b, mergeKey)) return errNoMergeKey(b, mergeKey);
    if (a[mergeKey] !== b[mergeKey]) return false;
  }
  return true;
}

/** Scalars sort and compare by their %v text, as upstream's sortScalars does. */
function byText(l: readonly unknown[]): unknown[] {
  return [...l].sort((a, b) => byteOrder(goSprint(a), goSprint(b)));
}

function diffListsOfScalars(
  original: unknown[], modified: unknown[], opts: DiffOptions,
): { added: unknown[]; deletions: unknown[]; sortedOriginal: unknown[] } {
  const orig = byText(original);
  const mod = byText(modified);
  const added: unknown[] = [];
  const deletions: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < orig.length || j < mod.length) {
    const c = i >= orig.length ? 1 : j >= mod.length ? -1 : byteOrder(goSprint(orig[i]), goSprint(mod[j]));
    if (c === 0) {
      i++;
      j++;
    } else if (c < 0) {
      if (!opts.ignoreDeletions) deletions.push(orig[i]);
      i++;
    } else {
      if (!opts.ignoreChangesAndAdditions) added.push(mod[j]);
      j++;
    }
  }
  return { added, deletions: dedupeScalars(deletions), sortedOriginal: orig };
}

/** Walks both lists sorted by the %v text of their merge keys, pairing items with equal keys. */
function diffListsOfMaps(
  original: unknown[], modified: unknown[], items: Schema, mergeKey: string, opts: DiffOptions,
): Result<{ patch: unknown[]; deletions: unknown[] }> {
  const orig = sortByMergeKey(original, mergeKey);
  const mod = sortByMergeKey(modified, mergeKey);
  const patch: unknown[] = [];
  const deletions: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < orig.length || j < mod.length) {
    const a = i < orig.length ? keyed(orig[i], mergeKey) : undefined;
    if (a instanceof PatchError) return a;
    const b = j < mod.length ? keyed(mod[j], mergeKey) : undefined;
    if (b instanceof PatchError) return b;
    const c = a === undefined ? 1 : b === undefined ? -1 : byteOrder(a.text, b.text);
    if (c === 0 && a && b) {
      const sub = diffMaps(a.item, b.item, items, opts);
      if (sub instanceof PatchError) return sub;
      if (Object.keys(sub).length > 0) {
        sub[mergeKey] = b.key;
        patch.push(sub);
      }
      i++;
      j++;
    } else if (c > 0 && b) {
      if (!opts.ignoreChangesAndAdditions) patch.push(b.item);
      j++;
    } else if (a) {
      if (!opts.ignoreDeletions) deletions.push({ [mergeKey]: a.key, [DIRECTIVE]: DELETE });
      i++;
    }
  }
  return { patch, deletions };
}

function keyed(v: unknown, mergeKey: string): Result<{ item: Obj; key: unknown; text: string }> {
  if (!isObj(v)) return errBadArgType('map', v);
  if (!has(v, mergeKey)) return errNoMergeKey(v, mergeKey);
  return { item: v, key: v[mergeKey], text: goSprint(v[mergeKey]) };
}

/** Items of a list of maps in the order of their merge keys' %v text (a missing key is <nil>). */
function sortByMergeKey(l: readonly unknown[], mergeKey: string): unknown[] {
  const text = (v: unknown): string => goSprint((v as Obj)[mergeKey]);
  return [...l].sort((a, b) => byteOrder(text(a), text(b)));
}
