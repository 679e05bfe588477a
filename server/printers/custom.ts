// Custom resources: additionalPrinterColumns with the JSONPath subset CRDs use.
import { CREATED_DOC, GO_ZERO_TIME, NAME, type TablePrinter, col, humanDuration, rec } from './base.js';

// ---- custom resources ----

export interface CustomColumn {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
  readonly jsonPath: string;
}

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly path: readonly Step[]; readonly op: '==' | '!='; readonly value: unknown }
  | { readonly kind: 'exists'; readonly path: readonly Step[] };

/**
 * Parses the JSONPath subset printer columns use: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[*]`,
 * `[?(@.type=="Ready")]` and `[?(@.x)]`. Undefined for anything else, which the CRD's
 * validation would have rejected as an unparseable path.
 */
export function parseJsonPath(expr: string): Step[] | undefined {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([A-Za-z0-9_\-/]+|\*)/.exec(s.slice(i));
      if (!m) return undefined;
      steps.push(m[1] === '*' ? { kind: 'all' } : { kind: 'field', name: m[1] });
      i += m[0].length;
    } else if (s[i] === '[') {
      const close = matchingBracket(s, i);
      if (close < 0) return undefined;
      const inner = s.slice(i + 1, close).trim();
      const step = bracketStep(inner);
      if (!step) return undefined;
      steps.push(step);
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return steps;
}

function matchingBracket(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[') {
      depth++;
    } else if (c === ']' && --depth === 0) {
      return i;
    }
  }
  return -1;
}

function bracketStep(inner: string): Step | undefined {
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/.exec(inner);
  if (quoted) return { kind: 'field', name: quoted[2] };
  const filter = /^\?\(\s*@((?:\.[A-Za-z0-9_\-/]+)+)\s*(?:(==|!=)\s*(.+?))?\s*\)$/.exec(inner);
  if (!filter) return undefined;
  const p = parseJsonPath(filter[1]);
  if (!p) return undefined;
  if (filter[2] === undefined) return { kind: 'exists', path: p };
  const lit = filter[3];
  const str = /^(['"])(.*)\1$/.exec(lit);
  let value: unknown;
  if (str) value = str[2];
  else if (lit === 'true' || lit === 'false') value = lit === 'true';
  else if (!Number.isNaN(Number(lit))) value = Number(lit);
  else return undefined;
  return { kind: 'filter', path: p, op: filter[2] as '==' | '!=', value };
}

/** Every value the path reaches, in document order; missing keys yield nothing. */
export function evalJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (step.kind) {
        case 'field': {
          const o = rec(v);
          if (Object.prototype.hasOwnProperty.call(o, step.name)) next.push(o[step.name]);
          break;
        }
        case 'index': {
          if (!Array.isArray(v)) break;
          const idx = step.index < 0 ? v.length + step.index : step.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
          break;
        }
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object' && v !== null) next.push(...Object.values(v));
          break;
        case 'filter':
        case 'exists':
          for (const item of Array.isArray(v) ? v : []) {
            const found = evalJsonPath(step.path, item);
            if (step.kind === 'exists' ? found.length > 0 : found.some((x) => (x === step.value) === (step.op === '=='))) next.push(item);
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}

/** jsonpath's text output for one value: strings bare, maps and lists as compact JSON. */
function jsonPathText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** tableconvertor.cellForJSONValue: a typed cell, or null when the value does not fit the type. */
function customCell(type: string, v: unknown, now: number): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'string': return jsonPathText(v);
    case 'integer': return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number': return typeof v === 'number' ? v : null;
    case 'boolean': return typeof v === 'boolean' ? v : null;
    case 'date': {
      if (typeof v !== 'string') return null;
      if (v === '' || v === 'null') return '<unknown>';
      const t = Date.parse(v);
      if (Number.isNaN(t)) return '<invalid>';
      return t === GO_ZERO_TIME ? '<unknown>' : humanDuration(now - t);
    }
    default: return null;
  }
}

/**
 * The Table of a custom resource (apiextensions-apiserver tableconvertor): Name, then the
 * version's additionalPrinterColumns, or Age when it declares none.
 */
export function customResourcePrinter(columns: readonly CustomColumn[]): TablePrinter {
  const declared = columns.length > 0 ? columns
    : [{ name: 'Age', type: 'date', description: CREATED_DOC, jsonPath: '.metadata.creationTimestamp' }];
  const paths = declared.map((c) => parseJsonPath(c.jsonPath));
  return {
    columns: [NAME, ...declared.map((c) => col(c.name, c.type, c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, c.priority ?? 0, c.format ?? ''))],
    cells(obj, now) {
      const out: unknown[] = [obj.metadata.name ?? ''];
      declared.forEach((c, i) => {
        const p = paths[i];
        const found = p ? evalJsonPath(p, obj) : [];
        // Simple paths give one result; like upstream, only the first counts.
        out.push(found.length === 0 ? null : customCell(c.type, found[0], now));
      });
      return out;
    },
  };
}

