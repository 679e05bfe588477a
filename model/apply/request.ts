// The request side of apply and of managed writes: decoding an apply body (applyPatcher's
// sigs.k8s.io/yaml.Unmarshal), the PatchOptions checks, and the manager name a write without
// fieldManager gets from its User-Agent (handlers' prefixFromUserAgent).

import { parseAllDocuments, type Tags } from 'yaml';
import { DEFAULTS } from '../defaults.js';
import { limitViolation, violationText } from '../nesting.js';
import { badRequest, invalid, isStatus, Status, type FieldError } from '../status.js';
import { isObject } from './value.js';

/** validation.FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

// go-yaml v2, which sigs.k8s.io/yaml uses, resolves YAML 1.1 booleans and ints but leaves
// timestamps and base-60 numbers as strings.
const goYamlTags = (tags: Tags): Tags => tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'));
const YAML_OPTIONS = { version: '1.1', uniqueKeys: false, merge: true, customTags: goYamlTags } as const;

const GO_TYPE: Readonly<Record<string, string>> = { string: 'string', number: 'number', boolean: 'bool', object: 'array' };

/** The applied configuration in an apply-patch body (YAML; JSON is YAML). */
export function parseApplyBody(body: Uint8Array | string): Record<string, unknown> | Status {
  const v = decodeApplyBody(body);
  const bad = isStatus(v) ? undefined : limitViolation(v, DEFAULTS.maxNestingDepth);
  // sigs.k8s.io/yaml reads JSON with go-yaml too, so a JSON body hears go-yaml's words.
  return bad ? badRequest(`error decoding YAML: error converting YAML to JSON: ${violationText(bad, undefined, 'yaml', DEFAULTS.maxNestingDepth)}`) : v;
}

function decodeApplyBody(body: Uint8Array | string): Record<string, unknown> | Status {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  // Most appliers (kubectl, client-go's apply configurations) send JSON, which is YAML 1.1 too:
  // JSON.parse gives the same value at a fraction of the YAML parser's cost.
  if (text.trimStart().startsWith('{')) {
    try {
      const v: unknown = JSON.parse(text);
      if (isObject(v)) return v;
    } catch {
      // Not strict JSON (a flow mapping with YAML in it): the YAML parser decides.
    }
  }
  const [doc] = parseAllDocuments(text, YAML_OPTIONS);
  if (doc === undefined) return {};
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line ?? 1;
    const what = e.message.split(' at line ')[0];
    return badRequest(`error decoding YAML: error converting YAML to JSON: yaml: line ${line}: ${what}`);
  }
  let v: unknown;
  try {
    v = doc.toJS();
  } catch (e) {
    // An alias whose anchor is missing parses but does not resolve (go-yaml: unknown anchor).
    return badRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${(e as Error).message}`);
  }
  if (v === null || v === undefined) return {};
  if (isObject(v)) return v;
  return badRequest('error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal '
    + `${GO_TYPE[typeof v] ?? 'value'} into Go value of type map[string]interface {}`);
}

/** prefixFromUserAgent: the part before the first '/', printable characters, at most 128 bytes. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0];
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!isPrint(ch)) continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function isPrint(ch: string): boolean {
  return PRINT.test(ch);
}

/** ValidateFieldManager, which create, update and patch options all run. */
export function fieldManagerErrors(fieldManager: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
    errs.push({ type: 'FieldValueTooLong', field: 'fieldManager', detail: `must have at most ${FIELD_MANAGER_MAX_LENGTH} bytes` });
  }
  let at = 0;
  for (const ch of fieldManager) {
    if (!isPrint(ch)) {
      const u = (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      errs.push({ type: 'FieldValueInvalid', field: 'fieldManager', value: fieldManager, detail: `invalid character U+${u} (at position ${at})` });
    }
    at += Buffer.byteLength(ch);
  }
  return errs;
}

/**
 * ValidatePatchOptions' fieldManager and force rules. Apply needs a fieldManager; force is for
 * apply only (`forceGiven`: the query had `force` at all).
 */
export function patchOptionsErrors(isApply: boolean, fieldManager: string, forceGiven: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!isApply && forceGiven) {
    errs.push({ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
  }
  if (isApply && fieldManager === '') {
    errs.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' });
  }
  return [...errs, ...fieldManagerErrors(fieldManager)];
}

/** The 422 the patch handler returns for bad PatchOptions. */
export function invalidPatchOptions(errs: readonly FieldError[]): Status {
  return invalid('PatchOptions', 'meta.k8s.io', '', errs);
}
