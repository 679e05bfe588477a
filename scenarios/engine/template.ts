// Object templates: any JSON/YAML tree whose strings may hold `{{ expr }}`. A string that is one
// whole `{{ expr }}` takes the expression's value and type (so `replicas: "{{ replicas }}"` is a
// number); otherwise the values are interpolated as text. Compiled once per phase.
import { compileExpr, type Expr, type Scope, type Value } from './expr.js';

export type Template = (scope: Scope) => Value;

const WHOLE = /^\{\{([^{}]*)\}\}$/;
const PART = /\{\{([^{}]*)\}\}/g;

function compileString(s: string): Template {
  const whole = WHOLE.exec(s);
  if (whole) return compileExpr(whole[1].trim());
  if (!s.includes('{{')) return () => s;
  const parts: Array<string | Expr> = [];
  let last = 0;
  for (const m of s.matchAll(PART)) {
    if (m.index > last) parts.push(s.slice(last, m.index));
    parts.push(compileExpr(m[1].trim()));
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push(s.slice(last));
  return (scope) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : String(p(scope) ?? '');
    return out;
  };
}

export function compileTemplate(t: unknown): Template {
  if (typeof t === 'string') return compileString(t);
  if (Array.isArray(t)) {
    const items = t.map(compileTemplate);
    return (scope) => items.map((f) => f(scope));
  }
  if (t !== null && typeof t === 'object') {
    const entries = Object.entries(t).map(([k, v]) => [compileString(k), compileTemplate(v)] as const);
    return (scope) => {
      const out: Record<string, Value> = {};
      for (const [k, v] of entries) out[String(k(scope))] = v(scope);
      return out;
    };
  }
  const v = t as Value;
  return () => v;
}

/** The `{{ expr }}` sources inside a template, for checks before a run. */
export function templateExprs(t: unknown, out: string[] = []): string[] {
  if (typeof t === 'string') for (const m of t.matchAll(PART)) out.push(m[1].trim());
  else if (Array.isArray(t)) t.forEach((x) => templateExprs(x, out));
  else if (t !== null && typeof t === 'object') for (const [k, v] of Object.entries(t)) { templateExprs(k, out); templateExprs(v, out); }
  return out;
}
