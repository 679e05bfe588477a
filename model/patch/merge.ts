// The apply half of strategic merge patch (k8s.io/apimachinery pkg/util/strategicpatch, 1.32):
// mergeMap merges a patch into an object. The server runs it with parallel lists applied and
// unmatched nulls dropped; `kubectl apply` runs it client-side to fold its deletions patch and
// its changes patch into one, carrying the directives over instead. Lists are merge-lists.ts.
// Like upstream, it works in place on the documents it is given (callers pass copies).
import type { Schema } from '../schema/schema.js';
import {
  DELETE, DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, extractKey, removeDirectives, RETAIN_KEYS, SET_ELEMENT_ORDER,
} from './directives.js';
import {
  errBadPatchFormatForPrimitiveList, errBadPatchFormatForRetainKeys, errBadPatchType, internal, PatchError, type Result,
} from './errors.js';
import { goSprint } from './go-format.js';
import { mergeOrderedLists, mergeSliceHandler } from './merge-lists.js';
import { fieldMeta, REPLACE } from './meta.js';
import { deepEqual, goType, has, isObj, type Obj } from './values.js';

export interface MergeOptions {
  /** Apply $deleteFromPrimitiveList and $setElementOrder (server) rather than carry them (client). */
  readonly mergeParallelList: boolean;
  /** Drop a null whose key the object lacks (server) rather than keep it as a deletion (client). */
  readonly ignoreUnmatchedNulls: boolean;
}

export function mergeMap(original: Obj, patch: Obj, schema: Schema, opts: MergeOptions): Result<Obj> {
  if (has(patch, DIRECTIVE)) return directiveInMap(patch[DIRECTIVE], patch);
  const retained = applyRetainKeys(original, patch, opts);
  if (retained) return retained;
  const ordered = mergeOrderedLists(original, patch, schema, opts);
  if (ordered) return ordered;
  for (const [key, patchV] of Object.entries(patch)) {
    let k = key;
    let isDeleteList = false;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      if (!opts.mergeParallelList) {
        original[key] = patchV;
        continue;
      }
      const base = extractKey(key, DELETE_FROM_PRIMITIVE_LIST, errBadPatchFormatForPrimitiveList);
      if (base instanceof PatchError) return base;
      // Upstream keeps the prefixed key when nothing follows the slash.
      if (base !== '') k = base;
      isDeleteList = true;
    }
    const failed = mergeField(original, k, patchV, schema, isDeleteList, opts);
    if (failed) return failed;
  }
  return original;
}

function mergeField(
  original: Obj, k: string, patchV: unknown, schema: Schema, isDeleteList: boolean, opts: MergeOptions,
): PatchError | undefined {
  if (patchV === null) {
    delete original[k];
    if (opts.ignoreUnmatchedNulls) return undefined;
  }
  const t = goType(patchV);
  if (!has(original, k) || goType(original[k]) !== t) {
    if (!isDeleteList) {
      if (opts.ignoreUnmatchedNulls) discardNulls(patchV);
      keepWithoutDirectives(original, k, patchV);
    }
    return undefined;
  }
  if (t === 'map') {
    const meta = fieldMeta(schema, k);
    if (meta.strategy === REPLACE) {
      original[k] = patchV;
      return undefined;
    }
    const merged = mergeMap(original[k] as Obj, patchV as Obj, meta.schema, opts);
    if (merged instanceof PatchError) return merged;
    original[k] = merged;
    return undefined;
  }
  if (t === 'slice') {
    const merged = mergeSliceHandler(original[k] as unknown[], patchV as unknown[], fieldMeta(schema, k), isDeleteList, opts);
    if (merged instanceof PatchError) return merged;
    original[k] = merged;
    return undefined;
  }
  keepWithoutDirectives(original, k, patchV);
  return undefined;
}

function directiveInMap(directive: unknown, patch: Obj): Result<Obj> {
  if (directive === REPLACE) {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === DELETE) return {};
  return errBadPatchType(directive, patch);
}

/** Drops nulls from a value the object did not have, so creating and updating a key agree. */
function discardNulls(v: unknown): void {
  if (Array.isArray(v)) {
    v.forEach(discardNulls);
  } else if (isObj(v)) {
    for (const [k, e] of Object.entries(v)) {
      if (e === null) delete v[k];
      else discardNulls(e);
    }
  }
}

function keepWithoutDirectives(original: Obj, k: string, patchV: unknown): void {
  const r = removeDirectives(patchV);
  if (r.keep) original[k] = r.value;
  else delete original[k];
}

function applyRetainKeys(original: Obj, patch: Obj, opts: MergeOptions): PatchError | undefined {
  if (!has(patch, RETAIN_KEYS)) return undefined;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!opts.mergeParallelList) {
    if (!has(original, RETAIN_KEYS)) original[RETAIN_KEYS] = retain;
    else if (!deepEqual(original[RETAIN_KEYS], retain)) {
      return internal(`${goSprint(original[RETAIN_KEYS])} and ${goSprint(retain)} are not deep equal: `
        + 'this may happen when calculating the 3-way diff patch');
    }
    return undefined;
  }
  if (!Array.isArray(retain)) return errBadPatchFormatForRetainKeys;
  const keep = new Set<unknown>(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) return errBadPatchFormatForRetainKeys;
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
  return undefined;
}
