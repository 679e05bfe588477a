// PATCH bodies, by content type (AS/pkg/endpoints/handlers/patch.go): RFC 6902 JSON patch
// (fast-json-patch), RFC 7386 merge patch, strategic merge patch for built-in types (driven by
// their OpenAPI patch metadata, model/patch/strategic.ts) and server-side apply
// (model/apply). Each becomes a function from the current object to the patched one, which the
// registry runs inside its read-modify-write loop.
import fastJsonPatch from 'fast-json-patch';
import type { ResourceType } from '../model/catalog.js';
import { isPlainObject, type KubeObject } from '../model/object.js';
import type { FieldValidation, PatchFn } from '../model/registry/registry.js';
import { applyConfiguration, invalidPatchOptions, parseApplyBody, patchOptionsErrors } from '../model/apply/index.js';
import { apiVersionOf } from '../model/catalog.js';
import { resetFieldsOf } from '../model/registry/strategy.js';
import { strategicMergePatch } from '../model/patch/strategic.js';
import { builtinSchema } from '../model/schema/builtin.js';
import { schemaOf } from '../model/schema/of-type.js';
import { badRequest, internalError, isStatus, Status, unsupportedMediaType } from '../model/status.js';
import { DEFAULTS } from '../model/defaults.js';
import { limitViolation, overflowingLiteral, violationText } from '../model/nesting.js';
import { mediaType } from './body.js';
import { mergePatch } from '../model/patch/merge-patch.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';

// What a custom resource's 415 lists: they have no strategic merge patch (crdHandler).
const CUSTOM_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];

// A built-in type's PATCH route declares what it consumes, so go-restful refuses other types
// before the patch handler runs (installer.go .Consumes; serviceErrorHandler's plain Status).
const ROUTE_UNSUPPORTED = new Status(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});

export function patchTypeOf(contentType: string | undefined, rt: ResourceType): PatchType | Status {
  switch (mediaType(contentType)) {
    case JSON_PATCH: return 'json';
    case MERGE_PATCH: return 'merge';
    case STRATEGIC_PATCH: return rt.custom ? unsupportedMediaType(CUSTOM_TYPES) : 'strategic';
    case APPLY_PATCH: return 'apply';
    default: return rt.custom ? unsupportedMediaType(CUSTOM_TYPES) : ROUTE_UNSUPPORTED;
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
  /** Decides how a JSON patch body is decoded (strictly unless Ignore). */
  readonly fieldValidation?: FieldValidation;
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
  const bad = limitViolation(patch, DEFAULTS.maxNestingDepth);
  if (bad) return badRequest(`error decoding patch: ${violationText(bad, overflowingLiteral(text), 'json', DEFAULTS.maxNestingDepth)}`);
  switch (req.type) {
    case 'json': {
      // patch.go decodes strictly into []jsonPatchOp unless fieldValidation is Ignore, when only
      // the json-patch library decodes it.
      if (!Array.isArray(patch)) {
        return badRequest(req.fieldValidation === 'Ignore'
          ? `json: cannot unmarshal ${goJSONType(patch)} into Go value of type jsonpatch.Patch`
          : `error decoding patch: json: cannot unmarshal ${goJSONType(patch)} into Go value of type []handlers.jsonPatchOp`);
      }
      const ops = patch as fastJsonPatch.Operation[];
      return (current) => applyJSONPatch(structuredClone(current ?? {}), ops);
    }
    case 'merge':
      if (!isPlainObject(patch)) return badRequest(`error decoding patch: json: cannot unmarshal ${goJSONType(patch)} into Go value of type map[string]interface {}`);
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
 * Applies operations one by one as gopkg.in/evanphx/json-patch.v4 does, where `replace` of a
 * missing object key sets it like `add`. Any failure is patch.go's NewGenericServerResponse(422)
 * without causes.
 */
function applyJSONPatch(doc: unknown, ops: readonly fastJsonPatch.Operation[]): Record<string, unknown> | Status {
  let cur = doc;
  for (const op of ops) {
    try {
      cur = fastJsonPatch.applyOperation(cur, op, true, true).newDocument;
    } catch (e) {
      const err = e as Error & { name?: string };
      if (op.op !== 'replace' || err.name !== 'OPERATION_PATH_UNRESOLVABLE') return PATCH_NOT_APPLIED;
      try {
        cur = fastJsonPatch.applyOperation(cur, { op: 'add', path: op.path, value: op.value }, true, true).newDocument;
      } catch {
        return PATCH_NOT_APPLIED;
      }
    }
  }
  return cur as Record<string, unknown>;
}

const PATCH_NOT_APPLIED = new Status(422, 'Invalid', 'the server rejected our request due to an error in our request', {});

/** The JSON type Go's decoder names in "cannot unmarshal <type> into Go value". */
function goJSONType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

