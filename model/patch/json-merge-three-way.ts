// The JSON merge patch client-side `kubectl apply` sends for a type without a strategic merge
// patch (custom resources): k8s.io/apimachinery pkg/util/jsonmergepatch CreateThreeWayJSONMergePatch
// (1.32), on gopkg.in/evanphx/json-patch.v4 (v4.12) CreateMergePatch and MergePatch.
//
//   addAndChange = CreateMergePatch(current, modified) without its nulls
//   deletions    = CreateMergePatch(original, modified) with only its nulls
//   patch        = MergePatch(deletions, addAndChange)
//
// original is the last-applied-configuration annotation ({} when there is none), modified the new
// manifest with its new annotation, current the live object. Lists are replaced whole (RFC 7386),
// so a changed list is sent in full. Fields others set on the live object and the manifest never
// had are kept; fields the manifest had and dropped become null.
//
// Not ported: the mergepatch.HasConflicts check between the two halves, which cannot fire (the
// first half holds only keys whose value in modified is not null, the second only keys absent or
// null in modified, so no key holds a scalar in one and anything else in the other), and the
// preconditions kubectl passes (apiVersion, kind and metadata.name unchanged), which are the
// caller's. Keys come out sorted, as Go's json.Marshal writes them. Inputs are not modified.
import { has, isObj, sortKeysDeep, type Obj } from './values.js';

/** What client-side `kubectl apply` sends for a custom resource (application/merge-patch+json). */
export function createThreeWayJSONMergePatch(original: Obj, modified: Obj, current: Obj): Obj {
  const addAndChange = keepOrDeleteNull(createMergePatch(current, modified), false);
  const deletions = keepOrDeleteNull(createMergePatch(original, modified), true);
  mergeDocs(deletions, addAndChange);
  return sortKeysDeep(deletions) as Obj;
}

/**
 * The RFC 7386 merge patch that turns `from` into `to` (evanphx getDiff): keys added or changed in
 * `to` with their new value, keys gone from `to` as null, maps compared key by key, lists and
 * values of another type replaced whole. The result shares values with `to`.
 */
export function createMergePatch(from: Obj, to: Obj): Obj {
  const into: Obj = {};
  for (const key of Object.keys(to)) {
    const tv = to[key];
    if (tv === undefined) continue;
    const fv = from[key];
    if (fv === undefined || !has(from, key) || kindOf(fv) !== kindOf(tv)) {
      into[key] = tv;
      continue;
    }
    if (isObj(fv)) {
      const sub = createMergePatch(fv, tv as Obj);
      if (Object.keys(sub).length > 0) into[key] = sub;
    } else if (Array.isArray(fv)) {
      if (!matchesArray(fv, tv as unknown[])) into[key] = tv;
    } else if (fv !== tv) {
      // Same scalar kind (string, number, boolean) or both null; null === null.
      into[key] = tv;
    }
  }
  for (const key of Object.keys(from)) {
    if (from[key] !== undefined && (!has(to, key) || to[key] === undefined)) into[key] = null;
  }
  return into;
}

/**
 * keepOrDeleteNullInObj: with keepNull, only the nulls (and the maps leading to them); without,
 * everything but the nulls. Lists and scalars are values, kept whole without keepNull and dropped
 * with it; an empty map is a value too; a map left empty by the filter is dropped.
 */
export function keepOrDeleteNull(m: Obj, keepNull: boolean): Obj {
  const out: Obj = {};
  for (const key of Object.keys(m)) {
    const v = m[key];
    if (v === null || v === undefined) {
      if (keepNull && v === null) out[key] = null;
      continue;
    }
    if (isObj(v)) {
      if (Object.keys(v).length === 0) {
        if (!keepNull) out[key] = v;
        continue;
      }
      const sub = keepOrDeleteNull(v, keepNull);
      if (Object.keys(sub).length > 0) out[key] = sub;
      continue;
    }
    if (!keepNull) out[key] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// evanphx MergePatch(doc, patch) on two maps: doc (here the deletions, built fresh above) is
// changed in place; values taken from patch have their null map entries pruned, as the Go code
// prunes them on the way in.

function mergeDocs(doc: Obj, patch: Obj): void {
  for (const key of Object.keys(patch)) {
    const v = patch[key];
    if (v === undefined) continue;
    if (v === null) {
      delete doc[key];
      continue;
    }
    const cur = doc[key];
    doc[key] = cur === undefined || cur === null ? pruneNulls(v) : merge(cur, v);
  }
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isObj(cur)) return pruneNulls(patch);
  if (!isObj(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

/** A copy without null map entries at any depth; null list elements stay (json-patch v4.12). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((e) => (e === null ? null : pruneNulls(e)));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const key of Object.keys(v)) {
    const e = v[key];
    if (e !== null && e !== undefined) out[key] = pruneNulls(e);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// matchesValue / matchesArray: equal JSON values, where every number is a float64 (so 1 and 1.0
// match) and values of different kinds never match.

type Kind = 'map' | 'list' | 'string' | 'number' | 'bool' | 'null';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'boolean': return 'bool';
    default: return 'map';
  }
}

function matchesArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!matchesValue(a[i], b[i])) return false;
  return true;
}

function matchesValue(a: unknown, b: unknown): boolean {
  const k = kindOf(a);
  if (k !== kindOf(b)) return false;
  if (k === 'null') return true;
  if (k === 'list') return matchesArray(a as unknown[], b as unknown[]);
  if (k !== 'map') return a === b;
  const ma = a as Obj;
  const mb = b as Obj;
  const keys = Object.keys(mb);
  if (keys.length !== Object.keys(ma).length) return false;
  return keys.every((key) => has(ma, key) && matchesValue(ma[key], mb[key]));
}
