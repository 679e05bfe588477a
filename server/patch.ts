// PATCH bodies: RFC 6902 JSON patch (fast-json-patch) and RFC 7386 merge patch. Strategic merge
// patch is applied as a merge patch for now: maps merge and null deletes, but lists are replaced
// and `$patch` directives are not understood (see docs/architecture.md, "Not yet").
import fastJsonPatch from 'fast-json-patch';
import { isPlainObject } from '../model/object.js';
import { badRequest, new422, unsupportedMediaType, type Status } from '../model/status.js';
import { mediaType } from './body.js';

export type PatchType = 'json' | 'merge' | 'strategic';

export const SUPPORTED_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

export function patchTypeOf(contentType: string | undefined): PatchType | Status {
  switch (mediaType(contentType)) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    default: return unsupportedMediaType(SUPPORTED_PATCH_TYPES);
  }
}

export function parsePatch(body: Buffer | undefined): unknown | Status {
  try {
    return JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
  } catch (e) {
    return badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

export function applyPatch(type: PatchType, doc: unknown, patch: unknown): unknown | Status {
  if (type === 'json') {
    if (!Array.isArray(patch)) return badRequest('json patch must be an array of operations');
    try {
      return fastJsonPatch.applyPatch(doc, patch as fastJsonPatch.Operation[], true, false).newDocument;
    } catch (e) {
      return new422(`the server rejected our request due to an error in our request: ${(e as Error).message}`);
    }
  }
  if (!isPlainObject(patch)) return badRequest('merge patch must be a JSON object');
  return mergePatch(doc, patch);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
