// The small expression language of scenario files: `{{ i % 10 }}` in templates, counts such as
// `namespaces * secretsPerNamespace`, and wait conditions such as
// `status.readyReplicas == spec.replicas`. Parsed once per distinct source text into a closure
// tree, so evaluating a template for 60,000 items does not re-parse it. No access to JavaScript:
// a scenario file is data and must not run code.

export type Value = number | string | boolean | null | undefined | readonly Value[] | { readonly [k: string]: Value };

/** Names visible to an expression: parameters, the item index `i`, or an object's fields. */
export type Scope = (name: string) => Value;

export type Expr = (scope: Scope) => Value;

export class ExprError extends Error {}

const FUNCTIONS: Readonly<Record<string, (...args: Value[]) => Value>> = {
  floor: (x) => Math.floor(num(x)),
  ceil: (x) => Math.ceil(num(x)),
  min: (...xs) => Math.min(...xs.map(num)),
  max: (...xs) => Math.max(...xs.map(num)),
  /** Zero-padded decimal, e.g. pad(7, 4) = "0007", for names that sort by index. */
  pad: (x, w) => String(num(x)).padStart(num(w), '0'),
  len: (x) => (Array.isArray(x) || typeof x === 'string' ? x.length : 0),
};

function num(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExprError(`not a number: ${JSON.stringify(v) ?? 'undefined'}`);
}

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

const OPS = ['==', '!=', '>=', '<=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', '.', ','];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExprError(`unterminated string in "${src}"`);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected "${c}" in "${src}"`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

const BINARY: ReadonlyArray<readonly string[]> = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

function loose(v: Value): Value {
  return typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
}

function applyBinary(op: string, a: Value, b: Value): Value {
  switch (op) {
    case '==': return loose(a) === loose(b) || (a == null && b == null);
    case '!=': return !(loose(a) === loose(b) || (a == null && b == null));
    case '<': return num(a) < num(b);
    case '<=': return num(a) <= num(b);
    case '>': return num(a) > num(b);
    case '>=': return num(a) >= num(b);
    case '+': return typeof a === 'string' || typeof b === 'string' ? `${a ?? ''}${b ?? ''}` : num(a) + num(b);
    case '-': return num(a) - num(b);
    case '*': return num(a) * num(b);
    case '/': return num(a) / num(b);
    case '%': return num(a) % num(b);
    default: throw new ExprError(`unknown operator ${op}`);
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[], private readonly src: string) {}

  parse(): Expr {
    const e = this.binary(0);
    if (this.pos < this.toks.length) throw new ExprError(`unexpected "${this.describe()}" in "${this.src}"`);
    return e;
  }

  private describe(): string {
    const t = this.toks[this.pos];
    return t ? String(t.v) : 'end';
  }

  private eat(op: string): boolean {
    const t = this.toks[this.pos];
    if (t?.t === 'op' && t.v === op) { this.pos++; return true; }
    return false;
  }

  private binary(level: number): Expr {
    if (level === BINARY.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.toks[this.pos];
      if (t?.t !== 'op' || !BINARY[level].includes(t.v)) return left;
      this.pos++;
      const right = this.binary(level + 1);
      const l = left;
      const op = t.v;
      if (op === '&&') left = (s) => l(s) ? right(s) : false;
      else if (op === '||') left = (s) => l(s) || right(s);
      else left = (s) => applyBinary(op, l(s), right(s));
    }
  }

  private unary(): Expr {
    if (this.eat('!')) { const e = this.unary(); return (s) => !e(s); }
    if (this.eat('-')) { const e = this.unary(); return (s) => -num(e(s)); }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.eat('.')) {
      const t = this.toks[this.pos++];
      if (t?.t !== 'id') throw new ExprError(`expected a field name after "." in "${this.src}"`);
      const base = e;
      const field = t.v;
      e = (s) => {
        const v = base(s);
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Value>)[field] : undefined;
      };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.toks[this.pos++];
    if (!t) throw new ExprError(`unexpected end of "${this.src}"`);
    if (t.t === 'num' || t.t === 'str') { const v = t.v; return () => v; }
    if (t.t === 'op' && t.v === '(') {
      const e = this.binary(0);
      if (!this.eat(')')) throw new ExprError(`missing ")" in "${this.src}"`);
      return e;
    }
    if (t.t === 'id') {
      if (t.v === 'true') return () => true;
      if (t.v === 'false') return () => false;
      if (t.v === 'null') return () => null;
      if (this.eat('(')) return this.call(t.v);
      const name = t.v;
      return (s) => s(name);
    }
    throw new ExprError(`unexpected "${t.v}" in "${this.src}"`);
  }

  private call(name: string): Expr {
    const fn = FUNCTIONS[name];
    if (!fn) throw new ExprError(`unknown function ${name}() in "${this.src}"; known: ${Object.keys(FUNCTIONS).join(', ')}`);
    const args: Expr[] = [];
    if (!this.eat(')')) {
      do args.push(this.binary(0)); while (this.eat(','));
      if (!this.eat(')')) throw new ExprError(`missing ")" after the arguments of ${name}() in "${this.src}"`);
    }
    return (s) => fn(...args.map((a) => a(s)));
  }
}

const compiled = new Map<string, Expr>();

/** Compiles an expression (cached by source text); throws ExprError on a syntax error. */
export function compileExpr(src: string): Expr {
  let e = compiled.get(src);
  if (!e) {
    e = new Parser(tokenize(src), src).parse();
    compiled.set(src, e);
  }
  return e;
}

/** Names an expression reads, for checking a scenario file before it runs. */
export function exprNames(src: string): string[] {
  const toks = tokenize(src);
  const names: string[] = [];
  toks.forEach((t, k) => {
    const prev = toks[k - 1];
    const next = toks[k + 1];
    if (t.t !== 'id' || ['true', 'false', 'null'].includes(t.v)) return;
    if (prev?.t === 'op' && prev.v === '.') return;
    if (next?.t === 'op' && next.v === '(') return;
    names.push(t.v);
  });
  return names;
}

export function asNumber(v: Value, what: string): number {
  try {
    return num(v);
  } catch {
    throw new ExprError(`${what} is not a number: ${JSON.stringify(v) ?? 'undefined'}`);
  }
}
