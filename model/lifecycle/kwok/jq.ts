// The part of jq that kwok Stages use for selector keys and for weightFrom/durationFrom:
// paths (`.status.phase`, `.metadata.annotations["a/b"]`, `.status.conditions.[]`), pipes, and
// `select(<a> == <b>)`. kwok runs full gojq; anything outside this subset is refused when the
// stage is loaded, so a Stage file never half-works.
//
// Semantics follow jq: a field of null is null, iterating null is an error, and (as kwok's
// expression.Query does) any runtime error makes the whole query yield nothing at all.
import { isDeepStrictEqual } from 'node:util';
import { isPlainObject } from '../../object.js';

type Step =
  | { readonly op: 'field'; readonly name: string }
  | { readonly op: 'index'; readonly n: number }
  | { readonly op: 'iterate' };

type Term =
  | { readonly kind: 'path'; readonly steps: readonly Step[] }
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'compare'; readonly negate: boolean; readonly left: Term; readonly right: Term }
  | { readonly kind: 'select'; readonly cond: Pipeline };

type Pipeline = readonly Term[];

/** A compiled query; `source` is the text it came from. */
export interface JqQuery {
  readonly source: string;
  readonly pipeline: Pipeline;
}

class JqSyntaxError {
  constructor(readonly message: string) {}
}

class JqRuntimeError {}

const TOKEN = /\s*(\.\[|\.|\[|\]|\(|\)|\||==|!=|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|\S)/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) {
      if (/^\s*$/.test(src.slice(start))) break;
      throw new JqSyntaxError(`unexpected text at ${start}`);
    }
    out.push(m[1]);
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: readonly string[]) {}

  parseAll(): Pipeline {
    const p = this.pipeline();
    if (this.pos < this.toks.length) throw new JqSyntaxError(`unexpected token ${JSON.stringify(this.toks[this.pos])}`);
    return p;
  }

  private peek(): string | undefined {
    return this.toks[this.pos];
  }

  private take(want?: string): string {
    const t = this.toks[this.pos];
    if (t === undefined) throw new JqSyntaxError(want ? `expected ${JSON.stringify(want)} at end of query` : 'unexpected end of query');
    if (want !== undefined && t !== want) throw new JqSyntaxError(`expected ${JSON.stringify(want)}, found ${JSON.stringify(t)}`);
    this.pos++;
    return t;
  }

  private pipeline(): Pipeline {
    const terms = [this.comparison()];
    while (this.peek() === '|') {
      this.take();
      terms.push(this.comparison());
    }
    return terms;
  }

  private comparison(): Term {
    const left = this.term();
    const op = this.peek();
    if (op !== '==' && op !== '!=') return left;
    this.take();
    return { kind: 'compare', negate: op === '!=', left, right: this.term() };
  }

  private term(): Term {
    const t = this.peek();
    if (t === undefined) throw new JqSyntaxError('unexpected end of query');
    if (t === 'select') {
      this.take();
      this.take('(');
      const cond = this.pipeline();
      this.take(')');
      return { kind: 'select', cond };
    }
    if (t === 'true' || t === 'false' || t === 'null') {
      this.take();
      return { kind: 'literal', value: t === 'true' ? true : t === 'false' ? false : null };
    }
    if (t.startsWith('"')) return { kind: 'literal', value: this.string() };
    if (/^-?\d/.test(t)) return { kind: 'literal', value: Number(this.take()) };
    if (t === '.' || t === '.[') return { kind: 'path', steps: this.path() };
    throw new JqSyntaxError(`${JSON.stringify(t)} is not supported (kemu knows paths, |, select and ==/!=)`);
  }

  private string(): string {
    const raw = this.take();
    try {
      return JSON.parse(raw) as string;
    } catch {
      throw new JqSyntaxError(`bad string ${raw}`);
    }
  }

  // `.`, `.a`, `.a.b`, `.[]`, `.a.[]`, `.a[]`, `.a["k"]`, `.a.["k"]`, `.a[0]`.
  private path(): Step[] {
    const steps: Step[] = [];
    let first = true;
    for (;;) {
      const t = this.peek();
      if (t === '.') {
        this.take();
        const name = this.peek();
        if (name !== undefined && /^[A-Za-z_]/.test(name)) {
          this.take();
          steps.push({ op: 'field', name });
        } else if (name !== undefined && name.startsWith('"')) {
          steps.push({ op: 'field', name: this.string() });
        } else if (!first) {
          throw new JqSyntaxError('a path may not end in "."');
        }
      } else if (t === '.[' || t === '[') {
        if (t === '[' && first) break;
        this.take();
        steps.push(this.bracket());
      } else {
        break;
      }
      first = false;
    }
    return steps;
  }

  private bracket(): Step {
    const t = this.peek();
    if (t === ']') {
      this.take();
      return { op: 'iterate' };
    }
    if (t !== undefined && t.startsWith('"')) {
      const name = this.string();
      this.take(']');
      return { op: 'field', name };
    }
    if (t !== undefined && /^-?\d+$/.test(t)) {
      this.take();
      this.take(']');
      return { op: 'index', n: Number(t) };
    }
    throw new JqSyntaxError(`unsupported index ${JSON.stringify(t ?? '')}`);
  }
}

/** Compiles `src`, or says why it is outside the supported subset. */
export function compileJq(src: string): JqQuery | { readonly error: string } {
  try {
    return { source: src, pipeline: new Parser(tokenize(src)).parseAll() };
  } catch (e) {
    if (e instanceof JqSyntaxError) return { error: `jq ${JSON.stringify(src)}: ${e.message}` };
    throw e;
  }
}

/** All outputs of the query, or undefined when evaluating it failed (kwok treats that as no data). */
export function runJq(q: JqQuery, input: unknown): unknown[] | undefined {
  try {
    return runPipeline(q.pipeline, [input]);
  } catch (e) {
    if (e instanceof JqRuntimeError) return undefined;
    throw e;
  }
}

function runPipeline(p: Pipeline, inputs: unknown[]): unknown[] {
  let vals = inputs;
  for (const term of p) vals = vals.flatMap((v) => runTerm(term, v));
  return vals;
}

function runTerm(t: Term, v: unknown): unknown[] {
  switch (t.kind) {
    case 'literal': return [t.value];
    case 'path': return t.steps.reduce<unknown[]>((vals, s) => vals.flatMap((x) => step(s, x)), [v]);
    case 'select': return runPipeline(t.cond, [v]).filter((c) => c !== null && c !== false).map(() => v);
    case 'compare': {
      // jq emits one result per combination, right-hand side varying fastest.
      const out: boolean[] = [];
      for (const l of runTerm(t.left, v)) for (const r of runTerm(t.right, v)) out.push(isDeepStrictEqual(l, r) !== t.negate);
      return out;
    }
  }
}

function step(s: Step, v: unknown): unknown[] {
  switch (s.op) {
    case 'field':
      if (v === null || v === undefined) return [null];
      if (!isPlainObject(v)) throw new JqRuntimeError();
      return [Object.hasOwn(v, s.name) ? v[s.name] : null];
    case 'index': {
      if (v === null || v === undefined) return [null];
      if (!Array.isArray(v)) throw new JqRuntimeError();
      const i = s.n < 0 ? v.length + s.n : s.n;
      return [i >= 0 && i < v.length ? v[i] : null];
    }
    case 'iterate':
      if (Array.isArray(v)) return v;
      if (isPlainObject(v)) return Object.values(v);
      throw new JqRuntimeError();
  }
}
