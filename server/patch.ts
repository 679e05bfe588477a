// PATCH bodies, by content type (AS/pkg/endpoints/handlers/patch.go): RFC 6902 JSON patch
// (fast-json-patch), RFC 7386 merge patch, strategic merge patch for built-in types (driven by
// their OpenAPI patch metadata, model/patch/strategic.ts) and server-side apply
// (model/apply). Each becomes a function from the current object to the patched one, which the
// registry runs inside its read-modify-write loop.
import fastJsonPatch from 'fast-json-patch';
import type { ResourceType } from '../model/catalog.js';
import { isPlainObject, type KubeObject } from '../model/object.js';
import type { PatchFn } from '../model/registry/registry.js';
import { applyConfiguration, invalidPatchOptions, parseApplyBody, patchOptionsErrors } from '../model/apply/index.js';
import { apiVersionOf } from '../model/catalog.js';
import { resetFieldsOf } from '../model/registry/strategy.js';
import { strategicMergePatch } from '../model/patch/strategic.js';
import { builtinSchema } from '../model/schema/builtin.js';
import { schemaOf } from '../model/schema/of-type.js';
import { badRequest, internalError, isStatus, Status, unsupportedMediaType } from '../model/status.js';
import { mediaType } from './body.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';

// What a 415 lists: custom resources have no strategic merge patch (patch.go, crdHandler).
const BUILTIN_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH];
const CUSTOM_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];

export function patchTypeOf(contentType: string | undefined, rt: ResourceType): PatchType | Status {
  const accepted = rt.custom ? CUSTOM_TYPES : BUILTIN_TYPES;
  switch (mediaType(contentType)) {
    case JSON_PATCH: return 'json';
    case MERGE_PATCH: return 'merge';
    case STRATEGIC_PATCH: return rt.custom ? unsupportedMediaType(accepted) : 'strategic';
    case APPLY_PATCH: return 'apply';
    default: return unsupportedMediaType(accepted);
  }
}

export interface PatchRequest {
  readonly type: PatchType;
  readonly rt: ResourceType;
  readonly subresource: string;
  readonly body: Buffer | undefined;
  readonly fieldManager?: string;
  readonly force: boolean;
  /** Ms since the epoch, for managedFields times. */
  readonly now: number;
}

/** The mutation a PATCH body asks for, or the Status for a body that cannot be one. */
export function patchFunction(req: PatchRequest): PatchFn | Status {
  const text = (req.body ?? Buffer.alloc(0)).toString('utf8');
  if (req.type === 'apply') return applyFunction(req, text);
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (e) {
    return badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  switch (req.type) {
    case 'json': {
      if (!Array.isArray(patch)) return badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      const ops = patch as fastJsonPatch.Operation[];
      return (current) => {
        try {
          return fastJsonPatch.applyPatch(structuredClone(current ?? {}), ops, true, false).newDocument as Record<string, unknown>;
        } catch (e) {
          return jsonPatchError(e as Error);
        }
      };
    }
    case 'merge':
      // evanphx/json-patch MergePatch's errBadJSONPatch.
      if (!isPlainObject(patch)) return badRequest('Invalid JSON Patch');
      return (current) => mergePatch(current ?? {}, patch) as Record<string, unknown>;
    case 'strategic': {
      const schema = req.subresource === 'scale' ? builtinSchema('autoscaling', 'v1', 'Scale') : builtinSchema(req.rt.group, req.rt.version, req.rt.kind);
      if (!schema) return internalError(`no schema for ${req.rt.kind}`);
      return (current) => strategicMergePatch((current ?? {}) as Record<string, unknown>, patch, schema);
    }
  }
}

function applyFunction(req: PatchRequest, text: string): PatchFn | Status {
  const errs = patchOptionsErrors(true, req.fieldManager ?? '', req.force);
  if (errs.length) return invalidPatchOptions(errs);
  const applied = parseApplyBody(text);
  if (isStatus(applied)) return applied;
  const { rt, subresource } = req;
  const opts = {
    manager: req.fieldManager ?? '', force: req.force, schema: schemaOf(rt), apiVersion: apiVersionOf(rt.group, rt.version), kind: rt.kind,
    subresource: subresource || undefined, now: req.now, resetFields: resetFieldsOf(rt, subresource),
  };
  return (live: KubeObject | undefined) => applyConfiguration(live, applied, opts);
}

/**
 * A patch that does not apply: patch.go answers NewGenericServerResponse(422), whose message is
 * fixed and whose one cause carries the json-patch library's error, worded here as
 * gopkg.in/evanphx/json-patch.v4 words it.
 */
function jsonPatchError(e: Error & { name?: string; operation?: { op?: string; path?: string } }): Status {
  const op = e.operation?.op ?? '';
  const path = e.operation?.path ?? '';
  let detail = e.message;
  if (e.name === 'TEST_OPERATION_FAILED') detail = `testing value ${path} failed: test failed`;
  else if (e.name === 'OPERATION_PATH_UNRESOLVABLE' && op === 'remove') detail = `Unable to remove nonexistent key: ${path.split('/').pop() ?? ''}: missing value`;
  else if (e.name === 'OPERATION_PATH_UNRESOLVABLE') detail = `${op} operation does not apply: doc is missing key: ${path}: missing value`;
  return new Status(422, 'Invalid', 'the server rejected our request due to an error in our request',
    { causes: [{ reason: 'UnexpectedServerResponse', message: detail }] });
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
