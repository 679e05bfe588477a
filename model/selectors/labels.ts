// Label selectors as kube-apiserver 1.32 parses and applies them: the grammar, lexer quirks and
// error texts of apimachinery pkg/labels/selector.go.
import { badRequest, fieldErrorBody, type FieldError, type Status } from '../status.js';
import { byteCompare, hasOwn, ParseError } from './parse.js';
import { labelValueErrors, qualifiedNameErrors } from '../validation.js';

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

