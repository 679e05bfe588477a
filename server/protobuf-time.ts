// Go's time values in their JSON forms, both ways: RFC 3339 times (metav1.Time, MicroTime) and
// time.Duration strings (metav1.Duration), as the protobuf codec turns them into and out of
// their wire forms (seconds and nanoseconds; nanoseconds).

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The RFC 3339 text of metav1.Time (seconds) or MicroTime (microseconds), in UTC. */
export function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
    + `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micro ? `${base}.${pad(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
}

/** time.Duration.String() of Go. */
export function goDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  const frac = (v: bigint, digits: number): string => {
    const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
    return s ? `.${s}` : '';
  };
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${u / 1000n}${frac(u % 1000n, 3)}µs`;
    else out = `${u / 1_000_000n}${frac(u % 1_000_000n, 6)}ms`;
  } else {
    const secFrac = frac(u % 1_000_000_000n, 9);
    u /= 1_000_000_000n;
    const s = u % 60n;
    u /= 60n;
    out = `${s}${secFrac}s`;
    if (u > 0n) {
      const m = u % 60n;
      const h = u / 60n;
      out = `${m}m${out}`;
      if (h > 0n) out = `${h}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Seconds and nanoseconds since the epoch of an RFC 3339 time, as Go's time.Parse reads it. */
export function parseRFC3339(s: string): { seconds: number; nanos: number } | undefined {
  // metav1.Time's own form, "2006-01-02T15:04:05Z", without a regular expression.
  if (s.length === 20 && s.charCodeAt(19) === 0x5a && s.charCodeAt(10) === 0x54 && s.charCodeAt(4) === 0x2d && s.charCodeAt(7) === 0x2d
    && s.charCodeAt(13) === 0x3a && s.charCodeAt(16) === 0x3a) {
    const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
    if (y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && sec >= 0) {
      return { seconds: daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec, nanos: 0 };
    }
  }
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  let seconds = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])) * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  if (m[8]) seconds -= (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10]) * 60);
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  return { seconds, nanos };
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** Nanoseconds of a Go duration string (time.ParseDuration); 0 when it does not parse. */
export function parseGoDuration(s: string): bigint {
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0n;
  if (!rest) return 0n;
  while (rest) {
    const m = part.exec(rest);
    if (!m || (!m[1] && !m[2])) return 0n;
    const unit = DURATION_UNITS[m[3]];
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}
