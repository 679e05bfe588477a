// Whether a CRD schema is structural (apiextensions-apiserver pkg/apiserver/schema/validation.go
// and complete.go, ValidateStructural): every node has a type, value validations (allOf, anyOf,
// oneOf, not) only restrict what the structure already specifies, metadata is at most restricted
// in name and generateName, plus the x-kubernetes-* invariants. Errors come sorted by their text.
import { fieldErrorBody, type FieldError } from '../status.js';
import { childPath, keyPath } from './schema-gofmt.js';
import { compilePattern } from './schema-pattern.js';
import { itemSchema, ownProperty, type JSONSchemaProps } from './schema-types.js';

type Level = 'root' | 'item' | 'field';

const EMPTY_TYPE_DETAIL: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

function prop(path: string, key: string): string {
  return keyPath(childPath(path, 'properties'), key);
}

/** A value-validation clause that is exactly `{type: <t>}`, as in the IntOrString pattern. */
function isBareType(s: JSONSchemaProps, type: string): boolean {
  const keys = Object.keys(s);
  return keys.length === 1 && s.type === type;
}

function isIntOrStringAnyOf(anyOf: readonly JSONSchemaProps[] | undefined): boolean {
  return anyOf !== undefined && anyOf.length === 2 && isBareType(anyOf[0], 'integer') && isBareType(anyOf[1], 'string');
}

function validateValueValidation(s: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) s.anyOf?.forEach((x, i) => errs.push(...validateNested(x, false, lvl, `${childPath(path, 'anyOf')}[${i}]`)));
  s.allOf?.forEach((x, i) => errs.push(...validateNested(x, skipFirstAllOfAnyOf && i === 0, lvl, `${childPath(path, 'allOf')}[${i}]`)));
  s.oneOf?.forEach((x, i) => errs.push(...validateNested(x, false, lvl, `${childPath(path, 'oneOf')}[${i}]`)));
  if (s.not) errs.push(...validateNested(s.not, false, lvl, childPath(path, 'not')));
  if (s.pattern) {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) {
      errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'pattern'), value: s.pattern, detail: `must be a valid regular expression, but isn't: ${re.message}` });
    }
  }
  return errs;
}

// What a value-validation clause may not carry, with upstream's wording (validateNestedValueValidation).
const FORBIDDEN_IN_NESTED: readonly [keyof JSONSchemaProps, string][] = [
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['externalDocs', 'must be undefined to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
  ['x-kubernetes-map-type', 'must be undefined to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

function isSet(s: JSONSchemaProps, key: keyof JSONSchemaProps): boolean {
  const v = s[key];
  if (v === undefined || v === false || v === '') return false;
  return !Array.isArray(v) || v.length > 0;
}

function validateNested(v: JSONSchemaProps, skipAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs = validateValueValidation(v, skipAnyOf, false, lvl, path);
  const items = itemSchema(v);
  if (items) errs.push(...validateNested(items, false, lvl, childPath(path, 'items')));
  for (const [k, x] of Object.entries(v.properties ?? {})) errs.push(...validateNested(x, false, 'field', prop(path, k)));
  if (v.type) errs.push({ type: 'FieldValueForbidden', field: childPath(path, 'type'), detail: 'must be empty to be structural' });
  if (v.additionalProperties !== undefined) {
    errs.push({ type: 'FieldValueForbidden', field: childPath(path, 'additionalProperties'), detail: 'must be undefined to be structural' });
  }
  for (const [key, detail] of FORBIDDEN_IN_NESTED) {
    if (key === 'default' ? v.default !== undefined : isSet(v, key)) errs.push({ type: 'FieldValueForbidden', field: childPath(path, key), detail });
  }
  if (v.properties && Object.hasOwn(v.properties, 'metadata')) {
    errs.push({ type: 'FieldValueForbidden', field: prop(path, 'metadata'), detail: 'must not be specified in a nested context' });
  }
  return errs;
}

// Root metadata may restrict these, and only when they are its only properties.
const META_NAME_FIELDS = new Set(['name', 'generateName']);
// Reset or dropped before upstream compares the root metadata schema with an empty one.
const META_IGNORED = new Set(['type', 'default', 'example']);

function isZero(v: unknown): boolean {
  return v === undefined || v === false || v === '';
}

/** The metadata schema: an object; at the root, nothing but name/generateName restrictions. */
function validateMetadata(s: JSONSchemaProps, checkMetadata: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.type !== 'object') errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'type'), value: s.type ?? '', detail: 'must be object' });
  if (lvl === 'root') {
    const names = Object.keys(s.properties ?? {});
    const onlyNames = names.length <= 2 && names.every((n) => META_NAME_FIELDS.has(n));
    const restricted = Object.entries(s).some(([k, v]) => !META_IGNORED.has(k) && !(k === 'properties' && onlyNames) && !isZero(v));
    if (restricted) {
      errs.push({ type: 'FieldValueForbidden', field: path, detail: 'must not specify anything other than name and generateName, but metadata is implicitly specified' });
    }
  }
  return errs;
}

function validateInvariants(s: JSONSchemaProps, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = itemSchema(s);
  if (s.type === 'array' && !items) errs.push({ type: 'FieldValueRequired', field: childPath(path, 'items'), detail: 'must be specified' });
  if (items) errs.push(...validateInvariants(items, 'item', childPath(path, 'items')));
  for (const [k, x] of Object.entries(s.properties ?? {})) errs.push(...validateInvariants(x, 'field', prop(path, k)));
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push({ type: 'FieldValueForbidden', field: childPath(path, 'additionalProperties'), detail: 'must not be used at the root' });
    if (typeof s.additionalProperties === 'object') errs.push(...validateInvariants(s.additionalProperties, 'field', childPath(path, 'additionalProperties')));
  }
  if (intOrString && preserve) {
    errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'x-kubernetes-preserve-unknown-fields'), value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  }
  if (intOrString && embedded) {
    errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'x-kubernetes-embedded-resource'), value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  }
  errs.push(...validateValueValidation(s, isIntOrStringAnyOf(s.anyOf), isIntOrStringAnyOf(s.allOf?.[0]?.anyOf), lvl, path));
  const checkMetadata = lvl === 'root' || embedded;
  const type = s.type ?? '';
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(type === '' ? { type: 'FieldValueRequired', field: childPath(path, 'type'), detail } : { type: 'FieldValueInvalid', field: childPath(path, 'type'), value: type, detail });
  } else if (type === '' && !intOrString && !preserve) {
    errs.push({ type: 'FieldValueRequired', field: childPath(path, 'type'), detail: EMPTY_TYPE_DETAIL[lvl] });
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push({ type: 'FieldValueForbidden', field: childPath(path, 'additionalProperties'), detail: 'must not be used if x-kubernetes-embedded-resource is set' });
  }
  if (lvl === 'root' && type !== '' && type !== 'object') errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'type'), value: type, detail: 'must be object at the root' });
  for (const meta of ['kind', 'apiVersion']) {
    const m = ownProperty(s, meta);
    if (m && checkMetadata && m.type !== 'string') errs.push({ type: 'FieldValueInvalid', field: childPath(prop(path, meta), 'type'), value: m.type ?? '', detail: 'must be string' });
  }
  const metadata = ownProperty(s, 'metadata');
  if (metadata) errs.push(...validateMetadata(metadata, checkMetadata, lvl, prop(path, 'metadata')));
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    errs.push({ type: 'FieldValueRequired', field: childPath(path, 'properties'), detail: 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields' });
  }
  return errs;
}

/** Value validations may only name fields and items the structure specifies (complete.go). */
function validateCompleteness(v: JSONSchemaProps, s: JSONSchemaProps, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  const nested = (x: JSONSchemaProps, p: string): void => {
    errs.push(...validateNestedCompleteness(x, s, sPath, p));
  };
  if (v.not) nested(v.not, childPath(vPath, 'not'));
  v.allOf?.forEach((x, i) => nested(x, `${childPath(vPath, 'allOf')}[${i}]`));
  v.anyOf?.forEach((x, i) => nested(x, `${childPath(vPath, 'anyOf')}[${i}]`));
  v.oneOf?.forEach((x, i) => nested(x, `${childPath(vPath, 'oneOf')}[${i}]`));
  return errs;
}

function validateNestedCompleteness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [{ type: 'FieldValueRequired', field: sPath, detail: `because it is defined in ${vPath}` }];
  const errs = validateCompleteness(v, s, sPath, vPath);
  const vItems = itemSchema(v);
  if (vItems) errs.push(...validateNestedCompleteness(vItems, itemSchema(s), childPath(sPath, 'items'), childPath(vPath, 'items')));
  for (const [k, x] of Object.entries(v.properties ?? {})) {
    errs.push(...validateNestedCompleteness(x, ownProperty(s, k), prop(sPath, k), prop(vPath, k)));
  }
  return errs;
}

function errorText(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** ValidateStructural: the errors that make `s` non-structural, sorted like upstream's. */
export function validateStructural(path: string, s: JSONSchemaProps): FieldError[] {
  const errs = [...validateInvariants(s, 'root', path), ...validateCompleteness(s, s, path, path)];
  return errs
    .map((e) => ({ e, text: errorText(e) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map(({ e }) => e);
}
