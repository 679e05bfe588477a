// Custom resource validation against a CRD version's structural schema, as kube-apiserver 1.32's
// customresource strategy does it: the OpenAPI schema validation (schema-openapi.ts) turned into
// field errors the way apiextensions-apiserver's kubeOpenAPIResultToFieldErrors does
// (pkg/apiserver/validation/validation.go), then embedded resources' TypeMeta/ObjectMeta, then the
// set/map list invariants. Not done: x-kubernetes-validations (CEL rules are not evaluated) and
// validation ratcheting on update.
import type { FieldError } from '../status.js';
import { validateEmbeddedResources } from './schema-embedded.js';
import { childPath, goJSON, goQuote } from './schema-gofmt.js';
import { validateListSetsAndMaps } from './schema-listtype.js';
import { validateValue, type OpenAPIError } from './schema-openapi.js';
import type { JSONSchemaProps, JSONValue } from './schema-types.js';

export type { JSONSchemaProps } from './schema-types.js';

// field.Path.String() of a nil path, where apiextensions reports errors without a field.
const NIL_PATH = '<nil>';

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** One kube-openapi error as the field error apiextensions makes of it, under `base`. */
function toFieldError(e: OpenAPIError, base: string | undefined): FieldError {
  if (e.code === 'composite') return { type: 'FieldValueInvalid', field: base ?? NIL_PATH, value: '', detail: e.message };
  const name = e.name.startsWith('.') ? e.name.slice(1) : e.name;
  const field = name !== '' ? childPath(base, name) : base ?? NIL_PATH;
  const value = e.value ?? '';
  switch (e.code) {
    case 'required':
      return { type: 'FieldValueRequired', field };
    case 'enum': {
      const allowed = (e.values ?? []).map((x) => goQuote(typeof x === 'string' ? x : goJSON(x)));
      return { type: 'FieldValueNotSupported', field, value: e.value ?? null, ...(allowed.length > 0 ? { detail: `supported values: ${allowed.join(', ')}` } : {}) };
    }
    case 'tooLong': {
      const max = e.limit ?? -1;
      return { type: 'FieldValueTooLong', field, detail: max >= 0 ? `may not be more than ${max} ${plural(max, 'byte', 'bytes')}` : 'value is too long' };
    }
    case 'maxItems':
    case 'tooManyProperties': {
      const max = e.limit ?? -1;
      return { type: 'FieldValueTooMany', field, value, detail: max >= 0 ? `must have at most ${max} ${plural(max, 'item', 'items')}` : 'has too many items' };
    }
    case 'type':
      return { type: 'FieldValueTypeInvalid', field, value, detail: e.message };
    default:
      return { type: 'FieldValueInvalid', field, value, detail: e.message };
  }
}

/**
 * ValidateCustomResource: the schema's OpenAPI checks on `value`, as field errors below `base`
 * (undefined for a whole object, as the customresource strategy passes a nil path).
 */
export function validateAgainstSchema(value: JSONValue, schema: JSONSchemaProps, base?: string): FieldError[] {
  return validateValue(schema, value, '').errors.map((e) => toFieldError(e, base));
}

/**
 * The field errors kube-apiserver reports for a custom resource against its version's
 * `openAPIV3Schema`, in upstream order. Run it on the pruned and defaulted object, as the
 * server does (decoding prunes and defaults before the strategy validates).
 */
export function validateCustomResource(obj: Readonly<Record<string, unknown>>, schema: JSONSchemaProps): FieldError[] {
  const value = obj as Record<string, JSONValue>;
  return [
    ...validateAgainstSchema(value, schema),
    ...validateEmbeddedResources(undefined, schema, value),
    ...validateListSetsAndMaps(undefined, schema, value),
  ];
}
