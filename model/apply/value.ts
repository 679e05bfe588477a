// JSON values as structured-merge-diff's value package sees them: equality, a total order
// (for set items and list keys), and the Go renderings that show up in paths and error
// messages (value.ToString, %q, %v, %#v, JSON with Go's escaping).

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** value.Equals: numbers compare numerically, maps regardless of key order. */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !valueEquals(a[k], b[k])) return false;
    return true;
  }
  return false;
}

// value.Compare orders kinds: numbers, strings, booleans, lists, maps, null.
function rank(v: unknown): number {
  switch (typeof v) {
    case 'number': return 0;
    case 'string': return 1;
    case 'boolean': return 2;
    default: return Array.isArray(v) ? 3 : isObject(v) ? 4 : 5;
  }
}

/**
 * strings.Compare orders by UTF-8 bytes; JS compares UTF-16 units. They differ only when a
 * surrogate meets a unit in U+E000..U+FFFF, which UTF-8 puts first.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1: return compareStrings(a as string, b as string);
    case 2: return a === b ? 0 : a ? 1 : -1;
    case 3: return compareLists(a as unknown[], b as unknown[]);
    case 4: return compareMaps(a as JsonObject, b as JsonObject);
    default: return 0;
  }
}

function compareLists(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareMaps(a: JsonObject, b: JsonObject): number {
  const ka = Object.keys(a).sort(compareStrings);
  const kb = Object.keys(b).sort(compareStrings);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(ka[i], kb[i]) || compareValues(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
  }
  return ka.length < kb.length ? -1 : ka.length > kb.length ? 1 : 0;
}

// What encoding/json (and jsoniter's standard config) writes differently from JSON.stringify: the
// HTML-sensitive characters and the line separators as \u escapes, and \b, \f as \u escapes too.
// An escaped backslash is matched first so that the `b` after it is left alone.
const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029', '\\b': '\\u0008', '\\f': '\\u000c',
};
const GO_ESCAPED = /\\\\|\\b|\\f|[<>&\u2028\u2029]/g;

/** A JSON string as Go writes it. */
export function goJSONString(s: string): string {
  return JSON.stringify(s).replace(GO_ESCAPED, (m) => GO_ESCAPES[m] ?? m);
}

/** Compact JSON as Go writes an unstructured value: map keys sorted, HTML-safe strings. */
export function goJSON(v: unknown): string {
  if (typeof v === 'string') return goJSONString(v);
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort(compareStrings);
    return `{${keys.map((k) => `${goJSONString(k)}:${goJSON(v[k])}`).join(',')}}`;
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}

const GO_QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

/** strconv.Quote, for the printable text Kubernetes names and values hold; other controls as \xNN. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const esc = GO_QUOTE_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (c >= 0x20 && c !== 0x7f) out += ch;
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

/** fmt's %v of a float64 (shortest, exponent below 1e-4 and from 1e21). */
export function goFloat(f: number): string {
  const a = Math.abs(f);
  if (a !== 0 && (a < 1e-4 || a >= 1e21)) {
    return f.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(f);
}

function goNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : goFloat(n);
}

/** value.ToString, which renders set items and key values in field paths. */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (isObject(v)) return Object.keys(v).map((k) => `${k}=${valueToString(v[k])}`).join('');
  return '{{undefined}}';
}

/** fmt's %v of an unstructured value (maps print with sorted keys, as Go's fmt does). */
export function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort(compareStrings).map((k) => `${k}:${goV(v[k])}`).join(' ')}]`;
  return '';
}

/** fmt's %#v of an unstructured value. */
export function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort(compareStrings);
    return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSharpV(v[k])}`).join(', ')}}`;
  }
  return '';
}

/** fmt's %T of an unstructured value. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}
