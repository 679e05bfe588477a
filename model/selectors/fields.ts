// Field selectors as kube-apiserver 1.32 parses them (apimachinery pkg/fields/selector.go).
import { badRequest, type Status } from '../status.js';
import { byteCompare, hasOwn, ParseError } from './parse.js';

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
