// Decoded JSON as k8s.io/apimachinery's strategicpatch sees it: map[string]interface{},
// []interface{} and scalars, where integers (decoded with PreserveInts) and floats are different
// Go types. The algorithm compares Go types, so we name them the same way.
import { isPlainObject } from '../object.js';

export type Obj = Record<string, unknown>;

export type GoType = 'map' | 'slice' | 'string' | 'bool' | 'int64' | 'float64' | 'nil';

export const isObj = isPlainObject;

export function goType(v: unknown): GoType {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? 'int64' : 'float64';
    default: return 'map';
  }
}

export function has(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** reflect.DeepEqual on decoded JSON. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = goType(a);
  if (ta !== goType(b)) return false;
  if (ta === 'slice') {
    const la = a as unknown[];
    const lb = b as unknown[];
    return la.length === lb.length && la.every((v, i) => deepEqual(v, lb[i]));
  }
  if (ta === 'map') {
    const ma = a as Obj;
    const mb = b as Obj;
    const ka = Object.keys(ma);
    return ka.length === Object.keys(mb).length && ka.every((k) => has(mb, k) && deepEqual(ma[k], mb[k]));
  }
  return false;
}

/** Go's json.Marshal writes map keys sorted; patches we build read the same way kubectl sends them. */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort(byteOrder)) out[k] = sortKeysDeep(v[k]);
  return out;
}

/** Go compares strings byte-wise; for the BMP text in Kubernetes objects UTF-16 order agrees. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
