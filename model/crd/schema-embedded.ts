// TypeMeta and ObjectMeta of x-kubernetes-embedded-resource values
// (apiextensions-apiserver pkg/apiserver/schema/objectmeta/validation.go): apiVersion and kind are
// required, kind must be a DNS-1035 label up to case, metadata must be a valid ObjectMeta whose
// names are path segments. The resource's own root metadata is validated by the registry.
import type { ObjectMeta } from '../object.js';
import type { FieldError } from '../status.js';
import { dns1035LabelErrors, validateObjectMeta } from '../validation.js';
import { childPath, indexPath, keyPath } from './schema-gofmt.js';
import { additionalSchema, isJSONObject, itemSchema, ownProperty, type JSONSchemaProps, type JSONValue } from './schema-types.js';

/** Field errors for every embedded resource below `v` (the root itself is not checked). */
export function validateEmbeddedResources(path: string | undefined, s: JSONSchemaProps, v: JSONValue): FieldError[] {
  if (isJSONObject(v)) {
    const errs = path !== undefined && s['x-kubernetes-embedded-resource'] ? validateEmbedded(path, v) : [];
    const additional = additionalSchema(s);
    for (const [k, child] of Object.entries(v)) {
      const prop = ownProperty(s, k);
      if (prop) errs.push(...validateEmbeddedResources(childPath(path, k), prop, child));
      else if (additional) errs.push(...validateEmbeddedResources(keyPath(path ?? '', k), additional, child));
    }
    return errs;
  }
  const items = itemSchema(s);
  if (Array.isArray(v) && items) return v.flatMap((item, i) => validateEmbeddedResources(indexPath(path ?? '', i), items, item));
  return [];
}

function validateEmbedded(path: string, x: Record<string, JSONValue>): FieldError[] {
  const errs: FieldError[] = [];
  if (!Object.hasOwn(x, 'apiVersion')) errs.push({ type: 'FieldValueRequired', field: `${path}.apiVersion` });
  if (!Object.hasOwn(x, 'kind')) errs.push({ type: 'FieldValueRequired', field: `${path}.kind` });
  for (const [k, v] of Object.entries(x)) {
    if (k === 'apiVersion') errs.push(...apiVersionErrors(`${path}.apiVersion`, v));
    else if (k === 'kind') errs.push(...kindErrors(`${path}.kind`, v));
    else if (k === 'metadata') errs.push(...metadataErrors(`${path}.metadata`, v));
  }
  return errs;
}

function apiVersionErrors(field: string, v: JSONValue): FieldError[] {
  if (typeof v !== 'string') return [{ type: 'FieldValueInvalid', field, value: v, detail: 'must be a string' }];
  if (v === '') return [{ type: 'FieldValueRequired', field }];
  // schema.ParseGroupVersion: "v1", "group/v1"; more than one slash is an error.
  if (v.split('/').length > 2) return [{ type: 'FieldValueInvalid', field, value: v, detail: `unexpected GroupVersion string: ${v}` }];
  return [];
}

function kindErrors(field: string, v: JSONValue): FieldError[] {
  if (typeof v !== 'string') return [{ type: 'FieldValueInvalid', field, value: v, detail: 'must be a string' }];
  if (v === '') return [{ type: 'FieldValueRequired', field }];
  const errs = dns1035LabelErrors(v.toLowerCase());
  return errs.length === 0 ? [] : [{ type: 'FieldValueInvalid', field, value: v, detail: `may have mixed case, but should otherwise match: ${errs.join(',')}` }];
}

// ObjectMeta fields that decode from JSON strings, and string maps (encoding/json's type names).
const STRING_FIELDS = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion'];
const STRING_MAP_FIELDS = ['labels', 'annotations'];

function jsonTypeName(v: JSONValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** json.Unmarshal into metav1.ObjectMeta: the first type mismatch, as encoding/json words it. */
function decodeError(v: JSONValue): string | undefined {
  if (!isJSONObject(v)) return v === null ? undefined : `json: cannot unmarshal ${jsonTypeName(v)} into Go value of type v1.ObjectMeta`;
  for (const f of STRING_FIELDS) {
    const x = v[f];
    if (x !== undefined && x !== null && typeof x !== 'string') {
      return `json: cannot unmarshal ${jsonTypeName(x)} into Go struct field ObjectMeta.${f} of type string`;
    }
  }
  for (const f of STRING_MAP_FIELDS) {
    const m = v[f];
    if (m === undefined || m === null) continue;
    if (!isJSONObject(m)) return `json: cannot unmarshal ${jsonTypeName(m)} into Go struct field ObjectMeta.${f} of type map[string]string`;
    const bad = Object.values(m).find((x) => x !== null && typeof x !== 'string');
    if (bad !== undefined) return `json: cannot unmarshal ${jsonTypeName(bad)} into Go struct field ObjectMeta.${f} of type string`;
  }
  return undefined;
}

function metadataErrors(field: string, v: JSONValue): FieldError[] {
  const err = decodeError(v);
  if (err) return [{ type: 'FieldValueInvalid', field, value: v, detail: err }];
  const meta = { ...(isJSONObject(v) ? v : {}) } as ObjectMeta;
  // Upstream fills in a name so an embedded template without one is not rejected for it.
  if (!meta.name) meta.name = 'fakename';
  const namespaced = typeof meta.namespace === 'string' && meta.namespace !== '';
  return validateObjectMeta(meta, { namespaced, nameRule: 'path' })
    .map((e) => ({ ...e, field: field + e.field.slice('metadata'.length) }));
}
