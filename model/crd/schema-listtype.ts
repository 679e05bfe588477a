// The uniqueness invariants of x-kubernetes-list-type set and map lists
// (apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go): a set holds no two
// equal items, a map list no two items with the same key fields.
import type { FieldError } from '../status.js';
import { childPath, goJSON, indexPath, keyPath } from './schema-gofmt.js';
import { additionalSchema, isJSONObject, itemSchema, ownProperty, type JSONSchemaProps, type JSONValue } from './schema-types.js';

/** Field errors for duplicate set items and map-list keys anywhere below `obj`. */
export function validateListSetsAndMaps(path: string | undefined, s: JSONSchemaProps, obj: Record<string, JSONValue>): FieldError[] {
  const errs: FieldError[] = [];
  const additional = additionalSchema(s);
  if (additional) {
    for (const [k, v] of Object.entries(obj)) errs.push(...walk(keyPath(path ?? '', k), additional, v));
  }
  if (s.properties) {
    for (const [k, v] of Object.entries(obj)) {
      const prop = ownProperty(s, k);
      if (prop) errs.push(...walk(childPath(path, k), prop, v));
    }
  }
  return errs;
}

function walk(path: string, s: JSONSchemaProps, v: JSONValue): FieldError[] {
  if (Array.isArray(v)) return validateArray(path, s, v);
  if (isJSONObject(v)) return validateListSetsAndMaps(path, s, v);
  return [];
}

function validateArray(path: string, s: JSONSchemaProps, list: JSONValue[]): FieldError[] {
  const errs: FieldError[] = [];
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of duplicateIndices(list, itemIdentity)) errs.push({ type: 'FieldValueDuplicate', field: indexPath(path, i), value: list[i] });
  } else if (listType === 'map') {
    errs.push(...validateListMap(path, s['x-kubernetes-list-map-keys'] ?? [], list));
  }
  const items = itemSchema(s);
  if (items) list.forEach((item, i) => errs.push(...walk(indexPath(path, i), items, item)));
  return errs;
}

/**
 * The index of the second appearance of every repeated item. Scalars compare as Go map keys
 * (type and value), compound items by their JSON encoding.
 */
function duplicateIndices<T>(list: readonly T[], identity: (x: T) => string): number[] {
  if (list.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  list.forEach((x, i) => {
    const key = identity(x);
    const times = seen.get(key) ?? 0;
    seen.set(key, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

function itemIdentity(x: JSONValue): string {
  return typeof x === 'object' && x !== null ? `json:${goJSON(x)}` : `${typeof x}:${String(x)}`;
}

// A missing key field: distinct from every real value, equal to other missing ones.
const UNSPECIFIED = Symbol('unspecified key');
const UNSPECIFIED_IDENTITY = 'unspecified';

function validateListMap(path: string, keyFields: readonly string[], list: readonly JSONValue[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isJSONObject(x)) {
      return [{ type: 'FieldValueInvalid', field: indexPath(path, i), value: x, detail: 'must be an object for an array of list-type map' }];
    }
  }
  if (list.length <= 1) return [];
  if (keyFields.length === 1) {
    const [field] = keyFields;
    const keys = list.map((x) => (isJSONObject(x) && Object.hasOwn(x, field) ? x[field] : UNSPECIFIED));
    const identity = (k: JSONValue | typeof UNSPECIFIED): string => (k === UNSPECIFIED ? UNSPECIFIED_IDENTITY : itemIdentity(k));
    return duplicateIndices(keys, identity).map((i) => {
      const key = keys[i];
      return { type: 'FieldValueDuplicate' as const, field: indexPath(path, i), value: key === UNSPECIFIED ? {} : { [field]: key } };
    });
  }
  const keys = list.map((x) => {
    const key: Record<string, JSONValue> = {};
    if (isJSONObject(x)) for (const f of keyFields) if (Object.hasOwn(x, f)) key[f] = x[f];
    return key;
  });
  return duplicateIndices(keys, itemIdentity).map((i) => ({ type: 'FieldValueDuplicate' as const, field: indexPath(path, i), value: keys[i] }));
}
