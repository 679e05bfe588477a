// The two string forms kwok's durationFrom / jitterDurationFrom accept (lifecycle
// value_duration_from.go): an RFC 3339 time, meaning "that instant minus now", or a Go duration
// ("1m30s", "500ms"), parsed by time.ParseDuration.

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

const PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** time.ParseDuration, in milliseconds; undefined when Go would return an error. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const value = Number(`${m[1] || '0'}.${m[2] ?? '0'}`);
    total += value * UNIT_MS[m[3]];
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

// time.RFC3339Nano as time.Parse accepts it: fraction optional, Z or a numeric offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when `s` is not one. */
export function parseRFC3339(s: string): number | undefined {
  if (!RFC3339.test(s)) return undefined;
  const ms = Date.parse(s.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

