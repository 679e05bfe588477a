// Object-metadata validation with kube-apiserver 1.32's exact texts. Sources:
// apimachinery pkg/util/validation/validation.go (name and label formats),
// pkg/api/validation/objectmeta.go + generic.go (ObjectMeta), pkg/api/validation/path/name.go,
// pkg/apis/meta/v1/validation (labels), apiserver pkg/storage/names/generate.go (generateName).
// Lengths are Go `len`, i.e. UTF-8 bytes, because the limits are byte limits upstream.
import type { FieldError } from './status.js';
import type { ObjectMeta, OwnerReference } from './object.js';
import type { Rng } from './rng.js';

// ---- message builders (validation.go) ----

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Go's RegexError, including its doubled space before " or " between examples. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((ex, i) => {
    if (i > 0) out += ' or ';
    out += `'${ex}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

const EMPTY_ERROR = 'must be non-empty';

function byteLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// ---- DNS names ----

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123_LABEL_MAX_LENGTH = 63;
const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
export const DNS1035_LABEL_MAX_LENGTH = 63;
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);

/** IsDNS1123Label: the list of problems, empty when valid. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    // Length was reported above, so a valid subdomain that is not a label can only have dots.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** IsDNS1123Subdomain: the list of problems, empty when valid. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}

/** IsDNS1035Label (Service names): the list of problems, empty when valid. */
export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

export function isDNS1123Label(value: string): boolean {
  return dns1123LabelErrors(value).length === 0;
}

export function isDNS1123Subdomain(value: string): boolean {
  return dns1123SubdomainErrors(value).length === 0;
}

// ---- path-segment names (RBAC objects and others stored under a path segment) ----

const NAME_MAY_NOT_BE = ['.', '..'];
const NAME_MAY_NOT_CONTAIN = ['/', '%'];

/** ValidatePathSegmentName; with `prefix` the exact-match rule is skipped (a suffix follows). */
export function pathSegmentNameErrors(name: string, prefix = false): string[] {
  if (!prefix) {
    for (const bad of NAME_MAY_NOT_BE) if (name === bad) return [`may not be '${bad}'`];
  }
  const errs: string[] = [];
  for (const bad of NAME_MAY_NOT_CONTAIN) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

// ---- qualified names and label values ----

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QNAME_MAX_LENGTH = 63;
const qnameRe = new RegExp(`^${QNAME_FMT}$`);

/** IsQualifiedName: label keys, annotation keys, finalizers. Empty when valid. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else for (const msg of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    return [`a qualified name ${regexError(QNAME_ERR, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`
      + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLen(name) > QNAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QNAME_MAX_LENGTH)}`);
  if (!qnameRe.test(name)) errs.push(`name part ${regexError(QNAME_ERR, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LABEL_VALUE_MAX_LENGTH = 63;
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** IsValidLabelValue. Empty when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- name rules (ValidateNameFunc) ----

/**
 * How a type's metadata.name is checked. 'dns1035' is what Services use upstream
 * (ValidateServiceName); 'label' is namespaces and most network-facing names.
 */
export type NameRule = 'subdomain' | 'label' | 'path' | 'dns1035';

// Upstream quirk: drops the last two characters and appends one. Reproduced because it decides
// which generateName prefixes validate (e.g. "a-" passes, "-" fails).
function maskTrailingDash(name: string): string {
  if (name.length > 1 && name.endsWith('-')) return `${name.slice(0, -2)}a`;
  return name;
}

/** The nameFn upstream passes to ValidateObjectMeta; `prefix` is true for generateName. */
export function nameErrors(rule: NameRule, name: string, prefix = false): string[] {
  switch (rule) {
    case 'subdomain': return dns1123SubdomainErrors(prefix ? maskTrailingDash(name) : name);
    case 'label': return dns1123LabelErrors(prefix ? maskTrailingDash(name) : name);
    case 'dns1035': return dns1035LabelErrors(prefix ? maskTrailingDash(name) : name);
    case 'path': return pathSegmentNameErrors(name, prefix);
  }
}

// ---- ObjectMeta pieces ----

export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

function invalidErr(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

function stringEntries(m: unknown): [string, string][] {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return [];
  return Object.entries(m as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]);
}

export function validateLabels(labels: Readonly<Record<string, string>> | undefined, field = 'metadata.labels'): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of stringEntries(labels)) {
    for (const msg of qualifiedNameErrors(k)) errs.push(invalidErr(field, k, msg));
    for (const msg of labelValueErrors(v)) errs.push(invalidErr(field, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, field = 'metadata.annotations'): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of stringEntries(annotations)) {
    // Annotation keys are case-insensitive qualified names; the error still shows the key as sent.
    for (const msg of qualifiedNameErrors(k.toLowerCase())) errs.push(invalidErr(field, k, msg));
    total += byteLen(k) + byteLen(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
    errs.push({ type: 'FieldValueTooLong', field, detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT_BYTES} bytes` });
  }
  return errs;
}

/** schema.ParseGroupVersion's view of an apiVersion: only the version matters here. */
function apiVersionParts(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return undefined;
}

export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, field = 'metadata.ownerReferences'): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(refs)) return errs;
  let firstController = '';
  for (const ref of refs as readonly Partial<OwnerReference>[]) {
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const kind = typeof ref.kind === 'string' ? ref.kind : '';
    const name = typeof ref.name === 'string' ? ref.name : '';
    const uid = typeof ref.uid === 'string' ? ref.uid : '';
    // An unparsable apiVersion leaves Go with an empty version, hence the same message.
    const gv = apiVersionParts(apiVersion) ?? { group: '', version: '' };
    if (!gv.version) errs.push(invalidErr(`${field}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!kind) errs.push(invalidErr(`${field}.kind`, kind, 'must not be empty'));
    if (!name) errs.push(invalidErr(`${field}.name`, name, 'must not be empty'));
    if (!uid) errs.push(invalidErr(`${field}.uid`, uid, 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && kind === 'Event') {
      errs.push(invalidErr(field, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${kind}/${name}`;
      if (firstController) {
        errs.push(invalidErr(field, refs,
          `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: readonly string[] | undefined, field = 'metadata.finalizers'): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(finalizers)) return errs;
  let orphan = false;
  let foreground = false;
  for (const f of finalizers) {
    const s = typeof f === 'string' ? f : String(f);
    for (const msg of qualifiedNameErrors(s)) errs.push(invalidErr(field, s, msg));
    if (s === 'orphan') orphan = true;
    if (s === 'foregroundDeletion') foreground = true;
  }
  if (orphan && foreground) {
    errs.push(invalidErr(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface ObjectMetaValidationOptions {
  readonly namespaced: boolean;
  readonly nameRule: NameRule;
}

/**
 * ValidateObjectMeta for create. Upstream runs it after the name was generated; kemu's registry
 * may call it before, so an empty name with a generateName is not reported as missing.
 */
export function validateObjectMeta(meta: Readonly<ObjectMeta>, opts: ObjectMetaValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof meta.name === 'string' ? meta.name : '';
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';

  if (generateName) {
    for (const msg of nameErrors(opts.nameRule, generateName, true)) errs.push(invalidErr('metadata.generateName', generateName, msg));
  }
  if (!name) {
    if (!generateName) errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  } else {
    for (const msg of nameErrors(opts.nameRule, name, false)) errs.push(invalidErr('metadata.name', name, msg));
  }

  if (opts.namespaced) {
    if (!namespace) errs.push({ type: 'FieldValueRequired', field: 'metadata.namespace' });
    else for (const msg of dns1123LabelErrors(namespace)) errs.push(invalidErr('metadata.namespace', namespace, msg));
  } else if (namespace) {
    errs.push({ type: 'FieldValueForbidden', field: 'metadata.namespace', detail: 'not allowed on this type' });
  }

  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(invalidErr('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels));
  errs.push(...validateAnnotations(meta.annotations));
  errs.push(...validateOwnerReferences(meta.ownerReferences));
  errs.push(...validateFinalizers(meta.finalizers));
  return errs;
}

// ---- generateName (apiserver pkg/storage/names, apimachinery pkg/util/rand) ----

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const GENERATED_SUFFIX_LENGTH = 5;
/** 63 - 5: the base is cut so base+suffix still fits a DNS label. */
export const MAX_GENERATE_NAME_BASE_LENGTH = 58;

export type RandomSource = Rng | (() => number);

function draw(rng: RandomSource): number {
  const v = typeof rng === 'function' ? rng() : rng.next();
  // Guard against a source returning exactly 1 (or junk) so the index stays in range.
  const i = Math.floor(v * NAME_ALPHABET.length);
  return i >= 0 && i < NAME_ALPHABET.length ? i : 0;
}

export function generateNameSuffix(rng: RandomSource): string {
  let out = '';
  for (let i = 0; i < GENERATED_SUFFIX_LENGTH; i++) out += NAME_ALPHABET[draw(rng)];
  return out;
}

export function generateName(base: string, rng: RandomSource): string {
  const cut = base.length > MAX_GENERATE_NAME_BASE_LENGTH ? base.slice(0, MAX_GENERATE_NAME_BASE_LENGTH) : base;
  return cut + generateNameSuffix(rng);
}
