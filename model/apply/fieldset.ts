// The fields an object specifies (TypedValue.ToFieldSet), the removal of a set of fields from
// an object (TypedValue.RemoveItems) and Set.EnsureNamedFieldsAreMembers, which apply's pruning
// uses so that a struct field counts as owned when only things under it are.

import { UNTYPED, type Schema } from '../schema/schema.js';
import { fieldPE, type PathElement } from './path.js';
import { FieldSet } from './set.js';
import { asList, asMap, entrySchema, isDeclaredField, isEmptyMap, ItemError, listItemPE, shapeOf } from './typed.js';
import { isObject, type JsonObject } from './value.js';

/**
 * The leaves of v: scalars, atomic lists and maps, empty or null map entries and every entry
 * of a map type; associative list items count themselves as well as their fields.
 */
export function valueFieldSet(v: unknown, s: Schema): FieldSet {
  const set = new FieldSet();
  walk(v, s, [], set);
  return set;
}

function walk(v: unknown, s: Schema, path: PathElement[], set: FieldSet): void {
  const shape = shapeOf(s, v);
  switch (shape.kind) {
    case 'scalar':
      set.insert(path);
      return;
    case 'list': {
      if (shape.atomic) {
        set.insert(path);
        return;
      }
      const list = asList(v);
      if (!list) return;
      for (let i = 0; i < list.length; i++) {
        const pe = listItemPE(shape.list, list[i], i);
        if (pe instanceof ItemError) continue;
        path.push(pe);
        walk(list[i], shape.list.items, path, set);
        set.insert(path);
        path.pop();
      }
      return;
    }
    case 'map': {
      if (shape.atomic) {
        set.insert(path);
        return;
      }
      const m = asMap(v);
      if (!m) return;
      for (const k of Object.keys(m)) {
        const child = m[k];
        if (child === undefined) continue;
        path.push(fieldPE(k));
        walk(child, entrySchema(shape, k) ?? UNTYPED, path, set);
        if (child === null || (isObject(child) && isEmptyMap(child)) || !isDeclaredField(shape, k)) {
          set.insert(path);
        }
        path.pop();
      }
    }
  }
}

/**
 * v without the fields in set (a list item or map entry whose own path is in the set goes
 * entirely). A container emptied on the way is dropped, as the typed conversion that follows
 * upstream drops the null it leaves.
 */
export function removeFields(v: unknown, set: FieldSet, s: Schema): unknown {
  const shape = shapeOf(s, v);
  switch (shape.kind) {
    case 'scalar': return v;
    case 'list': {
      const list = asList(v);
      if (!list) return v;
      if (list.length === 0 || shape.atomic) return undefined;
      const out: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        let item = list[i];
        const pe = listItemPE(shape.list, item, i);
        if (!(pe instanceof ItemError)) {
          if (set.hasMember(pe)) continue;
          const sub = set.child(pe);
          if (sub && !sub.empty()) item = removeFields(item, sub, shape.list.items);
        }
        if (item !== undefined) out.push(item);
      }
      return out.length > 0 ? out : undefined;
    }
    case 'map': {
      const m = asMap(v);
      if (!m) return v;
      if (isEmptyMap(m) || shape.atomic) return undefined;
      const out: JsonObject = {};
      let any = false;
      for (const k of Object.keys(m)) {
        let child = m[k];
        if (child === undefined) continue;
        const pe = fieldPE(k);
        if (set.hasMember(pe)) continue;
        const sub = set.child(pe);
        if (sub && !sub.empty()) child = removeFields(child, sub, entrySchema(shape, k) ?? UNTYPED);
        if (child !== undefined) {
          out[k] = child;
          any = true;
        }
      }
      return any ? out : undefined;
    }
  }
}

/** Set.EnsureNamedFieldsAreMembers: declared struct fields with owned children become owned. */
export function ensureNamedFieldsAreMembers(set: FieldSet, s: Schema | undefined): FieldSet {
  const shape = s === undefined ? undefined : shapeOf(s, undefined);
  const members = [...set.members];
  const out = new FieldSet(members, []);
  for (const c of set.children) {
    let childSchema: Schema | undefined;
    if (shape?.kind === 'map' && c.pe.kind === 'field') {
      childSchema = entrySchema(shape, c.pe.name);
      if (isDeclaredField(shape, c.pe.name)) out.insertMember(c.pe);
    } else if (shape?.kind === 'list' && c.pe.kind === 'key') {
      childSchema = shape.list.items;
    }
    out.children.push({ pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, childSchema) });
  }
  return out;
}
