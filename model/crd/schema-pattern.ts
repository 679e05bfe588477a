// Schema `pattern`s are Go RE2 expressions; this compiles them to JS RegExps once each, and
// refuses what RE2 refuses but JS would accept, so CRD validation rejects the same patterns.

const patternCache = new Map<string, RegExp | Error>();
// What JS accepts but Go's RE2 refuses: lookaround and backreferences.
const RE2_UNSUPPORTED = /\(\?<?[=!]|\\[1-9]/;
// Bound on cached patterns: CRDs of a whole fleet stay well below it.
const PATTERN_CACHE_LIMIT = 4096;

function compileUncached(pattern: string): RegExp | Error {
  const unsupported = RE2_UNSUPPORTED.exec(pattern);
  if (unsupported) {
    const what = unsupported[0].startsWith('\\') ? 'invalid escape sequence' : 'invalid or unsupported Perl syntax';
    return new Error(`error parsing regexp: ${what}: \`${unsupported[0]}\``);
  }
  let source = pattern.replaceAll('\\z', '$').replaceAll('\\A', '^');
  let flags = 'u';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags += 'i';
  }
  try {
    return new RegExp(source, flags);
  } catch {
    // Unicode mode rejects escapes RE2 allows (`\-` outside a class); retry without it.
    try {
      return new RegExp(source, flags.replace('u', ''));
    } catch (err) {
      return err as Error;
    }
  }
}

/** A Go RE2 pattern as a JS RegExp (unanchored, like regexp.MatchString), or the compile error. */
export function compilePattern(pattern: string): RegExp | Error {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  const re = compileUncached(pattern);
  if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
  patternCache.set(pattern, re);
  return re;
}
