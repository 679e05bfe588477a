// Go's formatting of the values that appear inside kube-apiserver messages, so texts built
// here read byte for byte as the Go server prints them: strconv.Quote for %q, and %v of the
// int64 / float64 that k8s.io/apimachinery/pkg/util/json decodes JSON numbers into.

// 2^63: JSON integers beyond int64 decode as float64 upstream.
const INT64_LIMIT = 9223372036854775808;

/** Whether a decoded JSON number is an int64 upstream (whole and in range), not a float64. */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < INT64_LIMIT;
}

/** fmt's %v of a float64: shortest digits, exponent form below 1e-4 or from 1e6 (strconv 'g', -1). */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  // strconv's 'g' with the shortest precision decides with precision 6: %e when exp < -4 or >= 6.
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

/** %v of a decoded JSON number: int64 digits, or the float64 form. */
export function goNumber(n: number): string {
  return isGoInt(n) ? BigInt(n).toString() : goFloat(n);
}

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\',
};
// unicode.IsPrint is false for controls, unassigned/format characters and separators other than space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|[^\S ]/u;

/** unicode.IsPrint for one character. */
export function isGoPrintable(ch: string): boolean {
  return !NON_PRINTABLE.test(ch);
}

/** strconv.Quote: Go's %q of a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) {
      out += named;
    } else if (!isGoPrintable(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/** field.Path.Child: names joined with dots; a missing parent is the root. */
export function childPath(parent: string | undefined, name: string): string {
  return parent === undefined || parent === '' ? name : `${parent}.${name}`;
}

/** field.Path.Key: `parent[key]`. */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

/** field.Path.Index: `parent[i]`. */
export function indexPath(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

/** encoding/json's Marshal of a decoded JSON value: sorted keys, `<`, `>`, `&` escaped. */
export function goJSON(v: unknown): string {
  return canonicalJSON(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
