// The client-go JSONPath (k8s.io/client-go/util/jsonpath) that kube-apiserver's CRD table
// convertor uses for additionalPrinterColumns: fields (`.a`, `['a']`, escaped `\.`), `$`, `@`,
// recursive descent `..`, wildcards, indexes and slices (`[0]`, `[-1]`, `[1:3]`, `[::2]`,
// `[*]`), unions (`[0,1]`) and filters (`[?(@.type=="Ready")]`, `[?(@.x)]`), with missing keys
// allowed as the convertor sets them. `range`/`end` and printing templates are not supported.
import { isJSONObject, type JSONValue } from './schema-types.js';

interface Slice { readonly start?: number; readonly end?: number; readonly endDerived: boolean; readonly step?: number }

type Node =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'recursive' }
  | { readonly kind: 'array'; readonly slice: Slice }
  | { readonly kind: 'union'; readonly branches: readonly (readonly Node[])[] }
  | { readonly kind: 'filter'; readonly left: readonly Node[]; readonly op: string; readonly right: Operand };

type Operand = { readonly literal: JSONValue } | { readonly path: readonly Node[] } | undefined;

/** A parsed JSONPath; `find` gives the values it reaches, or an Error where client-go fails. */
export interface JSONPath {
  find(data: JSONValue): JSONValue[] | Error;
}

const TERMINATORS = new Set([' ', '\t', '\n', '\r', '.', ',', '[', ']', '$', '@', '{', '}']);
const DICT_KEY_RE = /^'([^']*)'$/;
const SLICE_RE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const FILTER_RE = /^([^!<>=]+)([!<>=]+)(.+?)$/;
const INT_RE = /^-?\d+$/;
const FLOAT_RE = /^-?\d+\.\d+$/;
const QUOTED_RE = /^(['"])(.*)\1$/;

class ParseError extends Error {}

/** Parses the inside of one `{...}` action into nodes. */
function parseNodes(text: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '$' || c === '@') {
      i++;
    } else if (c === '.' && text[i + 1] === '.') {
      nodes.push({ kind: 'recursive' });
      i++;
    } else if (c === '.') {
      let j = i + 1;
      while (j < text.length && !TERMINATORS.has(text[j])) j += text[j] === '\\' ? 2 : 1;
      const name = text.slice(i + 1, j);
      nodes.push(name === '*' ? { kind: 'wildcard' } : { kind: 'field', name: name.replaceAll('\\', '') });
      i = j;
    } else if (c === '[') {
      const close = text.startsWith('[?(', i) ? text.indexOf(')]', i) + 1 : text.indexOf(']', i);
      if (close <= i) throw new ParseError('unterminated array');
      nodes.push(...parseBracket(text.slice(i + 1, close)));
      i = close + 1;
    } else {
      throw new ParseError(`unrecognized character in action: ${c}`);
    }
  }
  return nodes;
}

function parseBracket(inner: string): Node[] {
  if (inner.startsWith('?(')) return [parseFilter(inner.slice(2, -1))];
  const text = inner === '*' ? ':' : inner;
  const parts = text.split(',');
  if (parts.length > 1) return [{ kind: 'union', branches: parts.map((p) => parseBracket(p.trim())) }];
  const dict = DICT_KEY_RE.exec(text);
  // client-go re-parses a quoted key as `{.key}`, so dots inside it still separate fields.
  if (dict) return parseNodes(`.${dict[1]}`);
  const m = SLICE_RE.exec(text);
  if (!m) throw new ParseError(`invalid array index ${text}`);
  const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));
  const start = num(m[1]);
  const endText = m[2]?.slice(1);
  const derived = m[2] === undefined;
  return [{
    kind: 'array',
    slice: { start, end: derived ? (start ?? 0) + 1 : num(endText), endDerived: derived, step: num(m[3]?.slice(1)) },
  }];
}

function parseOperand(text: string): Operand {
  const t = text.trim();
  const quoted = QUOTED_RE.exec(t);
  if (quoted) return { literal: quoted[2] };
  if (INT_RE.test(t) || FLOAT_RE.test(t)) return { literal: Number(t) };
  if (t === 'true' || t === 'false') return { literal: t === 'true' };
  return { path: parseNodes(t) };
}

function parseFilter(text: string): Node {
  const m = FILTER_RE.exec(text);
  if (!m) return { kind: 'filter', left: parseNodes(text), op: 'exists', right: undefined };
  return { kind: 'filter', left: parseNodes(m[1]), op: m[2], right: parseOperand(m[3]) };
}

class EvalError extends Error {}

function evalNodes(nodes: readonly Node[], input: JSONValue[]): JSONValue[] {
  let cur = input;
  for (const node of nodes) cur = evalNode(node, cur);
  return cur;
}

function descendants(v: JSONValue, out: JSONValue[]): void {
  const children = Array.isArray(v) ? v : isJSONObject(v) ? Object.values(v) : [];
  if (children.length === 0) return;
  out.push(v);
  for (const c of children) descendants(c, out);
}

function evalSlice(slice: Slice, list: JSONValue[]): JSONValue[] {
  const n = list.length;
  let start = slice.start ?? 0;
  if (start < 0) start += n;
  let end = slice.end ?? n;
  if (end < 0 || (end === 0 && slice.endDerived)) end += n;
  if (end === start) return [];
  if (start >= n || start < 0) throw new EvalError(`array index out of bounds: index ${start}, length ${n}`);
  if (end > n || end < 0) throw new EvalError(`array index out of bounds: index ${end - 1}, length ${n}`);
  if (start > end) throw new EvalError(`starting index ${start} is greater than ending index ${end}`);
  const step = slice.step ?? 1;
  if (step <= 0) throw new EvalError('step must be > 0');
  const out: JSONValue[] = [];
  for (let i = start; i < end; i += step) out.push(list[i]);
  return out;
}

type Scalar = string | number | boolean;

/** text/template's eq/lt on basic kinds; different kinds cannot be compared. */
function compare(op: string, left: JSONValue, right: JSONValue): boolean {
  const kindOf = (v: JSONValue): string => (typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v);
  if (kindOf(left) !== kindOf(right) || typeof left === 'object' || typeof right === 'object') {
    throw new EvalError('incompatible types for comparison');
  }
  const [a, b] = [left as Scalar, right as Scalar];
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
    default: throw new EvalError(`unrecognized filter operator ${op}`);
  }
}

function evalFilter(node: Extract<Node, { kind: 'filter' }>, input: JSONValue[]): JSONValue[] {
  const out: JSONValue[] = [];
  for (const v of input) {
    if (!Array.isArray(v)) throw new EvalError('value is not array or slice and cannot be filtered');
    for (const item of v) {
      const lefts = evalNodes(node.left, [item]);
      if (node.op === 'exists') {
        if (lefts.length > 0) out.push(item);
        continue;
      }
      if (lefts.length === 0) continue;
      if (lefts.length > 1) throw new EvalError('can only compare one element at a time');
      const rights = node.right && 'path' in node.right ? evalNodes(node.right.path, [item]) : [node.right?.literal ?? null];
      if (rights.length !== 1) throw new EvalError('can only compare one element at a time');
      if (compare(node.op, lefts[0], rights[0])) out.push(item);
    }
  }
  return out;
}

function evalNode(node: Node, input: JSONValue[]): JSONValue[] {
  switch (node.kind) {
    case 'field':
      if (node.name === '') return input;
      return input.flatMap((v) => (isJSONObject(v) && Object.hasOwn(v, node.name) ? [v[node.name]] : []));
    case 'wildcard':
      return input.flatMap((v) => (isJSONObject(v) ? Object.values(v) : []));
    case 'recursive': {
      const out: JSONValue[] = [];
      for (const v of input) descendants(v, out);
      return out;
    }
    case 'array':
      return input.flatMap((v) => {
        if (v === null) return [];
        if (!Array.isArray(v)) throw new EvalError('value is not array or slice');
        return evalSlice(node.slice, v);
      });
    case 'union':
      return node.branches.flatMap((b) => evalNodes(b, input));
    case 'filter':
      return evalFilter(node, input);
  }
}

/** jsonpath.New(...).Parse("{" + expr + "}"), or the parse error. */
export function parseJSONPath(expr: string): JSONPath | Error {
  let nodes: Node[];
  try {
    nodes = parseNodes(expr);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  return {
    find(data: JSONValue): JSONValue[] | Error {
      try {
        return evalNodes(nodes, [data]);
      } catch (err) {
        if (err instanceof EvalError) return err;
        throw err;
      }
    },
  };
}
