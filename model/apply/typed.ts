// How structured-merge-diff sees a value through its schema (typed/helpers.go): a map (a struct
// or a map type), a list (atomic, set or keyed map) or a scalar, with untyped values deduced
// from what they hold (maps granular, lists atomic). Also the path element of a list item.

import { UNTYPED, type ListSchema, type Schema, type StructSchema } from '../schema/schema.js';
import { keyDefault } from './facts.js';
import { keyPE, type KeyField, type PathElement } from './path.js';
import { goQuote, isObject, type JsonObject } from './value.js';

export interface MapShape {
  readonly kind: 'map';
  readonly atomic: boolean;
  readonly struct: StructSchema | undefined;
  /** The schema of keys that are not declared fields; undefined when such keys are not allowed. */
  readonly others: Schema | undefined;
}

export interface ListShape {
  readonly kind: 'list';
  readonly atomic: boolean;
  readonly list: ListSchema;
}

export interface ScalarShape {
  readonly kind: 'scalar';
  readonly type: 'string' | 'numeric' | 'boolean' | 'any';
}

export type Shape = MapShape | ListShape | ScalarShape;

const UNTYPED_MAP: MapShape = { kind: 'map', atomic: false, struct: undefined, others: UNTYPED };
const UNTYPED_LIST: ListShape = {
  kind: 'list', atomic: true, list: { kind: 'list', items: UNTYPED, listType: 'atomic', mapKeys: [] },
};
const ANY_SCALAR: ScalarShape = { kind: 'scalar', type: 'any' };
const SCALARS: Record<string, ScalarShape> = {
  string: { kind: 'scalar', type: 'string' },
  integer: { kind: 'scalar', type: 'numeric' },
  number: { kind: 'scalar', type: 'numeric' },
  boolean: { kind: 'scalar', type: 'boolean' },
};

const shapes = new WeakMap<Schema, Shape>();

/** The shape of v under s; an untyped schema takes the shape of the value (deduceAtom). */
export function shapeOf(s: Schema, v: unknown): Shape {
  if (s.kind === 'untyped') {
    if (Array.isArray(v)) return UNTYPED_LIST;
    if (v === null || isObject(v)) return UNTYPED_MAP;
    return ANY_SCALAR;
  }
  let shape = shapes.get(s);
  if (shape === undefined) {
    shape = typedShape(s);
    shapes.set(s, shape);
  }
  return shape;
}

function typedShape(s: Exclude<Schema, { kind: 'untyped' }>): Shape {
  switch (s.kind) {
    case 'struct':
      return { kind: 'map', atomic: s.elementType === 'atomic', struct: s, others: s.preserveUnknownFields ? UNTYPED : undefined };
    case 'map':
      return { kind: 'map', atomic: s.elementType === 'atomic', struct: undefined, others: s.values };
    case 'list':
      return { kind: 'list', atomic: s.listType === 'atomic', list: s };
    case 'scalar':
      return SCALARS[s.type] ?? ANY_SCALAR;
  }
}

/** The schema of a map entry; undefined when the key is not allowed there. */
export function entrySchema(m: MapShape, key: string): Schema | undefined {
  return m.struct?.field(key) ?? m.others;
}

export function isDeclaredField(m: MapShape, key: string): boolean {
  return m.struct !== undefined && m.struct.field(key) !== undefined;
}

/** Map entries of v, or undefined for null and for values that are not maps. */
export function asMap(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

export function asList(v: unknown): readonly unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** Absent, null or without entries: what upstream treats as an empty map. */
export function isEmptyMap(m: JsonObject | undefined): boolean {
  if (m === undefined) return true;
  for (const k in m) if (m[k] !== undefined) return false;
  return true;
}

export function isEmptyList(l: readonly unknown[] | undefined): boolean {
  return l === undefined || l.length === 0;
}

/** Why a list item has no path element (listItemToPathElement's errors). */
export class ItemError {
  constructor(readonly message: string) {}
}

/** The path element of a list item: its keys, its value (sets) or its index (atomic lists). */
export function listItemPE(list: ListSchema, item: unknown, index: number): PathElement | ItemError {
  if (list.listType === 'atomic') return { kind: 'index', index };
  if (list.mapKeys.length > 0 && list.listType === 'map') return keyedItemPE(list, item);
  if (isObject(item)) return new ItemError("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) return new ItemError('not supported: associative list with lists as elements');
  if (item === null || item === undefined) return new ItemError("associative list without keys has an element that's an explicit null");
  return { kind: 'value', value: item };
}

function keyedItemPE(list: ListSchema, item: unknown): PathElement | ItemError {
  if (item === null || item === undefined) return new ItemError('associative list with keys may not have a null element');
  if (!isObject(item)) return new ItemError('associative list with keys may not have non-map elements');
  const fields: KeyField[] = [];
  for (const name of list.mapKeys) {
    let value = item[name];
    if (value === undefined) value = keyDefault(list, name);
    if (value === undefined) {
      return new ItemError(`associative list with keys has an element that omits key field ${goQuote(name)} (and doesn't have default value)`);
    }
    fields.push({ name, value });
  }
  return keyPE(fields);
}
