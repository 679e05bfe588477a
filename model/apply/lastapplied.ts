// kubectl's move from client-side to server-side apply (lastappliedmanager.go and
// lastappliedupdater.go): when `kubectl` applies server-side over an object it applied
// client-side, the fields its last-applied-configuration annotation still matches are its own
// and cannot conflict; and while that annotation exists, server-side applies keep it current.

import { compareObjects } from './compare.js';
import { valueFieldSet } from './fieldset.js';
import type { FieldSet } from './set.js';
import type { UpdaterContext } from './updater.js';
import { validate } from './validate.js';
import { goJSON, isObject, type JsonObject } from './value.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Only kubectl's own applies take part (other managers opt out by their name). */
export const KUBECTL_MANAGER = 'kubectl';

// apimachinery validation.TotalAnnotationSizeLimitB (256 KiB).
const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

function annotationsOf(obj: JsonObject): Record<string, unknown> | undefined {
  const meta = obj.metadata;
  return isObject(meta) && isObject(meta.annotations) ? meta.annotations : undefined;
}

export function lastAppliedOf(obj: JsonObject): string {
  const v = annotationsOf(obj)?.[LAST_APPLIED_ANNOTATION];
  return typeof v === 'string' ? v : '';
}

/**
 * The fields the annotation on live claims and live still has as claimed; undefined when there
 * is no usable annotation.
 */
export function allowedConflicts(ctx: UpdaterContext, live: JsonObject): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (text === '') return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(last) || last.apiVersion !== ctx.apiVersion || validate(last, ctx.schema) !== '') return undefined;
  const c = compareObjects(last, live, ctx.schema);
  return valueFieldSet(last, ctx.schema).difference(c.modified).difference(c.added).difference(c.removed);
}

/** The annotation value for an applied configuration: itself, compact, keys sorted, minus the annotation. */
function buildLastApplied(applied: JsonObject): string {
  const meta = applied.metadata;
  const annotations = isObject(meta) && isObject(meta.annotations) ? meta.annotations : undefined;
  if (!annotations || !(LAST_APPLIED_ANNOTATION in annotations)) return `${goJSON(applied)}\n`;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(annotations)) if (k !== LAST_APPLIED_ANNOTATION) rest[k] = v;
  return `${goJSON({ ...applied, metadata: { ...(meta as JsonObject), annotations: rest } })}\n`;
}

/** SetLastApplied after a kubectl apply: refreshed, or dropped when annotations would be too big. */
export function refreshLastApplied(obj: JsonObject, applied: JsonObject): JsonObject {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const annotations: Record<string, unknown> = { ...(annotationsOf(obj) ?? {}), [LAST_APPLIED_ANNOTATION]: buildLastApplied(applied) };
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) delete annotations[LAST_APPLIED_ANNOTATION];
  return { ...obj, metadata: { ...meta, annotations } };
}
