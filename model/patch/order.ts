// Element order of merged lists, as strategicpatch 1.32 enforces it: items named by the patch
// (or its $setElementOrder list) keep the patch's order, items only the live object has keep
// theirs, and the two runs are interleaved by the live order where both are known. A patch item
// the live list does not have is placed before the live items still waiting (so `kubectl patch`
// adding a container puts it first, as the Kubernetes docs example shows).
import { DELETE, DIRECTIVE } from './directives.js';
import { errBadArgType, errNoListOfLists, errNoMergeKey, internal, type Result, PatchError } from './errors.js';
import { goSprint } from './go-format.js';
import { goType, has, isObj, type GoType } from './values.js';

/** What `==` compares for an item: its merge-key value (nil when absent), or the item itself. */
function identity(item: unknown, mergeKey: string, kind: GoType): unknown {
  if (kind !== 'map') return item;
  return isObj(item) && has(item, mergeKey) ? item[mergeKey] : null;
}

/** First position of each identity in `l`, for index() lookups in O(1). */
function positions(l: readonly unknown[], mergeKey: string, kind: GoType): Map<unknown, number> {
  const at = new Map<unknown, number>();
  l.forEach((v, i) => {
    const id = identity(v, mergeKey, kind);
    if (!at.has(id)) at.set(id, i);
  });
  return at;
}

/** The element type of all given lists; lists of lists and mixed element types are errors. */
export function sliceElementType(lists: readonly (readonly unknown[])[]): Result<GoType> {
  let prev: GoType | undefined;
  for (const l of lists) {
    for (const v of l) {
      const t = goType(v);
      if (prev === undefined) {
        if (t === 'slice') return errNoListOfLists;
        prev = t;
      } else if (t !== prev) {
        return internal(`list element types are not identical: ${goSprint(lists)}`);
      }
    }
  }
  return prev ?? internal('no elements in any of the given slices');
}

/** Drops repeated scalars (the first occurrence of each value stays). */
export function dedupeScalars(l: readonly unknown[]): unknown[] {
  return [...new Set(l)];
}

export function validateMergeKeyInLists(mergeKey: string, lists: readonly (readonly unknown[])[]): PatchError | undefined {
  for (const l of lists) {
    for (const item of l) {
      if (!isObj(item)) return errBadArgType('map', item);
      if (!has(item, mergeKey)) return errNoMergeKey(item, mergeKey);
    }
  }
  return undefined;
}

/** Splits items carrying `$patch: delete` from the rest. */
export function extractToDeleteItems(l: readonly unknown[]): Result<{ keep: unknown[]; remove: unknown[] }> {
  const keep: unknown[] = [];
  const remove: unknown[] = [];
  for (const v of l) {
    if (!isObj(v)) return errBadArgType('map', v);
    (has(v, DIRECTIVE) && v[DIRECTIVE] === DELETE ? remove : keep).push(v);
  }
  return { keep, remove };
}

/**
 * Sorts `toSort` by position in `order` (delete directives go last). An insertion sort with the
 * upstream comparator, which calls a pair "less" whenever either side is missing from `order`,
 * so even that unusual case lands where sort.SliceStable puts it for the list sizes patches have.
 */
export function normalizeSliceOrder(
  toSort: readonly unknown[], order: readonly unknown[], mergeKey: string, kind: GoType,
): Result<unknown[]> {
  let items = [...toSort];
  let removed: unknown[] = [];
  if (kind === 'map') {
    const bad = validateMergeKeyInLists(mergeKey, [items, order]);
    if (bad) return bad;
    const split = extractToDeleteItems(items);
    if (split instanceof PatchError) return split;
    items = split.keep;
    removed = split.remove;
  }
  const at = positions(order, mergeKey, kind);
  const pos = (v: unknown): number => at.get(identity(v, mergeKey, kind)) ?? -1;
  const less = (a: unknown, b: unknown): boolean => {
    const ia = pos(a);
    const ib = pos(b);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j], items[j - 1]); j--) [items[j], items[j - 1]] = [items[j - 1], items[j]];
  }
  return [...items, ...removed];
}

/** Interleaves the sorted server-only run (`left`) into the sorted patch run (`right`). */
function mergeSortedSlice(
  left: readonly unknown[], right: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: GoType,
): unknown[] {
  const at = positions(serverOrder, mergeKey, kind);
  const pos = (v: unknown): number => at.get(identity(v, mergeKey, kind)) ?? -1;
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = pos(left[i]);
    const ri = pos(right[j]);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return [...out, ...left.slice(i), ...right.slice(j)];
}

export function normalizeElementOrder(
  patch: readonly unknown[], serverOnly: readonly unknown[], patchOrder: readonly unknown[],
  serverOrder: readonly unknown[], mergeKey: string, kind: GoType,
): Result<unknown[]> {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  if (p instanceof PatchError) return p;
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  if (s instanceof PatchError) return s;
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

export interface Partition {
  readonly named: unknown[];
  readonly serverOnly: unknown[];
}

export function partitionPrimitives(items: readonly unknown[], by: readonly unknown[]): Partition {
  const named = new Set(by);
  return { named: items.filter((v) => named.has(v)), serverOnly: items.filter((v) => !named.has(v)) };
}

export function partitionMaps(items: readonly unknown[], by: readonly unknown[], mergeKey: string): Result<Partition> {
  const named: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of items) {
    if (!isObj(v)) return errBadArgType('map', v);
    if (!has(v, mergeKey)) return errNoMergeKey(v, mergeKey);
    const found = findByKey(by, mergeKey, v[mergeKey]);
    if (found instanceof PatchError) return found;
    (found >= 0 ? named : serverOnly).push(v);
  }
  return { named, serverOnly };
}

/** Index of the first map whose merge key equals `value`, -1 if none. */
export function findByKey(l: readonly unknown[], mergeKey: string, value: unknown): Result<number> {
  for (let i = 0; i < l.length; i++) {
    const v = l[i];
    if (!isObj(v)) return internal(`value for key ${i} is not a map`);
    if (has(v, mergeKey) && v[mergeKey] === value) return i;
  }
  return -1;
}

export function partition(items: readonly unknown[], by: readonly unknown[], mergeKey: string): Result<Partition> {
  return mergeKey === '' ? partitionPrimitives(items, by) : partitionMaps(items, by, mergeKey);
}
