// The patches kubectl computes (k8s.io/apimachinery pkg/util/strategicpatch 1.32, with the
// overwrite kubectl apply uses by default, so no conflict check and no preconditions).
//
// createThreeWayMergePatch is client-side `kubectl apply`: original is the
// last-applied-configuration annotation, modified the new manifest (kubectl puts the new
// annotation into it first), current the live object. The patch is everything that differs from
// the live object, minus deletions, plus the deletions from original to modified, so fields that
// others set and the manifest never had are kept. kubectl sends nothing when the patch is `{}`.
// Keys come out sorted, as Go's json.Marshal writes them.
import type { Schema } from '../schema/schema.js';
import type { Status } from '../status.js';
import { diffMaps } from './diff.js';
import { PatchError, toStatus } from './errors.js';
import { mergeMap } from './merge.js';
import { sortKeysDeep, type Obj } from './values.js';

/** The patch that turns `original` into `modified` (kubectl edit, CreateTwoWayMergePatch). */
export function createTwoWayMergePatch(original: Obj, modified: Obj, schema: Schema): Obj | Status {
  const patch = diffMaps(original, modified, schema,
    { setElementOrder: true, ignoreChangesAndAdditions: false, ignoreDeletions: false, buildRetainKeysDirective: false });
  return finish(patch);
}

/** What client-side `kubectl apply` sends (CreateThreeWayMergePatch with overwrite). */
export function createThreeWayMergePatch(original: Obj, modified: Obj, current: Obj, schema: Schema): Obj | Status {
  const delta = diffMaps(current, modified, schema,
    { setElementOrder: true, ignoreChangesAndAdditions: false, ignoreDeletions: true, buildRetainKeysDirective: false });
  if (delta instanceof PatchError) return toStatus(delta);
  const deletions = diffMaps(original, modified, schema,
    { setElementOrder: true, ignoreChangesAndAdditions: true, ignoreDeletions: false, buildRetainKeysDirective: false });
  if (deletions instanceof PatchError) return toStatus(deletions);
  // The two patches share values with the inputs; merging works in place.
  const patch = mergeMap(structuredClone(deletions), structuredClone(delta), schema,
    { mergeParallelList: false, ignoreUnmatchedNulls: false });
  return finish(patch);
}

function finish(patch: Obj | PatchError): Obj | Status {
  return patch instanceof PatchError ? toStatus(patch) : sortKeysDeep(patch) as Obj;
}
