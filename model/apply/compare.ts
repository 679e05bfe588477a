// TypedValue.Compare (typed/compare.go): the fields a change added, modified and removed.
// Leaves compare by value; a granular map, struct or list item that appears or disappears is
// itself added or removed, which is where the `.` entries of Update managers come from.

import { UNTYPED, type Schema } from '../schema/schema.js';
import { peKey, type PathElement } from './path.js';
import { FieldSet } from './set.js';
import { asList, asMap, entrySchema, isEmptyList, isEmptyMap, ItemError, listItemPE, shapeOf, type ListShape, type MapShape, type Shape } from './typed.js';
import { valueEquals } from './value.js';

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** Compares two objects (either may be undefined, meaning absent). */
export function compareObjects(lhs: unknown, rhs: unknown, s: Schema): Comparison {
  const c = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  if (lhs !== undefined || rhs !== undefined) node(lhs, rhs, s, [], c);
  return c;
}

/** Comparison.ExcludeFields. */
export function excludeFields(c: Comparison, fields: FieldSet | undefined): Comparison {
  if (!fields || fields.empty()) return c;
  return {
    added: c.added.recursiveDifference(fields),
    modified: c.modified.recursiveDifference(fields),
    removed: c.removed.recursiveDifference(fields),
  };
}

function node(l: unknown, r: unknown, s: Schema, path: PathElement[], c: Comparison): void {
  let leaf: boolean;
  if (r === undefined) {
    leaf = visit(shapeOf(s, l), l, r, path, c);
  } else {
    const sr = shapeOf(s, r);
    const sl = l === undefined ? sr : shapeOf(s, l);
    // Values of different kinds under an untyped schema: the old one is walked as gone.
    if (sl.kind !== sr.kind) visit(sl, l, r, path, c);
    leaf = visit(sr, l, r, path, c);
  }
  if (!leaf) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  }
}

function doLeaf(l: unknown, r: unknown, path: PathElement[], c: Comparison): true {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!valueEquals(l, r)) c.modified.insert(path);
  return true;
}

/** Returns whether the node was a leaf. */
function visit(shape: Shape, l: unknown, r: unknown, path: PathElement[], c: Comparison): boolean {
  switch (shape.kind) {
    case 'scalar': return doLeaf(l, r, path, c);
    case 'map': return visitMap(shape, l, r, path, c);
    case 'list': return visitList(shape, l, r, path, c);
  }
}

function visitMap(shape: MapShape, lv: unknown, rv: unknown, path: PathElement[], c: Comparison): boolean {
  const l = asMap(lv);
  const r = asMap(rv);
  if (shape.atomic || (isEmptyMap(l) && isEmptyMap(r))) return doLeaf(lv, rv, path, c);
  const keys = new Set<string>();
  if (l) for (const k of Object.keys(l)) if (l[k] !== undefined) keys.add(k);
  if (r) for (const k of Object.keys(r)) if (r[k] !== undefined) keys.add(k);
  for (const k of keys) {
    const cs = entrySchema(shape, k);
    path.push({ kind: 'field', name: k });
    node(l?.[k], r?.[k], cs ?? UNTYPED, path, c);
    path.pop();
  }
  return false;
}

interface Group {
  readonly pe: PathElement;
  readonly l: unknown[];
  readonly r: unknown[];
}

function visitList(shape: ListShape, lv: unknown, rv: unknown, path: PathElement[], c: Comparison): boolean {
  const l = asList(lv);
  const r = asList(rv);
  if (shape.atomic || (isEmptyList(l) && isEmptyList(r))) return doLeaf(lv, rv, path, c);
  const groups = new Map<string, Group>();
  const collect = (list: readonly unknown[] | undefined, side: 'l' | 'r'): void => {
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      const pe = listItemPE(shape.list, list[i], i);
      if (pe instanceof ItemError) continue;
      const k = peKey(pe);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { pe, l: [], r: [] }));
      g[side].push(list[i]);
    }
  };
  collect(l, 'l');
  collect(r, 'r');
  const items = shape.list.items;
  for (const g of groups.values()) {
    path.push(g.pe);
    if (g.l.length <= 1 && g.r.length <= 1) {
      node(g.l[0], g.r[0], items, path, c);
    } else if (g.l.length >= 2 && g.r.length >= 2) {
      // Duplicated items compare as one atomic value.
      if (!valueEquals(g.l, g.r)) c.modified.insert(path);
    } else if (g.l.length >= 2) {
      if (g.r.length > 0) node(undefined, g.r[0], items, path, c);
      c.removed.insert(path);
    } else {
      if (g.l.length > 0) node(g.l[0], undefined, items, path, c);
      c.added.insert(path);
    }
    path.pop();
  }
  return false;
}
