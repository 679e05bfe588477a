// OpenAPI v3 value validation as kube-apiserver 1.32 runs it on custom resources: a port of the
// behaviour of k8s.io/kube-openapi/pkg/validation/validate (SchemaValidator and its type,
// schema-props, string, format, number, slice, common and object validators), including the
// order errors come in and the "match count" that picks which failed anyOf/oneOf branch is shown.
// Messages are kube-openapi's (pkg/validation/errors); schema-validation.ts turns them into field
// errors as apiextensions does.
import { effectiveFormat, formatAccepts } from './schema-formats.js';
import { compilePattern } from './schema-pattern.js';
import { goFloat, goJSON, goNumber, goQuote, isGoInt } from './schema-gofmt.js';
import { additionalSchema, itemSchema, jsonEqual, ownProperty, type JSONSchemaProps, type JSONValue } from './schema-types.js';

/** kube-openapi error codes, as far as apiextensions tells them apart. */
export type OpenAPIErrorCode =
  | 'type' | 'required' | 'enum' | 'tooLong' | 'maxItems' | 'tooManyProperties' | 'other' | 'composite';

/** One errors.Validation (or, for `composite`, one errors.New) from kube-openapi. */
export interface OpenAPIError {
  readonly code: OpenAPIErrorCode;
  /** The path kube-openapi built: '' at the root, '.spec' for a root-level required field. */
  readonly name: string;
  readonly message: string;
  readonly value?: JSONValue;
  /** For enum: the allowed values. */
  readonly values?: readonly JSONValue[];
  /** For tooLong, maxItems and tooManyProperties: the limit. */
  readonly limit?: number;
}

interface Result {
  errors: OpenAPIError[];
  /** go-openapi's MatchCount: how many checks passed; the best failed branch is the highest. */
  matchCount: number;
}

const IN = 'body';
// swag.IsFloat64AJSONInteger: the relative error up to which a float is a whole number.
const JSON_INTEGER_EPSILON = 1e-9;
// swag's maxJSONFloat, 2^53 - 1: larger floats are never JSON integers.
const MAX_JSON_FLOAT = 9007199254740991;

function fail(e: OpenAPIError): Result {
  return { errors: [e], matchCount: 0 };
}

function merge(into: Result, from: Result | undefined): void {
  if (!from) return;
  into.errors.push(...from.errors);
  into.matchCount += from.matchCount;
}

type Kind = 'null' | 'boolean' | 'string' | 'number' | 'array' | 'object';

function kindOf(v: JSONValue): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : (typeof v as 'boolean' | 'string' | 'number');
}

interface Prepared {
  /** The type list ConvertJSONSchemaProps gives go-openapi; int-or-string becomes two types. */
  readonly types: readonly string[];
  /** The format left after apiextensions strips unsupported ones. */
  readonly format: string;
}

// Schemas are long-lived (one per CRD version), so what each node needs is derived once.
const prepared = new WeakMap<JSONSchemaProps, Prepared>();
const INT_OR_STRING = ['integer', 'string'] as const;
const NO_TYPES: readonly string[] = [];

function prepare(s: JSONSchemaProps): Prepared {
  let p = prepared.get(s);
  if (!p) {
    const types = s['x-kubernetes-int-or-string'] ? INT_OR_STRING : s.type ? [s.type] : NO_TYPES;
    p = { types, format: effectiveFormat(s.format) };
    prepared.set(s, p);
  }
  return p;
}

function isJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || Math.abs(f) > MAX_JSON_FLOAT) return false;
  return Number.isInteger(f) || Math.abs(f - Math.round(f)) / Math.abs(f) < JSON_INTEGER_EPSILON;
}

function typeError(name: string, typeName: string, value: string): OpenAPIError {
  return { code: 'type', name, value, message: `${name} in ${IN} must be of type ${typeName}: ${goQuote(value)}` };
}

/** typeValidator: the JSON type (and, for non-strings, a string format) the value must have. */
function validateType(s: JSONSchemaProps, types: readonly string[], format: string, v: JSONValue, path: string): Result {
  const kind = kindOf(v);
  if (kind === 'null') {
    if (types.length > 0 && !types.includes('null') && !s.nullable) return fail(typeError(path, types.join(','), 'null'));
    return { errors: [], matchCount: 1 };
  }
  let schType: string = kind;
  let dataFormat = '';
  if (kind === 'number') {
    const int = isGoInt(v as number);
    schType = int ? 'integer' : 'number';
    dataFormat = int ? 'int64' : 'float64';
  }
  const isFloatInt = schType === 'number' && isJSONInteger(v as number) && types.includes('integer');
  const isIntFloat = schType === 'integer' && types.includes('number');
  const stringLike = kind === 'string' || kind === 'array';
  if (!stringLike && format !== '' && !(types.includes(schType) || dataFormat === format || isFloatInt || isIntFloat)) {
    return fail(typeError(path, format, dataFormat));
  }
  if (!types.includes('number') && !types.includes('integer') && format !== '' && stringLike) {
    return { errors: [], matchCount: 1 };
  }
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) return fail(typeError(path, types.join(','), schType));
  return { errors: [], matchCount: 1 };
}

function composite(message: string): OpenAPIError {
  return { code: 'composite', name: '', message };
}

/** schemaPropsValidator: anyOf, oneOf, allOf and not, each branch validated at the same path. */
function validateSchemaProps(s: JSONSchemaProps, v: JSONValue, path: string): Result {
  const main: Result = { errors: [], matchCount: 0 };
  if (s.anyOf && s.anyOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    for (const branch of s.anyOf) {
      const r = validateValue(branch, v, path);
      if (r.errors.length === 0) {
        best = undefined;
        firstSuccess = r;
        break;
      }
      if (!best || r.matchCount > best.matchCount) best = r;
    }
    if (!firstSuccess) main.errors.push(composite(`${goQuote(path)} must validate at least one schema (anyOf)`));
    merge(main, best ?? firstSuccess);
  }
  if (s.oneOf && s.oneOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    let validated = 0;
    for (const branch of s.oneOf) {
      const r = validateValue(branch, v, path);
      if (r.errors.length === 0) {
        validated++;
        best = undefined;
        firstSuccess ??= r;
        continue;
      }
      if (validated === 0 && (!best || r.matchCount > best.matchCount)) best = r;
    }
    if (validated !== 1) {
      const found = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      main.errors.push(composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${found}`));
      merge(main, best);
    } else {
      merge(main, firstSuccess);
    }
  }
  if (s.allOf && s.allOf.length > 0) {
    let validated = 0;
    for (const branch of s.allOf) {
      const r = validateValue(branch, v, path);
      if (r.errors.length === 0) validated++;
      merge(main, r);
    }
    if (validated !== s.allOf.length) {
      main.errors.push(composite(`${goQuote(path)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`));
    }
  }
  if (s.not && validateValue(s.not, v, path).errors.length === 0) {
    main.errors.push(composite(`${goQuote(path)} must not validate the schema (not)`));
  }
  main.matchCount++;
  return main;
}

/** stringValidator: maxLength, minLength, pattern; the first failure only. */
function runeCount(v: string): number {
  let n = 0;
  for (const _ of v) n++;
  return n;
}

function validateString(s: JSONSchemaProps, v: string, path: string): Result | undefined {
  const runes = s.maxLength !== undefined || s.minLength !== undefined ? runeCount(v) : 0;
  if (s.maxLength !== undefined && runes > s.maxLength) {
    return fail({ code: 'tooLong', name: path, value: v, limit: s.maxLength, message: `${path} in ${IN} should be at most ${s.maxLength} chars long` });
  }
  if (s.minLength !== undefined && runes < s.minLength) {
    return fail({ code: 'other', name: path, value: v, message: `${path} in ${IN} should be at least ${s.minLength} chars long` });
  }
  if (s.pattern) {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) {
      return fail({ code: 'other', name: path, value: v, message: `${path} in ${IN} should match '${s.pattern}, but pattern is invalid: ${re.message}'` });
    }
    if (!re.test(v)) return fail({ code: 'other', name: path, value: v, message: `${path} in ${IN} should match '${s.pattern}'` });
  }
  return undefined;
}

function boundError(path: string, v: number, limit: number, int: boolean, max: boolean, exclusive: boolean): OpenAPIError {
  const shown = int ? goNumber(Math.trunc(limit)) : goFloat(limit);
  const relation = max ? (exclusive ? 'less than' : 'less than or equal to') : (exclusive ? 'greater than' : 'greater than or equal to');
  return { code: 'other', name: path, value: v, message: `${path} in ${IN} should be ${relation} ${shown}` };
}

/** numberValidator: multipleOf, minimum, maximum; int64 values compare against truncated limits. */
function validateNumber(s: JSONSchemaProps, v: number, path: string): Result {
  const r: Result = { errors: [], matchCount: 1 };
  const int = isGoInt(v);
  if (s.multipleOf !== undefined) {
    const f = s.multipleOf;
    if (f < 0) {
      r.errors.push({ code: 'other', name: path, value: f, message: `factor MultipleOf declared for ${path} must be positive: ${int ? goNumber(Math.trunc(f)) : goFloat(f)}` });
    } else if (int) {
      const factor = Math.trunc(f);
      if (factor !== 0 && v % factor !== 0) r.errors.push({ code: 'other', name: path, value: v, message: `${path} in ${IN} should be a multiple of ${goNumber(factor)}` });
    } else if (!isJSONInteger(f < 1 ? (1 / f) * v : v / f)) {
      r.errors.push({ code: 'other', name: path, value: v, message: `${path} in ${IN} should be a multiple of ${goFloat(f)}` });
    }
  }
  if (s.minimum !== undefined) {
    const min = int ? Math.trunc(s.minimum) : s.minimum;
    if (s.exclusiveMinimum ? v <= min : v < min) r.errors.push(boundError(path, v, s.minimum, int, false, s.exclusiveMinimum === true));
  }
  if (s.maximum !== undefined) {
    const max = int ? Math.trunc(s.maximum) : s.maximum;
    if (s.exclusiveMaximum ? v >= max : v > max) r.errors.push(boundError(path, v, s.maximum, int, true, s.exclusiveMaximum === true));
  }
  return r;
}

/** sliceValidator: items first, then minItems, maxItems, uniqueItems. */
function validateSlice(s: JSONSchemaProps, v: JSONValue[], path: string): Result {
  const r: Result = { errors: [], matchCount: 0 };
  const items = itemSchema(s);
  if (items) v.forEach((item, i) => merge(r, validateValue(items, item, `${path}[${i}]`)));
  if (s.minItems !== undefined && v.length < s.minItems) {
    r.errors.push({ code: 'other', name: path, value: v.length, message: `${path} in ${IN} should have at least ${s.minItems} items` });
  }
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    r.errors.push({ code: 'maxItems', name: path, value: v.length, limit: s.maxItems, message: `${path} in ${IN} should have at most ${s.maxItems} items` });
  }
  if (s.uniqueItems && v.some((x, i) => v.slice(0, i).some((y) => jsonEqual(x, y)))) {
    r.errors.push({ code: 'other', name: path, message: `${path} in ${IN} shouldn't contain duplicates` });
  }
  r.matchCount++;
  return r;
}

/** Enum membership with Go's reflect conversion: a value converts to each allowed value's type. */
function enumMatches(allowed: JSONValue, v: JSONValue): boolean {
  if (allowed === null || v === null) return false;
  if (typeof allowed === 'number' && typeof v === 'number') return isGoInt(allowed) ? Math.trunc(v) === allowed : v === allowed;
  if (typeof allowed === 'string' && typeof v === 'number' && isGoInt(v)) {
    return v >= 0 && v <= 0x10ffff && String.fromCodePoint(v) === allowed;
  }
  return jsonEqual(allowed, v);
}

/** fmt's %v of a decoded JSON value, close enough for the enum message apiextensions discards. */
function goV(v: JSONValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  return v === null ? '<nil>' : goJSON(v);
}

function validateEnum(s: JSONSchemaProps, v: JSONValue, path: string): Result | undefined {
  if (!s.enum || s.enum.length === 0 || s.enum.some((e) => enumMatches(e, v))) return undefined;
  return fail({ code: 'enum', name: path, value: v, values: s.enum, message: `${path} in ${IN} should be one of [${s.enum.map(goV).join(' ')}]` });
}

/** objectValidator: property counts, additionalProperties, properties, then required. */
function validateObject(s: JSONSchemaProps, v: Record<string, JSONValue>, path: string): Result {
  const keys = Object.keys(v);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    return fail({ code: 'other', name: path, value: keys.length, message: `${path} in ${IN} should have at least ${s.minProperties} properties` });
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    return fail({ code: 'tooManyProperties', name: path, value: keys.length, limit: s.maxProperties, message: `${path} in ${IN} should have at most ${s.maxProperties} properties` });
  }
  const r: Result = { errors: [], matchCount: 0 };
  const additional = additionalSchema(s);
  for (const key of keys) {
    if (ownProperty(s, key)) continue;
    if (s.additionalProperties === false) {
      r.errors.push({ code: 'other', name: path, value: key, message: `${path}.${key} in ${IN} is a forbidden property` });
    } else if (additional) {
      merge(r, validateValue(additional, v[key], `${path}.${key}`));
    }
  }
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    if (Object.hasOwn(v, name)) merge(r, validateValue(prop, v[name], path ? `${path}.${name}` : name));
  }
  for (const name of s.required ?? []) {
    if (!Object.hasOwn(v, name)) r.errors.push({ code: 'required', name: `${path}.${name}`, message: `${path}.${name} in ${IN} is required` });
  }
  return r;
}

/** One applicable validator's result: merged, and counted as a match like SchemaValidator does. */
function step(r: Result, res: Result | undefined): void {
  merge(r, res);
  r.matchCount++;
}

/** SchemaValidator.Validate: every validator that applies to the value's kind, in upstream order. */
export function validateValue(s: JSONSchemaProps, v: JSONValue, path: string): Result {
  const { types, format } = prepare(s);
  const r: Result = { errors: [], matchCount: 0 };
  const kind = kindOf(v);
  if (kind === 'null') {
    merge(r, validateType(s, types, format, v, path));
    merge(r, validateEnum(s, v, path));
    return r;
  }
  if (types.length > 0 || format !== '') step(r, validateType(s, types, format, v, path));
  step(r, validateSchemaProps(s, v, path));
  if (kind === 'string') {
    step(r, validateString(s, v as string, path));
    if (format !== '') step(r, formatAccepts(format, v as string) ? undefined : fail(typeError(path, format, v as string)));
  }
  if (kind === 'number') step(r, validateNumber(s, v as number, path));
  if (kind === 'array') step(r, validateSlice(s, v as JSONValue[], path));
  step(r, validateEnum(s, v, path));
  if (kind === 'object') step(r, validateObject(s, v as Record<string, JSONValue>, path));
  r.matchCount++;
  return r;
}
