// Lists in the apply half of strategic merge patch (k8s.io/apimachinery strategicpatch, 1.32):
// merging by merge key or as a set, the `$patch` items, deletion lists and $setElementOrder.
//
// It mirrors one effect of Go slices sharing their array: deleting list items by merge key shifts
// the live list's array in place, and items the patch appends then land in the freed tail, which
// is what the $setElementOrder step later reads as "the live order" (upstream's own test "add map
// and delete map from merging list" expects the resulting order).
import type { Schema } from '../schema/schema.js';
import { DELETE, DIRECTIVE, extractKey, removeDirectives, SET_ELEMENT_ORDER } from './directives.js';
import {
  errBadArgType, errBadPatchFormatForSetElementOrderList, errBadPatchType, errNoMergeKey, internal, PatchError, type Result,
} from './errors.js';
import { goSprint } from './go-format.js';
import { mergeMap, type MergeOptions } from './merge.js';
import { fieldMeta, itemsOf, kindName, MERGE, REPLACE, type FieldMeta } from './meta.js';
import {
  dedupeScalars, extractToDeleteItems, findByKey, normalizeElementOrder, partition, sliceElementType,
} from './order.js';
import { deepEqual, has, isObj, type GoType, type Obj } from './values.js';

/**
 * $setElementOrder/<field>: merges <field> from the patch (if any) into the object's list, then
 * orders the result: listed items in the listed order, the object's other items where the live
 * order puts them. The client side also copies the directive into `original`.
 */
export function mergeOrderedLists(original: Obj, patch: Obj, schema: Schema, opts: MergeOptions): PatchError | undefined {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    if (!opts.mergeParallelList) {
      if (!has(original, key)) original[key] = order;
      else if (!deepEqual(original[key], order)) return errBadPatchFormatForSetElementOrderList;
    }
    delete patch[key];
    if (!Array.isArray(order)) return errBadArgType('slice', order);
    const field = extractKey(key, SET_ELEMENT_ORDER, errBadPatchFormatForSetElementOrderList);
    if (field instanceof PatchError) return field;
    const inOriginal = has(original, field);
    const inPatch = has(patch, field);
    if (inOriginal && !Array.isArray(original[field])) return errBadArgType('slice', original[field]);
    if (inPatch && !Array.isArray(patch[field])) return errBadArgType('slice', patch[field]);
    const live = inOriginal ? original[field] as unknown[] : [];
    const patchList = inPatch ? patch[field] as unknown[] : [];
    const meta = fieldMeta(schema, field);
    const mismatch = validateAgainstOrder(patchList, order, meta.mergeKey);
    if (mismatch) return mismatch;
    if (!inOriginal && !inPatch) continue;
    let merged: Result<unknown[]>;
    if (!inPatch) merged = live;
    else if (!inOriginal) merged = removeDirectives(patchList).value as unknown[];
    else merged = mergeSliceHandler(live, patchList, meta, false, opts);
    if (merged instanceof PatchError) return merged;
    const parts = partition(merged, order, meta.mergeKey);
    if (parts instanceof PatchError) return parts;
    const kind = sliceElementType([live, patchList]);
    if (kind instanceof PatchError) return kind;
    const both = normalizeElementOrder(parts.named, parts.serverOnly, order, live, meta.mergeKey, kind);
    if (both instanceof PatchError) return both;
    original[field] = both;
    delete patch[field];
  }
  return undefined;
}

/** The patch list's items (deletions aside) must appear in the $setElementOrder list, in order. */
function validateAgainstOrder(
  patchList: readonly unknown[], order: readonly unknown[], mergeKey: string,
): PatchError | undefined {
  if (order.length === 0 || patchList.length === 0) return undefined;
  let items: readonly unknown[] = patchList;
  if (mergeKey !== '') {
    const split = extractToDeleteItems(patchList);
    if (split instanceof PatchError) return split;
    items = split.keep;
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObj(item) && has(item, DIRECTIVE)) {
      p++;
      continue;
    }
    const same = sameMergeKey(item, order[o], mergeKey);
    if (same instanceof PatchError) return same;
    if (same) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    return internal(`The order in patch list:\n${goSprint(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goSprint(order)}\n`);
  }
  return undefined;
}

function sameMergeKey(left: unknown, right: unknown, mergeKey: string): Result<boolean> {
  if (mergeKey === '') return left === right;
  if (!isObj(left)) return errBadArgType('map', left);
  if (!isObj(right)) return errBadArgType('map', right);
  if (!has(left, mergeKey)) return errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) return errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** Lists merge only under strategy merge (or as a deletion list); otherwise the patch replaces. */
export function mergeSliceHandler(
  live: unknown[], patchList: unknown[], meta: FieldMeta, isDeleteList: boolean, opts: MergeOptions,
): Result<unknown[]> {
  if (meta.strategy !== MERGE && !isDeleteList) return patchList;
  if (live.length === 0 && patchList.length === 0) return live;
  const kind = sliceElementType([live, patchList]);
  if (kind instanceof PatchError) return kind;
  const items = itemsOf(meta.schema);
  if (kind !== 'map') {
    if (opts.mergeParallelList && isDeleteList) {
      const gone = new Set(patchList);
      return live.filter((v) => !gone.has(v));
    }
    return ordered(dedupeScalars([...live, ...patchList]), patchList, live, meta.mergeKey, kind);
  }
  if (meta.mergeKey === '') return internal(`cannot merge lists without merge key for ${kindName(items)}`);
  const m = mergeMapItems(live, patchList, items, meta.mergeKey, opts);
  if (m instanceof PatchError) return m;
  return ordered(m.merged, m.patch, m.serverOrder, meta.mergeKey, kind);
}

function ordered(
  merged: unknown[], patchList: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: GoType,
): Result<unknown[]> {
  const parts = partition(merged, patchList, mergeKey);
  if (parts instanceof PatchError) return parts;
  return normalizeElementOrder(parts.named, parts.serverOnly, patchList, serverOrder, mergeKey, kind);
}

interface MapItemsMerge {
  readonly merged: unknown[];
  /** The patch items without directives, which set the order of the items they name. */
  readonly patch: unknown[];
  /** The live items left after deletions, whose order the other items keep. */
  readonly serverOrder: unknown[];
}

/**
 * Merges a list of maps by merge key: `$patch: delete` items remove every live item with their
 * key, a `$patch: replace` item makes the patch's other items the whole list, and the rest merge
 * into the live item with the same key or are appended. `live` is changed in place the way Go's
 * shared slice array is (length kept, items shifted left by deletions, appends filling the tail).
 */
function mergeMapItems(
  live: unknown[], patchList: unknown[], items: Schema, mergeKey: string, opts: MergeOptions,
): Result<MapItemsMerge> {
  const plain: unknown[] = [];
  let replace = false;
  let len = live.length;
  for (const v of patchList) {
    const item = v as Obj;
    if (!has(item, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === DELETE) {
      if (!has(item, mergeKey)) return errNoMergeKey(item, mergeKey);
      for (;;) {
        const at = findByKey(live.slice(0, len), mergeKey, item[mergeKey]);
        if (at instanceof PatchError) return at;
        if (at < 0) break;
        live.copyWithin(at, at + 1, len);
        len--;
      }
    } else if (directive === REPLACE) {
      replace = true;
    } else if (directive === MERGE) {
      return internal('merging lists cannot yet be specified in the patch');
    } else {
      return errBadPatchType(directive, item);
    }
  }
  if (replace) return { merged: plain, patch: [], serverOrder: plain };
  const kept = len;
  let arr = live;
  for (const v of plain) {
    const item = v as Obj;
    if (!has(item, mergeKey)) return errNoMergeKey(item, mergeKey);
    const at = findByKey(arr.slice(0, len), mergeKey, item[mergeKey]);
    if (at instanceof PatchError) return at;
    if (at >= 0) {
      const m = mergeMap(arr[at] as Obj, item, items, opts);
      if (m instanceof PatchError) return m;
      arr[at] = m;
    } else {
      // A full array is copied before growing, as append does; until then appends fill live's tail.
      if (arr === live && len === live.length) arr = live.slice(0, len);
      arr[len++] = v;
    }
  }
  return { merged: arr.slice(0, len), patch: plain, serverOrder: live.slice(0, kept) };
}
