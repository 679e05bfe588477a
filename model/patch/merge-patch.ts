// RFC 7386 JSON merge patch, as evanphx/json-patch MergePatch applies it: objects merge, null
// deletes, anything else (lists too) replaces. Inputs are not changed.
import { isPlainObject } from '../object.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
