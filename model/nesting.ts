// Limits on decoded request values that JSON.parse and the YAML parser do not enforce: nesting
// depth (kemu's object code recurses, and V8's stack is about 1 MB) and numbers that overflow a
// float64, which JSON.parse turns into Infinity and JSON.stringify would store as null. The walk
// is iterative, so a value of any depth can be checked.

export type LimitViolation =
  | { readonly kind: 'depth'; readonly opener: '{' | '[' }
  | { readonly kind: 'number'; readonly value: number };

/** The first way `value` breaks the limits (nesting deeper than `maxDepth` containers, or a non-finite number). */
export function limitViolation(value: unknown, maxDepth: number): LimitViolation | undefined {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { kind: 'number', value: v };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) return { kind: 'depth', opener: Array.isArray(v) ? '[' : '{' };
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (typeof c === 'object' || typeof c === 'number') stack.push({ v: c, depth: depth + 1 });
  }
  return undefined;
}

/**
 * The JSON literal of the first number in `text` that overflows a float64, for Go's "cannot
 * unmarshal number <literal>" message; a string's contents may match too, which only makes the
 * quoted literal approximate.
 */
export function overflowingLiteral(text: string): string | undefined {
  for (const m of text.matchAll(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (!Number.isFinite(Number(m[0]))) return m[0];
  }
  return undefined;
}

/** How Go's encoders and decoders word a violation (encoding/json, go-yaml). */
export function violationText(v: LimitViolation, literal: string | undefined, format: 'json' | 'yaml', maxDepth: number): string {
  if (v.kind === 'depth') return format === 'json' ? `invalid character '${v.opener}' exceeded max depth` : `yaml: exceeded max depth of ${maxDepth}`;
  if (format === 'json') return `json: cannot unmarshal number ${literal ?? String(v.value)} into Go value of type float64`;
  return `json: unsupported value: ${v.value > 0 ? '+Inf' : '-Inf'}`;
}
