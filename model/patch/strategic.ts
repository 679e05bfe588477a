// Strategic merge patch as kube-apiserver 1.32 applies it to built-in types
// (application/strategic-merge-patch+json): StrategicMergeMapPatch driven by the type's patch
// metadata, with the server's options (parallel lists applied, unmatched nulls dropped) and its
// error answers. The result is the patched map before decoding into the Go type: fields unknown
// to the type, nulls inside appended list items, and directives inside a value the object did not
// have all survive here, as they do upstream until FromUnstructured drops (or, with
// fieldValidation=Strict, rejects) them.
import type { Schema } from '../schema/schema.js';
import { badRequest, type Status } from '../status.js';
import { PatchError, toStatus } from './errors.js';
import { mergeMap, type MergeOptions } from './merge.js';
import { isObj, type Obj } from './values.js';

const SERVER: MergeOptions = { mergeParallelList: true, ignoreUnmatchedNulls: true };

/** Applies a decoded PATCH body to `original`; neither input is changed. */
export function strategicMergePatch(original: Obj, patch: unknown, schema: Schema): Obj | Status {
  // sigs.k8s.io/json decodes a `null` body into the empty map it was given.
  if (patch === null) return structuredClone(original);
  if (!isObj(patch)) return badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  const merged = mergeMap(structuredClone(original), structuredClone(patch), schema, SERVER);
  return merged instanceof PatchError ? toStatus(merged) : merged;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  return typeof v === 'boolean' ? 'bool' : 'number';
}
