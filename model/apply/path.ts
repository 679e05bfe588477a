// Field paths as structured-merge-diff's fieldpath package has them: a path element selects a
// struct field or map entry (`f:`), an associative list item by its keys (`k:`), a set item by
// its value (`v:`) or an atomic list item by index (`i:`). Their order, their fieldsV1 keys
// and their printed form (`.spec.containers[name="nginx"]`) all follow upstream.

import { compareStrings, compareValues, goJSON, goJSONString, isObject, valueToString } from './value.js';

export interface KeyField {
  readonly name: string;
  readonly value: unknown;
}

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: readonly KeyField[] }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'index'; readonly index: number };

export type Path = readonly PathElement[];

export function fieldPE(name: string): PathElement {
  return { kind: 'field', name };
}

/** Key fields are kept sorted by name, as value.FieldList.Sort leaves them. */
export function keyPE(fields: KeyField[]): PathElement {
  fields.sort((a, b) => compareStrings(a.name, b.name));
  return { kind: 'key', fields };
}

const KIND_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

/** PathElement.Compare: field names, then keys, then values, then indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] < KIND_ORDER[b.kind] ? -1 : 1;
  switch (a.kind) {
    case 'field': return compareStrings(a.name, (b as typeof a).name);
    case 'key': return compareKeys(a.fields, (b as typeof a).fields);
    case 'value': return compareValues(a.value, (b as typeof a).value);
    case 'index': {
      const bi = (b as typeof a).index;
      return a.index < bi ? -1 : a.index > bi ? 1 : 0;
    }
  }
}

function compareKeys(a: readonly KeyField[], b: readonly KeyField[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i].name, b[i].name) || compareValues(a[i].value, b[i].value);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** A Map key for a path element; equal elements give equal keys. */
export function peKey(pe: PathElement): string {
  switch (pe.kind) {
    case 'field': return `f${pe.name}`;
    case 'index': return `i${pe.index}`;
    case 'value': return `v${JSON.stringify(pe.value)}`;
    case 'key': return `k${JSON.stringify(pe.fields.map((f) => [f.name, f.value]))}`;
  }
}

/** PathElement.String. */
export function peString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field': return `.${pe.name}`;
    case 'key': return `[${pe.fields.map((f) => `${f.name}=${valueToString(f.value)}`).join(',')}]`;
    case 'value': return `[=${valueToString(pe.value)}]`;
    case 'index': return `[${pe.index}]`;
  }
}

/** Path.String, as conflicts print a field. */
export function pathString(path: Path): string {
  let s = '';
  for (const pe of path) s += peString(pe);
  return s;
}

/** The fieldsV1 key of a path element (SerializePathElement). */
export function serializePE(pe: PathElement): string {
  switch (pe.kind) {
    case 'field': return `f:${pe.name}`;
    case 'key': return `k:{${pe.fields.map((f) => `${goJSONString(f.name)}:${goJSON(f.value)}`).join(',')}}`;
    case 'value': return `v:${goJSON(pe.value)}`;
    case 'index': return `i:${pe.index}`;
  }
}

/** A malformed fieldsV1 key; the set it came from cannot be decoded. */
export class PathElementError {
  constructor(readonly message: string) {}
}

const ATOI = /^[+-]?\d+$/;

/**
 * DeserializePathElement. `null` for a type letter this version does not know: upstream drops
 * such elements (and what is under them) so that a newer server's sets still decode.
 */
export function parsePE(s: string): PathElement | PathElementError | null {
  if (s.length < 2) return new PathElementError('key must be 2 characters long:');
  if (s[1] !== ':') return new PathElementError(`missing colon: ${s}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f': return fieldPE(rest);
    case 'v': {
      const v = parseJSON(rest);
      return v instanceof PathElementError ? v : { kind: 'value', value: v };
    }
    case 'k': {
      const v = parseJSON(rest);
      if (v instanceof PathElementError) return v;
      if (!isObject(v)) return new PathElementError(`ReadObjectCB: expect { or n, but found ${rest.slice(0, 1)}`);
      return keyPE(Object.keys(v).map((name) => ({ name, value: v[name] })));
    }
    case 'i':
      if (!ATOI.test(rest)) return new PathElementError(`strconv.Atoi: parsing ${goJSONString(rest)}: invalid syntax`);
      return { kind: 'index', index: Number(rest) };
    default:
      return null;
  }
}

function parseJSON(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    return new PathElementError((e as Error).message);
  }
}
