// The schema part of CRD validation (apiextensions-apiserver pkg/apis/apiextensions/validation,
// validateCustomResourceDefinitionValidation and ValidateCustomResourceDefinitionOpenAPISchema):
// root restrictions with the status subresource, structurality, defaults, the unsupported
// JSON-Schema keywords and the x-kubernetes-* extension rules. CEL rules are checked for shape
// only: they are not compiled, so no cost or compile errors.
import type { FieldError } from '../status.js';
import { validateDefaults } from './schema-crd-defaults.js';
import { childPath, keyPath } from './schema-gofmt.js';
import { validateStructural } from './schema-structural.js';
import { itemSchema, ownProperty, type JSONSchemaProps, type JSONValue } from './schema-types.js';

// JSONSchemaProps fields in Go declaration order, with the Go names upstream's messages use.
const GO_FIELDS: readonly [keyof JSONSchemaProps, string][] = [
  ['id', 'ID'], ['$schema', 'Schema'], ['$ref', 'Ref'], ['description', 'Description'], ['type', 'Type'],
  ['nullable', 'Nullable'], ['format', 'Format'], ['title', 'Title'], ['default', 'Default'], ['maximum', 'Maximum'],
  ['exclusiveMaximum', 'ExclusiveMaximum'], ['minimum', 'Minimum'], ['exclusiveMinimum', 'ExclusiveMinimum'],
  ['maxLength', 'MaxLength'], ['minLength', 'MinLength'], ['pattern', 'Pattern'], ['maxItems', 'MaxItems'],
  ['minItems', 'MinItems'], ['uniqueItems', 'UniqueItems'], ['multipleOf', 'MultipleOf'], ['enum', 'Enum'],
  ['maxProperties', 'MaxProperties'], ['minProperties', 'MinProperties'], ['required', 'Required'], ['items', 'Items'],
  ['allOf', 'AllOf'], ['oneOf', 'OneOf'], ['anyOf', 'AnyOf'], ['not', 'Not'], ['properties', 'Properties'],
  ['additionalProperties', 'AdditionalProperties'], ['patternProperties', 'PatternProperties'],
  ['dependencies', 'Dependencies'], ['additionalItems', 'AdditionalItems'], ['definitions', 'Definitions'],
  ['externalDocs', 'ExternalDocs'], ['example', 'Example'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'], ['x-kubernetes-embedded-resource', 'XEmbeddedResource'],
  ['x-kubernetes-int-or-string', 'XIntOrString'], ['x-kubernetes-list-map-keys', 'XListMapKeys'],
  ['x-kubernetes-list-type', 'XListType'], ['x-kubernetes-map-type', 'XMapType'], ['x-kubernetes-validations', 'XValidations'],
];
const ALLOWED_AT_ROOT_WITH_STATUS = ['Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum',
  'ExclusiveMinimum', 'MaxLength', 'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required',
  'Items', 'Properties', 'ExternalDocs', 'Example', 'XPreserveUnknownFields', 'XValidations'];
const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const SUPPORTED_RULE_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
const NEWLINES = /[\n\r]+/;

/** Go's zero value test that the status-subresource root check skips fields by. */
function isGoZero(v: unknown): boolean {
  return v === undefined || v === false || v === '' || (Array.isArray(v) && v.length === 0);
}

/** specStandardValidatorV3's state along the walk. */
interface Context {
  readonly allowDefaults: boolean;
  readonly disallowDefaultsReason: string;
  readonly insideResourceMeta: boolean;
}

const ROOT_CONTEXT: Context = { allowDefaults: true, disallowDefaultsReason: '', insideResourceMeta: false };

function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail };
}

function typeRequiredOrInvalid(path: string, type: string | undefined, detail: string): FieldError {
  const field = childPath(path, 'type');
  return type ? { type: 'FieldValueInvalid', field, value: type, detail } : { type: 'FieldValueRequired', field, detail };
}

/** specStandardValidatorV3.validate: keywords CRDs do not support. */
function unsupportedKeywords(s: JSONSchemaProps, path: string, ctx: Context): FieldError[] {
  const errs: FieldError[] = [];
  if (s.type && !OPENAPI_V3_TYPES.includes(s.type)) {
    errs.push({ type: 'FieldValueNotSupported', field: childPath(path, 'type'), value: s.type, detail: `supported values: ${OPENAPI_V3_TYPES.map((t) => `"${t}"`).join(', ')}` });
  }
  if (s.default !== undefined && !ctx.allowDefaults) {
    errs.push(forbidden(childPath(path, 'default'), ctx.disallowDefaultsReason ? `must not be set ${ctx.disallowDefaultsReason}` : 'must not be set'));
  }
  if (s.id) errs.push(forbidden(childPath(path, 'id'), 'id is not supported'));
  if (s.additionalItems !== undefined) errs.push(forbidden(childPath(path, 'additionalItems'), 'additionalItems is not supported'));
  if (Object.keys(s.patternProperties ?? {}).length > 0) errs.push(forbidden(childPath(path, 'patternProperties'), 'patternProperties is not supported'));
  if (Object.keys(s.definitions ?? {}).length > 0) errs.push(forbidden(childPath(path, 'definitions'), 'definitions is not supported'));
  if (s.dependencies !== undefined) errs.push(forbidden(childPath(path, 'dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(forbidden(childPath(path, '$ref'), '$ref is not supported'));
  if (s.type === 'null') errs.push(forbidden(childPath(path, 'type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length > 0) errs.push(forbidden(childPath(path, 'items'), 'items must be a schema object and not an array'));
  if (ctx.insideResourceMeta && s['x-kubernetes-embedded-resource']) {
    errs.push(forbidden(childPath(path, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
  }
  return errs;
}

function listTypeErrors(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const items = itemSchema(s);
  if (listType !== undefined && s.type !== 'array') {
    errs.push(typeRequiredOrInvalid(path, s.type, 'must be array if x-kubernetes-list-type is specified'));
  } else if (listType === 'set' && items) {
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
      errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'items.x-kubernetes-list-type'), value: items['x-kubernetes-list-type'], detail: 'must be atomic as item of a list with x-kubernetes-list-type=set' });
    } else if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'items.x-kubernetes-map-type'), value: items['x-kubernetes-list-type'] ?? null, detail: 'must be atomic as item of a list with x-kubernetes-list-type=set' });
    }
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) {
    errs.push({ type: 'FieldValueNotSupported', field: childPath(path, 'x-kubernetes-list-type'), value: listType, detail: 'supported values: "atomic", "set", "map"' });
  }
  if (keys.length > 0) {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined) errs.push({ type: 'FieldValueRequired', field: childPath(path, 'x-kubernetes-list-type'), detail });
    else if (listType !== 'map') errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'x-kubernetes-list-type'), value: listType, detail });
  }
  if (listType === 'map') {
    if (keys.length === 0) errs.push({ type: 'FieldValueRequired', field: childPath(path, 'x-kubernetes-list-map-keys'), detail: 'must not be empty if x-kubernetes-list-type is map' });
    if (s.items === undefined) errs.push({ type: 'FieldValueRequired', field: childPath(path, 'items'), detail: 'must have a schema if x-kubernetes-list-type is map' });
    else if (!items) errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'items'), value: s.items as JSONValue, detail: 'must only have a single schema if x-kubernetes-list-type is map' });
    else if (items.type !== 'object') errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'items.type'), value: items.type ?? '', detail: "must be object if parent array's x-kubernetes-list-type is map" });
    else {
      const seen = new Set<string>();
      for (const k of keys) {
        const p = ownProperty(items, k);
        if (!p) errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'x-kubernetes-list-map-keys'), value: [...keys], detail: 'entries must all be names of item properties' });
        else if (p.type === 'array' || p.type === 'object') {
          errs.push({ type: 'FieldValueInvalid', field: childPath(keyPath(childPath(path, 'items.properties'), k), 'type'), value: items.type, detail: "must be a scalar type if parent array's x-kubernetes-list-type is map" });
        }
        if (seen.has(k)) errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'x-kubernetes-list-map-keys'), value: [...keys], detail: 'must not contain duplicate entries' });
        seen.add(k);
      }
    }
  }
  // validateMapListKeysMapSet: set and map items, and map keys, may not be null.
  if (items && (listType === 'set' || listType === 'map')) {
    if (items.nullable) errs.push(forbidden(childPath(path, 'items.nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
    if (listType === 'map') {
      for (const k of keys) {
        const p = ownProperty(items, k);
        if (!p) continue;
        const keyField = keyPath(childPath(path, 'items.properties'), k);
        if (!(items.required ?? []).includes(k) && p.default === undefined) {
          errs.push({ type: 'FieldValueRequired', field: childPath(keyField, 'default'), detail: 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' });
        }
        if (p.nullable) errs.push(forbidden(childPath(keyField, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
      }
    }
  }
  return errs;
}

function validationRuleErrors(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const at = (f: string): string => childPath(`${childPath(path, 'x-kubernetes-validations')}[${i}]`, f);
    const trimmedRule = (rule.rule ?? '').trim();
    const message = rule.message ?? '';
    const trimmedMsg = message.trim();
    if (trimmedRule === '') errs.push({ type: 'FieldValueRequired', field: at('rule'), detail: 'rule is not specified' });
    else if (message !== '' && trimmedMsg === '') errs.push({ type: 'FieldValueInvalid', field: at('message'), value: message, detail: 'message must be non-empty if specified' });
    else if (NEWLINES.test(trimmedMsg)) errs.push({ type: 'FieldValueInvalid', field: at('message'), value: message, detail: 'message must not contain line breaks' });
    else if (NEWLINES.test(trimmedRule) && trimmedMsg === '') errs.push({ type: 'FieldValueRequired', field: at('message'), detail: 'message must be specified if rule contains line breaks' });
    if ((rule.messageExpression ?? '') !== '' && rule.messageExpression?.trim() === '') {
      errs.push({ type: 'FieldValueRequired', field: at('messageExpression'), detail: 'messageExpression must be non-empty if specified' });
    }
    if (rule.reason !== undefined && !SUPPORTED_RULE_REASONS.includes(rule.reason)) {
      errs.push({ type: 'FieldValueNotSupported', field: at('reason'), value: rule.reason, detail: `supported values: ${SUPPORTED_RULE_REASONS.map((r) => `"${r}"`).join(', ')}` });
    }
    const fieldPath = rule.fieldPath ?? '';
    if (fieldPath !== '' && fieldPath.trim() === '') errs.push({ type: 'FieldValueInvalid', field: at('fieldPath'), value: fieldPath, detail: 'fieldPath must be non-empty if specified' });
    if (NEWLINES.test(fieldPath)) errs.push({ type: 'FieldValueInvalid', field: at('fieldPath'), value: fieldPath, detail: 'fieldPath must not contain line breaks' });
  });
  return errs;
}

/** ValidateCustomResourceDefinitionOpenAPISchema: the keyword and extension rules, recursively. */
function validateOpenAPISchema(s: JSONSchemaProps | undefined, path: string, ctx: Context, isRoot: boolean): FieldError[] {
  if (!s) return [];
  const errs = unsupportedKeywords(s, path, ctx);
  if (s.uniqueItems) errs.push(forbidden(childPath(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  const ap = s.additionalProperties;
  if (ap !== undefined) {
    if (Object.keys(s.properties ?? {}).length > 0 && (ap === false || typeof ap === 'object')) {
      errs.push(forbidden(childPath(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = ctx.insideResourceMeta ? { ...ctx, allowDefaults: false, disallowDefaultsReason: 'inside additionalProperties applying to object metadata' } : ctx;
    if (typeof ap === 'object') errs.push(...validateOpenAPISchema(ap, childPath(path, 'additionalProperties'), sub, false));
  }
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    let sub = ctx;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(name)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${name}` };
    }
    errs.push(...validateOpenAPISchema(prop, keyPath(childPath(path, 'properties'), name), sub, false));
  }
  errs.push(...validateOpenAPISchema(s.not, childPath(path, 'not'), ctx, false));
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    s[key]?.forEach((x, i) => errs.push(...validateOpenAPISchema(x, `${childPath(path, key)}[${i}]`, ctx, false)));
  }
  for (const [name, def] of Object.entries(s.definitions ?? {})) {
    errs.push(...validateOpenAPISchema(def, keyPath(childPath(path, 'definitions'), name), ctx, false));
  }
  if (Array.isArray(s.items)) s.items.forEach((x, i) => errs.push(...validateOpenAPISchema(x, `${childPath(path, 'items')}[${i}]`, ctx, false)));
  else errs.push(...validateOpenAPISchema(itemSchema(s), childPath(path, 'items'), ctx, false));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'x-kubernetes-preserve-unknown-fields'), value: false, detail: 'must be true or undefined' });
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && s.type !== 'object') errs.push(typeRequiredOrInvalid(path, s.type, 'must be object if x-kubernetes-map-type is specified'));
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push({ type: 'FieldValueNotSupported', field: childPath(path, 'x-kubernetes-map-type'), value: mapType, detail: 'supported values: "atomic", "granular"' });
  }
  errs.push(...listTypeErrors(s, path), ...validationRuleErrors(s, path));
  return errs;
}

/** NewStructural's refusals, reported only when nothing else is wrong with the schema. */
function structuralInitError(s: JSONSchemaProps): string | undefined {
  if (s.id) return "OpenAPIV3Schema 'id' is not supported";
  if (s.$schema) return "OpenAPIV3Schema 'schema' is not supported";
  if (s.$ref) return "OpenAPIV3Schema '$ref' is not supported";
  if (Object.keys(s.patternProperties ?? {}).length > 0) return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (Object.keys(s.dependencies ?? {}).length > 0) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (s.additionalItems !== undefined) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (Object.keys(s.definitions ?? {}).length > 0) return "OpenAPIV3Schema 'definitions' is not supported";
  if (s['x-kubernetes-preserve-unknown-fields'] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  if (Array.isArray(s.items) && s.items.length > 0) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  const children: (JSONSchemaProps | undefined)[] = [itemSchema(s), s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []),
    ...Object.values(s.properties ?? {}), typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined];
  for (const c of children) {
    const err = c && structuralInitError(c);
    if (err) return err;
  }
  return undefined;
}

/**
 * validateCustomResourceDefinitionValidation for one `{openAPIV3Schema}` at `path`
 * (`spec.validation` or `spec.versions[i].schema`).
 */
export function validateSchemaOfVersion(schema: JSONSchemaProps | undefined, statusEnabled: boolean, path: string): FieldError[] {
  if (!schema) return [];
  const root = childPath(path, 'openAPIV3Schema');
  const errs: FieldError[] = [];
  if (statusEnabled) {
    for (const [key, goName] of GO_FIELDS) {
      if (isGoZero(schema[key])) continue;
      if (goName === 'Type') {
        if (schema.type === 'object') continue;
        errs.push({ type: 'FieldValueInvalid', field: childPath(root, 'type'), value: schema.type ?? '', detail: 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled' });
        break;
      }
      if (!ALLOWED_AT_ROOT_WITH_STATUS.includes(goName)) {
        errs.push({ type: 'FieldValueInvalid', field: root, value: schema as JSONValue, detail: `only [${ALLOWED_AT_ROOT_WITH_STATUS.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled` });
        break;
      }
    }
  }
  if (schema.nullable) errs.push(forbidden(childPath(root, 'nullable'), 'nullable cannot be true at the root'));
  const initError = structuralInitError(schema);
  if (!initError) {
    const structural = validateStructural(root, schema);
    errs.push(...(structural.length > 0 ? structural : validateDefaults(root, schema)));
  }
  errs.push(...validateOpenAPISchema(schema, root, ROOT_CONTEXT, true));
  if (errs.length === 0 && initError) errs.push({ type: 'FieldValueInvalid', field: root, value: '', detail: initError });
  return errs;
}
