// TypedValue.Merge: the live object with an applied configuration laid over it. Leaves (scalars,
// atomic lists and maps, and containers empty on both sides) take the applied value; maps merge
// per key; associative lists merge per item key, in the order structured-merge-diff gives them.

import { UNTYPED, type Schema } from '../schema/schema.js';
import { comparePE, peKey, type PathElement } from './path.js';
import { asList, asMap, entrySchema, isEmptyList, isEmptyMap, ItemError, listItemPE, shapeOf, type ListShape, type MapShape } from './typed.js';
import type { JsonObject } from './value.js';

/** Merges rhs over lhs; either may be undefined (absent), not both. */
export function merge(lhs: unknown, rhs: unknown, s: Schema): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const sl = shapeOf(s, lhs);
  const sr = shapeOf(s, rhs);
  if (sl.kind !== sr.kind) return rhs;
  switch (sr.kind) {
    case 'scalar': return rhs;
    case 'list': return mergeList(sr, lhs, rhs);
    case 'map': return mergeMap(sr, lhs, rhs);
  }
}

function mergeMap(shape: MapShape, lhs: unknown, rhs: unknown): unknown {
  const l = asMap(lhs);
  const r = asMap(rhs);
  if (shape.atomic || (isEmptyMap(l) && isEmptyMap(r))) return rhs;
  const out: JsonObject = {};
  if (l) {
    for (const k of Object.keys(l)) {
      const lv = l[k];
      if (lv === undefined) continue;
      const rv = r?.[k];
      out[k] = rv === undefined ? lv : merge(lv, rv, entrySchema(shape, k) ?? UNTYPED);
    }
  }
  if (r) {
    for (const k of Object.keys(r)) {
      if (r[k] !== undefined && (l === undefined || l[k] === undefined)) out[k] = r[k];
    }
  }
  return out;
}

interface Indexed {
  readonly order: PathElement[];
  readonly items: Map<string, unknown>;
}

/** Items by path element (first occurrence wins), in list order. */
function indexItems(shape: ListShape, list: readonly unknown[] | undefined): Indexed {
  const order: PathElement[] = [];
  const items = new Map<string, unknown>();
  if (!list) return { order, items };
  for (let i = 0; i < list.length; i++) {
    const pe = listItemPE(shape.list, list[i], i);
    if (pe instanceof ItemError) continue;
    const k = peKey(pe);
    if (items.has(k)) continue;
    items.set(k, list[i]);
    order.push(pe);
  }
  return { order, items };
}

/**
 * typed/merge.go visitListItems: items of both sides follow the applied order among
 * themselves; live-only items keep their place relative to them; applied-only items come
 * where the applied list puts them.
 */
function mergeList(shape: ListShape, lhs: unknown, rhs: unknown): unknown {
  const l = asList(lhs);
  const r = asList(rhs);
  if (shape.atomic || (isEmptyList(l) && isEmptyList(r))) return rhs;
  const items = shape.list.items;
  const L = indexItems(shape, l);
  const R = indexItems(shape, r);
  const shared = R.order.filter((pe) => L.items.has(peKey(pe)));
  let sharedAt = 0;
  let nextShared: PathElement | undefined = shared[sharedAt++];
  const out: unknown[] = [];
  const take = (pe: PathElement): void => {
    const k = peKey(pe);
    out.push(merge(L.items.get(k), R.items.get(k), items));
  };
  let li = 0;
  let ri = 0;
  while (li < L.order.length || ri < R.order.length) {
    if (li < L.order.length && ri < R.order.length) {
      const pe = L.order[li];
      if (comparePE(pe, R.order[ri]) === 0) {
        take(pe);
        li++;
        ri++;
        nextShared = shared[sharedAt++];
        continue;
      }
      if (R.items.has(peKey(pe)) && nextShared !== undefined && comparePE(nextShared, pe) !== 0) {
        li++;
        continue;
      }
    }
    if (li < L.order.length && !R.items.has(peKey(L.order[li]))) {
      take(L.order[li++]);
      continue;
    }
    if (ri < R.order.length) {
      const pe = R.order[ri++];
      take(pe);
      if (nextShared !== undefined && comparePE(nextShared, pe) === 0) nextShared = shared[sharedAt++];
    } else {
      // A live item the applied list has and that was merged already.
      li++;
    }
  }
  return out;
}
