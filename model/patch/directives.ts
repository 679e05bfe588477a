// The directives of a strategic merge patch: `$patch` inside a map or list item, and the
// parallel keys `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` and `$retainKeys`
// next to the fields they apply to.
import { PatchError, type Result } from './errors.js';
import { has, isObj } from './values.js';

export const DIRECTIVE = '$patch';
export const DELETE = 'delete';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';
export const RETAIN_KEYS = '$retainKeys';

/** The field name after `<prefix>/`; a key without the slash is a malformed directive. */
export function extractKey(key: string, prefix: string, malformed: PatchError): Result<string> {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) return malformed;
  return key.slice(slash + 1);
}

/** Removes maps that carry `$patch` (and the field holding one) from a value taken as is. */
export function removeDirectives(v: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      const r = removeDirectives(e);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  if (!isObj(v)) return { value: v, keep: true };
  if (has(v, DIRECTIVE)) return { value: null, keep: false };
  for (const [k, e] of Object.entries(v)) {
    const r = removeDirectives(e);
    if (r.keep) v[k] = r.value;
    else delete v[k];
  }
  return { value: v, keep: true };
}
