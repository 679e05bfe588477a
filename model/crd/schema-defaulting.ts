// Structural defaulting of custom resources (apiextensions-apiserver
// pkg/apiserver/schema/defaulting/algorithm.go). The CR codec runs it after pruning, on every
// decode of a request body and of stored objects, so a default added to a CRD shows up on the
// next read of old objects too.
import { additionalSchema, isJSONObject, itemSchema, ownProperty, type JSONSchemaProps, type JSONValue } from './schema-types.js';

/** A null the schema does not allow and can replace with its default. */
function isNonNullableNull(x: JSONValue | undefined, s: JSONSchemaProps | undefined): s is JSONSchemaProps {
  return x === null && s !== undefined && !s.nullable;
}

function deepCopy(v: JSONValue): JSONValue {
  return structuredClone(v);
}

function applyDefaults(x: JSONValue, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isJSONObject(x)) {
    // Top-down: a defaulted object is itself walked below, so nested defaults fill it in.
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (prop.default === undefined) continue;
      if (!Object.hasOwn(x, k) || isNonNullableNull(x[k], prop)) x[k] = deepCopy(prop.default);
    }
    const additional = additionalSchema(s);
    for (const k of Object.keys(x)) {
      const prop = ownProperty(s, k);
      if (prop) {
        applyDefaults(x[k], prop);
      } else if (s.additionalProperties !== undefined) {
        if (isNonNullableNull(x[k], additional) && additional.default !== undefined) x[k] = deepCopy(additional.default);
        applyDefaults(x[k], additional);
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemSchema(s);
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && items.default !== undefined) x[i] = deepCopy(items.default);
      applyDefaults(x[i], items);
    }
  }
}

/**
 * Applies the schema's `default`s to `obj` in place: an absent field, or a null where the
 * schema is not nullable, gets its default (deep-copied), parents before children; defaults
 * reach into array items and additionalProperties values. A null that is allowed (nullable)
 * stays null. Call it after `pruneCustomResource`, which already removed the non-nullable nulls
 * that have no default.
 */
export function defaultCustomResource(obj: Record<string, unknown>, schema: JSONSchemaProps): void {
  applyDefaults(obj as Record<string, JSONValue>, schema);
}
