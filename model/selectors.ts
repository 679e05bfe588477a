// Label and field selectors as kube-apiserver 1.32 parses and applies them. The label grammar,
// lexer quirks and error texts follow apimachinery pkg/labels/selector.go; field selectors follow
// pkg/fields/selector.go; the per-type field labels follow the AddFieldLabelConversionFunc
// registrations (pkg/apis/*/v*/conversion.go) and the strategies' ToSelectableFields.
import { badRequest, fieldErrorBody, type FieldError, type Status } from './status.js';
import type { ObjectMeta } from './object.js';
import { labelValueErrors, qualifiedNameErrors } from './validation.js';

// =====================================================================================
// Label selectors
// =====================================================================================

/** selection.Operator values, as Go spells them. */
export type LabelSelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** Sorted by key, as the Go parser leaves them. */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not restrict anything (`labels.Everything()`). */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** The value a `k=v`, `k==v` or single-valued `k in (v)` requirement pins the key to. */
  requiresExactMatch(key: string): string | undefined;
  toString(): string;
}

/** metav1.LabelSelector. */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirementObject[];
}

export interface LabelSelectorRequirementObject {
  readonly key: string;
  /** In, NotIn, Exists, DoesNotExist. */
  readonly operator: string;
  readonly values?: readonly string[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined where Go would return an error. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const exists = hasOwn(labels, r.key);
  switch (r.operator) {
    case 'in': case '=': case '==':
      return exists && r.values.includes(labels[r.key]);
    case 'notin': case '!=':
      // Absent keys satisfy negative requirements: `tier!=db` selects objects with no tier.
      return !exists || !r.values.includes(labels[r.key]);
    case 'exists':
      return exists;
    case '!':
      return !exists;
    case 'gt': case 'lt': {
      if (!exists || r.values.length !== 1) return false;
      const have = parseInt64(labels[r.key]);
      const want = parseInt64(r.values[0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

function sortedCopy(values: readonly string[]): string[] {
  return [...values].sort(byteCompare);
}

// Go sorts strings byte-wise; for BMP text UTF-16 order agrees with that.
function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function requirementString(r: LabelRequirement): string {
  let s = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists': case '!': return s;
    case 'in': s += ' in ('; break;
    case 'notin': s += ' notin ('; break;
    case 'gt': s += '>'; break;
    case 'lt': s += '<'; break;
    default: s += r.operator;
  }
  s += r.values.length === 1 ? r.values[0] : sortedCopy(r.values).join(',');
  if (r.operator === 'in' || r.operator === 'notin') s += ')';
  return s;
}

class RequirementSelector implements LabelSelector {
  constructor(
    readonly requirements: readonly LabelRequirement[],
    // labels.Nothing(): what a null metav1.LabelSelector means to controllers.
    private readonly nothing = false,
  ) {}

  get empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.nothing) return false;
    const ls = labels ?? {};
    for (const r of this.requirements) if (!requirementMatches(r, ls)) return false;
    return true;
  }

  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  toString(): string {
    return this.nothing ? '' : this.requirements.map(requirementString).join(',');
  }
}

export const everythingLabelSelector: LabelSelector = new RequirementSelector([]);
export const nothingLabelSelector: LabelSelector = new RequirementSelector([], true);

// ---- field.ErrorList rendering, for the texts NewRequirement's aggregate error produces ----

function fieldErrorText(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** utilerrors.NewAggregate(...).Error(): one message bare, several bracketed, duplicates dropped. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

const VALID_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

/**
 * labels.NewRequirement with a nil field path. Returns the requirement or the error text.
 * `values` is null where Go would hold a nil slice (printed as `null`).
 */
function newRequirement(key: string, op: LabelSelectorOperator, values: readonly string[] | null): LabelRequirement | string {
  const errs: FieldError[] = [];
  const vals = values ?? [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length) errs.push({ type: 'FieldValueInvalid', field: 'key', value: key, detail: keyErrs.join('; ') });
  switch (op) {
    case 'in': case 'notin':
      if (vals.length === 0) errs.push({ type: 'FieldValueInvalid', field: 'values', value: values, detail: "for 'in', 'notin' operators, values set can't be empty" });
      break;
    case '=': case '==': case '!=':
      if (vals.length !== 1) errs.push({ type: 'FieldValueInvalid', field: 'values', value: values, detail: 'exact-match compatibility requires one single value' });
      break;
    case 'exists': case '!':
      if (vals.length !== 0) errs.push({ type: 'FieldValueInvalid', field: 'values', value: values, detail: 'values set must be empty for exists and does not exist' });
      break;
    case 'gt': case 'lt':
      if (vals.length !== 1) errs.push({ type: 'FieldValueInvalid', field: 'values', value: values, detail: "for 'Gt', 'Lt' operators, exactly one value is required" });
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push({ type: 'FieldValueInvalid', field: `values[${i}]`, value: v, detail: "for 'Gt', 'Lt' operators, the value must be an integer" });
        }
      });
      break;
    default:
      errs.push({ type: 'FieldValueNotSupported', field: 'operator', value: op,
        detail: `supported values: ${VALID_OPERATORS.map((o) => JSON.stringify(o)).join(', ')}` });
  }
  vals.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push({ type: 'FieldValueInvalid', field: `values[${i}][${key}]`, value: v, detail: valueErrs.join('; ') });
  });
  if (errs.length) return aggregate(errs.map(fieldErrorText));
  return { key, operator: op, values: [...vals] };
}

// ---- lexer ----

type Token =
  | 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

// A Map, not an object literal: an identifier such as "constructor" must not look like a token.
const STRING_TO_TOKEN = new Map<string, Token>([
  [')', ')'], [',', ','], ['!', '!'], ['==', '=='], ['=', '='], ['>', '>'], ['in', 'in'],
  ['<', '<'], ['!=', '!='], ['notin', 'notin'], ['(', '('],
]);

interface Scanned {
  readonly tok: Token;
  readonly lit: string;
}

// Go's lexer reads bytes and uses 0 for "end of input"; a NUL inside the string ends it too.
const END = '\0';

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
}

function scan(s: string): Scanned[] {
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++] : END);

  const scanIdOrKeyword = (): Scanned => {
    let buf = '';
    for (;;) {
      const ch = read();
      if (ch === END) break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        pos--;
        break;
      }
      buf += ch;
    }
    return { tok: STRING_TO_TOKEN.get(buf) ?? 'identifier', lit: buf };
  };

  // Longest run of special characters that still forms a token: "!=" beats "!", "==" beats "=".
  const scanSpecialSymbol = (): Scanned => {
    let last: Scanned | undefined;
    let buf = '';
    for (;;) {
      const ch = read();
      if (ch === END) break;
      if (isSpecialSymbol(ch)) {
        buf += ch;
        const tok = STRING_TO_TOKEN.get(buf);
        if (tok) {
          last = { tok, lit: buf };
        } else if (last) {
          pos--;
          break;
        }
      } else {
        pos--;
        break;
      }
    }
    return last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` };
  };

  const out: Scanned[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Scanned;
    if (ch === END) {
      item = { tok: 'eos', lit: '' };
    } else {
      pos--;
      item = isSpecialSymbol(ch) ? scanSpecialSymbol() : scanIdOrKeyword();
    }
    out.push(item);
    if (item.tok === 'eos') return out;
  }
}

// ---- parser ----

type Context = 'keyAndOperator' | 'values';

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class ParseError {
  constructor(readonly message: string) {}
}

class Parser {
  private position = 0;
  constructor(private readonly items: readonly Scanned[]) {}

  // In a values context `in` and `notin` are plain identifiers: `x in (in)` is legal.
  private adjust(item: Scanned, ctx: Context): Scanned {
    if (ctx === 'values' && (item.tok === 'in' || item.tok === 'notin')) return { tok: 'identifier', lit: item.lit };
    return item;
  }

  lookahead(ctx: Context): Scanned {
    return this.adjust(this.items[this.position], ctx);
  }

  consume(ctx: Context): Scanned {
    const item = this.items[this.position];
    // The trailing eos is never consumed past in valid flows; clamping keeps bad input safe.
    if (this.position < this.items.length - 1) this.position++;
    return this.adjust(item, ctx);
  }

  parse(): LabelRequirement[] | ParseError {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      if (tok === 'identifier' || tok === '!') {
        const r = this.parseRequirement();
        if (r instanceof ParseError) return new ParseError(`unable to parse requirement: ${r.message}`);
        requirements.push(r);
        const next = this.consume('values');
        if (next.tok === 'eos') return requirements;
        if (next.tok === ',') {
          const after = this.lookahead('values');
          if (after.tok !== 'identifier' && after.tok !== '!') {
            return new ParseError(`found '${after.lit}', expected: identifier after ','`);
          }
          continue;
        }
        return new ParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'eos') return requirements;
      return new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): LabelRequirement | ParseError {
    const head = this.parseKeyAndInferOperator();
    if (head instanceof ParseError) return head;
    const { key } = head;
    if (head.operator === 'exists' || head.operator === '!') return this.build(key, head.operator, []);
    const op = this.parseOperator();
    if (op instanceof ParseError) return op;
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    if (values instanceof ParseError) return values;
    return this.build(key, op, values);
  }

  private build(key: string, op: LabelSelectorOperator, values: Iterable<string>): LabelRequirement | ParseError {
    // sets.String.List(): unique and sorted.
    const list = sortedCopy([...values]);
    const r = newRequirement(key, op, list);
    return typeof r === 'string' ? new ParseError(r) : r;
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelSelectorOperator | '' } | ParseError {
    let operator: LabelSelectorOperator | '' = '';
    let item = this.consume('values');
    if (item.tok === '!') {
      operator = '!';
      item = this.consume('values');
    }
    if (item.tok !== 'identifier') return new ParseError(`found '${item.lit}', expected: identifier`);
    const keyErrs = qualifiedNameErrors(item.lit);
    if (keyErrs.length) {
      // The parser's own field path is nil, which field.Path prints as "<nil>".
      return new ParseError(fieldErrorText({ type: 'FieldValueInvalid', field: '<nil>', value: item.lit, detail: keyErrs.join('; ') }));
    }
    const next = this.lookahead('values').tok;
    if ((next === 'eos' || next === ',') && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  private parseOperator(): LabelSelectorOperator | ParseError {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in': return 'in';
      case '=': return '=';
      case '==': return '==';
      case '>': return 'gt';
      case '<': return 'lt';
      case 'notin': return 'notin';
      case '!=': return '!=';
      default: return new ParseError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private parseValues(): Set<string> | ParseError {
    const open = this.consume('values');
    if (open.tok !== '(') return new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === 'identifier' || tok === ',') {
      const s = this.parseIdentifiersList();
      if (s instanceof ParseError) return s;
      if (this.consume('values').tok !== ')') return new ParseError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ')') {
      this.consume('values');
      return new Set(['']);
    }
    return new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  // Empty entries are values too: `(a,,b)` and `(,a)` both include "".
  private parseIdentifiersList(): Set<string> | ParseError {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'identifier') {
        s.add(lit);
        const next = this.lookahead('values');
        if (next.tok === ',') continue;
        if (next.tok === ')') return s;
        return new ParseError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (s.size === 0) s.add('');
        const next = this.lookahead('values').tok;
        if (next === ')') {
          s.add('');
          return s;
        }
        if (next === ',') s.add('');
        continue;
      }
      return new ParseError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> | ParseError {
    const ahead = this.lookahead('values').tok;
    if (ahead === 'eos' || ahead === ',') return new Set(['']);
    const { tok, lit } = this.consume('values');
    if (tok === 'identifier') return new Set([lit]);
    return new ParseError(`found '${lit}', expected: identifier`);
  }
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return byteCompare(a.key, b.key);
}

/** labels.Parse. Errors are 400 BadRequest with the Go parser's text. */
export function parseLabelSelector(s: string): LabelSelector | Status {
  const result = new Parser(scan(s)).parse();
  if (result instanceof ParseError) return badRequest(result.message);
  return result.length === 0 ? everythingLabelSelector : new RequirementSelector(result.sort(byKey));
}

const METAV1_OPERATORS: Readonly<Record<string, LabelSelectorOperator>> = {
  In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!',
};

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything.
 * Invalid contents come back as a 400 with the upstream error text.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector | Status {
  if (sel === null || sel === undefined) return nothingLabelSelector;
  const matchLabels = sel.matchLabels ?? {};
  const expressions = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + expressions.length === 0) return everythingLabelSelector;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    const r = newRequirement(k, '=', [v]);
    if (typeof r === 'string') return badRequest(r);
    reqs.push(r);
  }
  for (const expr of expressions) {
    const op = hasOwn(METAV1_OPERATORS, expr.operator) ? METAV1_OPERATORS[expr.operator] : undefined;
    if (!op) return badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    const values = expr.values && expr.values.length ? [...expr.values] : null;
    const r = newRequirement(expr.key, op, values);
    if (typeof r === 'string') return badRequest(r);
    reqs.push(r);
  }
  return new RequirementSelector(reqs.sort(byKey));
}

// =====================================================================================
// Field selectors
// =====================================================================================

export interface FieldRequirement {
  readonly field: string;
  /** `==` is folded into `=`, as upstream does. */
  readonly op: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  /** In the order upstream evaluates them: terms sorted as strings. */
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** The value of the first `metadata.name=` requirement: the single-object watch case. */
  exactName(): string | undefined;
  /** RequiresExactMatch for any field. */
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

class TermSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(fields: Readonly<Record<string, string>>): boolean {
    for (const r of this.requirements) {
      // fields.Set.Get: a field the type never sets reads as "".
      const have = hasOwn(fields, r.field) ? fields[r.field] : '';
      if ((have === r.value) !== (r.op === '=')) return false;
    }
    return true;
  }

  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.op === '=' && r.field === field) return r.value;
    return undefined;
  }

  exactName(): string | undefined {
    return this.requiresExactMatch('metadata.name');
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(',');
  }
}

export const everythingFieldSelector: FieldSelector = new TermSelector([]);

/** Split on commas that are not backslash-escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

// The field name cannot be escaped, so the first operator anywhere in the term splits it.
function splitTerm(term: string): { lhs: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.UnescapeValue; the error texts (including the rune printed as a number) are Go's. */
function unescapeValue(s: string): string | ParseError {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else return new ParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      return new ParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) return new ParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.ParseSelector. Errors are 400 BadRequest with upstream's text. */
export function parseFieldSelector(s: string): FieldSelector | Status {
  const parts = splitTerms(s).sort(byteCompare);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) return badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const value = unescapeValue(t.rhs);
    if (value instanceof ParseError) return badRequest(value.message);
    reqs.push({ field: t.lhs, op: t.op === '!=' ? '!=' : '=', value });
  }
  return reqs.length === 0 ? everythingFieldSelector : new TermSelector(reqs);
}

// ---- which field labels each type accepts (the field label conversion funcs) ----

/** The custom resource facts field selection needs; absent for built-in types. */
export interface CustomResourceFieldInfo {
  readonly namespaced: boolean;
  /** spec.versions[].selectableFields[].jsonPath of the served version, e.g. ".spec.color". */
  readonly selectableFields?: readonly string[];
}

interface FieldLabelRules {
  readonly accepted: readonly string[];
  readonly reject: (label: string) => string;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

// runtime.DefaultMetaV1FieldSelectorConversion: every kind without its own conversion func,
// which in 1.32 includes all of apps/v1 (so ReplicaSets reject status.replicas).
const DEFAULT_RULES: FieldLabelRules = {
  accepted: ['metadata.name', 'metadata.namespace'],
  reject: (label) => `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const FIELD_LABEL_RULES: ReadonlyMap<string, FieldLabelRules> = new Map<string, FieldLabelRules>([
  ['/pods', {
    accepted: [
      'metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
      'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs',
      'status.nominatedNodeName',
      // Legacy alias of spec.nodeName; fieldsOf fills both so no rewrite is needed.
      'spec.host',
    ],
    reject: notSupported,
  }],
  // Cluster-scoped types that register a func do not accept metadata.namespace at all.
  ['/nodes', { accepted: ['metadata.name', 'spec.unschedulable'], reject: notSupported }],
  ['/namespaces', { accepted: ['metadata.name', 'status.phase'], reject: notSupported }],
  ['/secrets', { accepted: ['metadata.name', 'metadata.namespace', 'type'], reject: notSupported }],
  ['/services', { accepted: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'], reject: notSupported }],
  ['/replicationcontrollers', { accepted: ['metadata.name', 'metadata.namespace', 'status.replicas'], reject: notSupported }],
  ['/events', {
    accepted: [
      'metadata.name', 'metadata.namespace', 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name',
      'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
      'reason', 'reportingComponent', 'source', 'type',
    ],
    reject: notSupported,
  }],
  ['batch/jobs', {
    accepted: ['metadata.name', 'metadata.namespace', 'status.successful'],
    reject: (label) => `field label ${JSON.stringify(label)} not supported for batchv1.Job`,
  }],
  ['certificates.k8s.io/certificatesigningrequests', { accepted: ['metadata.name', 'spec.signerName'], reject: notSupported }],
]);

function customResourceRules(crd: CustomResourceFieldInfo): FieldLabelRules {
  const accepted = crd.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  for (const p of crd.selectableFields ?? []) accepted.push(p.replace(/^\./, ''));
  return { accepted, reject: notSupported };
}

function rulesFor(group: string, resource: string, crd?: CustomResourceFieldInfo): FieldLabelRules {
  if (crd) return customResourceRules(crd);
  return FIELD_LABEL_RULES.get(`${group}/${resource}`) ?? DEFAULT_RULES;
}

/** The field labels a list/watch of this type may select on. */
export function supportedFields(group: string, resource: string, crd?: CustomResourceFieldInfo): readonly string[] {
  return rulesFor(group, resource, crd).accepted;
}

/** The 400 text kube-apiserver gives for an unsupported field label on this type. */
export function unsupportedFieldMessage(group: string, resource: string, field: string, crd?: CustomResourceFieldInfo): string {
  return rulesFor(group, resource, crd).reject(field);
}

/**
 * The first requirement (in evaluation order) on a field outside `supported` → 400. The default
 * text is the one most conversion funcs use; pass `message` (or use validateFieldSelectorFor) for
 * types whose text differs.
 */
export function validateFieldSelector(
  sel: FieldSelector,
  supported: readonly string[],
  message: (field: string) => string = notSupported,
): Status | undefined {
  for (const r of sel.requirements) if (!supported.includes(r.field)) return badRequest(message(r.field));
  return undefined;
}

/** validateFieldSelector with the type's own list and error text. */
export function validateFieldSelectorFor(
  sel: FieldSelector, group: string, resource: string, crd?: CustomResourceFieldInfo,
): Status | undefined {
  const rules = rulesFor(group, resource, crd);
  return validateFieldSelector(sel, rules.accepted, rules.reject);
}

// ---- the selectable field values of an object (strategies' ToSelectableFields) ----

/** Any object as stored: metadata plus opaque JSON. */
export interface SelectableObject {
  readonly metadata?: Readonly<ObjectMeta>;
  readonly [k: string]: unknown;
}

function at(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

// strconv.FormatBool / fmt.Sprint(bool): an unset bool is false.
function bool(v: unknown): string {
  return v === true ? 'true' : 'false';
}

// strconv.Itoa of an int32 count: an unset count is 0.
function int(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0';
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

function podFields(o: SelectableObject, out: Record<string, string>): void {
  const spec = (p: string): unknown => at(o, ['spec', p]);
  const status = (p: string): unknown => at(o, ['status', p]);
  out['spec.nodeName'] = str(spec('nodeName'));
  out['spec.host'] = out['spec.nodeName'];
  out['spec.restartPolicy'] = str(spec('restartPolicy'));
  out['spec.schedulerName'] = str(spec('schedulerName'));
  // v1 → internal conversion: the deprecated serviceAccount fills in when serviceAccountName is empty.
  out['spec.serviceAccountName'] = str(spec('serviceAccountName')) || str(spec('serviceAccount'));
  out['spec.hostNetwork'] = bool(spec('hostNetwork'));
  out['status.phase'] = str(status('phase'));
  // Upstream reads podIPs[0]; v1 clients may have set only the scalar.
  const podIPs = status('podIPs');
  const first = Array.isArray(podIPs) && podIPs.length > 0 ? str(at(podIPs[0], ['ip'])) : '';
  out['status.podIP'] = first || str(status('podIP'));
  out['status.nominatedNodeName'] = str(status('nominatedNodeName'));
  // status.podIPs is accepted but ToSelectableFields never sets it, so it always reads "".
}

function coreEventFields(o: SelectableObject, out: Record<string, string>): void {
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
    out[`involvedObject.${k}`] = str(at(o, ['involvedObject', k]));
  }
  out.reason = str(o.reason);
  out.reportingComponent = str(o.reportingComponent);
  out.source = str(at(o, ['source', 'component'])) || str(o.reportingComponent);
  out.type = str(o.type);
}

// events.k8s.io/v1 shares the core Event storage, so its objects expose the core field names.
function eventsV1Fields(o: SelectableObject, out: Record<string, string>): void {
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
    out[`involvedObject.${k}`] = str(at(o, ['regarding', k]));
  }
  out.reason = str(o.reason);
  out.reportingComponent = str(o.reportingController);
  out.source = str(at(o, ['deprecatedSource', 'component'])) || str(o.reportingController);
  out.type = str(o.type);
}

/**
 * The field set a type's selectors match against. Booleans read "true"/"false", counts as
 * decimal, unset strings as "". CR selectable fields are read from their JSON paths.
 */
export function fieldsOf(
  group: string, resource: string, obj: SelectableObject, crd?: CustomResourceFieldInfo,
): Record<string, string> {
  const meta = obj.metadata;
  const out: Record<string, string> = {
    'metadata.name': str(meta?.name),
    'metadata.namespace': str(meta?.namespace),
  };
  if (crd) {
    for (const p of crd.selectableFields ?? []) {
      const label = p.replace(/^\./, '');
      out[label] = scalar(at(obj, label.split('.')));
    }
    return out;
  }
  switch (`${group}/${resource}`) {
    case '/pods': podFields(obj, out); break;
    case '/nodes': out['spec.unschedulable'] = bool(at(obj, ['spec', 'unschedulable'])); break;
    case '/namespaces': out['status.phase'] = str(at(obj, ['status', 'phase'])); break;
    case '/secrets': out.type = str(obj.type); break;
    case '/services':
      out['spec.clusterIP'] = str(at(obj, ['spec', 'clusterIP']));
      out['spec.type'] = str(at(obj, ['spec', 'type']));
      break;
    case '/replicationcontrollers':
    case 'apps/replicasets':
      out['status.replicas'] = int(at(obj, ['status', 'replicas']));
      break;
    case '/events': coreEventFields(obj, out); break;
    case 'events.k8s.io/events': eventsV1Fields(obj, out); break;
    case 'batch/jobs': out['status.successful'] = int(at(obj, ['status', 'succeeded'])); break;
    case 'certificates.k8s.io/certificatesigningrequests': out['spec.signerName'] = str(at(obj, ['spec', 'signerName'])); break;
  }
  return out;
}
