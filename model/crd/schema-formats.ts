// The string formats a CRD schema may check, as kube-apiserver 1.32 checks them: only the names
// apiextensions keeps (apiextensions-apiserver pkg/apiserver/validation/formats.go strips every
// other format before validating), each checked like kube-openapi's strfmt.Default registry
// (pkg/validation/strfmt, whose checks come from govalidator and the Go standard library).
import { isIP } from 'node:net';

type Check = (s: string) => boolean;

const HOSTNAME_RE = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const ISBN10_RE = /^(?:[0-9]{9}X|[0-9]{10})$/;
const ISBN13_RE = /^(?:[0-9]{13})$/;
const CREDIT_CARD_RE = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const SSN_RE = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const HEX_COLOR_RE = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const RGB_PART = '(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])';
const RGB_COLOR_RE = new RegExp(`^rgb\\(\\s*${RGB_PART}\\s*,\\s*${RGB_PART}\\s*,\\s*${RGB_PART}\\s*\\)$`);
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const SPACES_AND_DASHES_RE = /[\s-]+/g;
const NON_DIGITS_RE = /[^0-9]+/g;
const HEX_PAIR_RE = /^[0-9a-fA-F]{2}$/;
const HEX_QUAD_RE = /^[0-9a-fA-F]{4}$/;
const BSON_OBJECT_ID_RE = /^[0-9a-fA-F]{24}$/;
const CIDR_BITS_RE = /^(0|[1-9]\d*)$/;
const PORT_RE = /^:\d*$/;
const CONTROL_RE = /[\x00-\x1f\x7f]/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const GO_DURATION_RE = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const SCALA_DURATION_RE = /^\s*(?:\d+\s*[A-Za-zµ]+\s*)+$/;
const SCALA_DURATION_PART = /(\d+)\s*([A-Za-zµ]+)/g;
// strfmt's duration units: the last spelling of each unit also matches as a prefix ("seconds").
const SCALA_UNITS: readonly (readonly string[])[] = [
  ['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'],
  ['d', 'day'], ['w', 'wk', 'week'],
];
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uffff]+";
const DOT_ATOM = `${ATEXT}(?:\\.${ATEXT})*`;
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const ADDR_SPEC = `(?:${DOT_ATOM}|${QUOTED})@(?:${DOT_ATOM}|\\[[^\\[\\]\\\\]*\\])`;
const EMAIL_RE = new RegExp(`^\\s*(?:${ADDR_SPEC}|(?:(?:${ATEXT}|${QUOTED})(?:\\s+(?:${ATEXT}|${QUOTED}))*\\s*)?<${ADDR_SPEC}>)\\s*$`);
const URI_SCHEME_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const BAD_ESCAPE_RE = /%(?![0-9a-fA-F]{2})/;

/** net.ParseIP without zones: a Go IP parse accepts neither `%zone` nor leading zeros. */
function parsesAsIP(s: string): boolean {
  return !s.includes('%') && isIP(s) !== 0;
}

/** IsHostname: the RFC 1034 pattern, at most 255 bytes, labels of at most 63 bytes. */
function isHostname(s: string): boolean {
  if (!HOSTNAME_RE.test(s) || Buffer.byteLength(s) > 255) return false;
  return s.split('.').every((label) => Buffer.byteLength(label) <= 63);
}

/** url.ParseRequestURI: an absolute URI or an absolute path, with well-formed escapes. */
function isRequestURI(s: string): boolean {
  if (s === '' || CONTROL_RE.test(s)) return false;
  if (s === '*') return true;
  if (s.startsWith(':')) return false;
  const scheme = URI_SCHEME_RE.exec(s);
  const rest = scheme ? s.slice(scheme[0].length) : s;
  if (!rest.startsWith('/')) return scheme !== null;
  const [beforeQuery] = rest.split('?', 1);
  if (scheme && beforeQuery.startsWith('//')) {
    const authorityEnd = beforeQuery.indexOf('/', 2);
    const authority = authorityEnd < 0 ? beforeQuery.slice(2) : beforeQuery.slice(2, authorityEnd);
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.slice(Math.max(0, host.lastIndexOf(':')));
    if (port !== '' && port !== host && !PORT_RE.test(port)) return false;
  }
  return !BAD_ESCAPE_RE.test(beforeQuery);
}

/** net.ParseMAC: 6, 8 or 20 octets as hex pairs split by ':' or '-', or dotted groups of four. */
function isMAC(s: string): boolean {
  const sep = s.length > 2 ? s[2] : '';
  if (sep === ':' || sep === '-') {
    const parts = s.split(sep);
    return [6, 8, 20].includes(parts.length) && parts.every((p) => HEX_PAIR_RE.test(p));
  }
  const groups = s.split('.');
  return [3, 4, 10].includes(groups.length) && groups.every((g) => HEX_QUAD_RE.test(g));
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!CIDR_BITS_RE.test(bits) || s.includes('%')) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

function isISBN10(s: string): boolean {
  const d = s.replace(SPACES_AND_DASHES_RE, '');
  if (!ISBN10_RE.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
  sum += 10 * (d[9] === 'X' ? 10 : Number(d[9]));
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const d = s.replace(SPACES_AND_DASHES_RE, '');
  if (!ISBN13_RE.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(d[i]);
  return Number(d[12]) === (10 - (sum % 10)) % 10;
}

/** The card number pattern, then the Luhn checksum. */
function isCreditCard(s: string): boolean {
  const d = s.replace(NON_DIGITS_RE, '');
  if (!CREDIT_CARD_RE.test(d)) return false;
  let sum = 0;
  let double = false;
  for (let i = d.length - 1; i >= 0; i--) {
    let n = Number(d[i]);
    if (double) {
      n *= 2;
      if (n >= 10) n = (n % 10) + 1;
    }
    sum += n;
    double = !double;
  }
  return sum % 10 === 0;
}

/** time.Parse("2006-01-02"): four-digit year, real month and day. */
function isDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** strfmt.IsDateTime: a date, a "t", then hh:mm:ss[.frac] and z or an offset. */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = TIME_RE.exec(parts[1]);
  return m !== null && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

/** strfmt.ParseDuration: Go's time.ParseDuration, or a Scala-style "3 days 4 hours". */
function isDuration(s: string): boolean {
  if (s === '0' || s === '+0' || s === '-0' || GO_DURATION_RE.test(s)) return true;
  if (!SCALA_DURATION_RE.test(s)) return false;
  for (const [, , rawUnit] of s.matchAll(SCALA_DURATION_PART)) {
    const unit = rawUnit.toLowerCase();
    for (const variants of SCALA_UNITS) {
      const last = variants.length - 1;
      if (variants.some((v, i) => v === unit || (i === last && unit.startsWith(v)))) return true;
    }
  }
  return false;
}

const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['bsonobjectid', (s) => BSON_OBJECT_ID_RE.test(s)],
  ['uri', isRequestURI],
  ['email', (s) => EMAIL_RE.test(s)],
  ['hostname', isHostname],
  ['ipv4', (s) => parsesAsIP(s) && s.includes('.')],
  ['ipv6', (s) => parsesAsIP(s) && s.includes(':')],
  ['cidr', isCIDR],
  ['mac', isMAC],
  ['uuid', (s) => UUID_RE.test(s)],
  ['uuid3', (s) => UUID3_RE.test(s)],
  ['uuid4', (s) => UUID4_RE.test(s)],
  ['uuid5', (s) => UUID5_RE.test(s)],
  ['isbn', (s) => isISBN10(s) || isISBN13(s)],
  ['isbn10', isISBN10],
  ['isbn13', isISBN13],
  ['creditcard', isCreditCard],
  ['ssn', (s) => s.length === 11 && SSN_RE.test(s)],
  ['hexcolor', (s) => HEX_COLOR_RE.test(s)],
  ['rgbcolor', (s) => RGB_COLOR_RE.test(s)],
  ['byte', (s) => BASE64_RE.test(s)],
  ['password', () => true],
  ['date', isDate],
  ['duration', isDuration],
  ['datetime', isDateTime],
]);

/**
 * The format apiextensions validates with, after StripUnsupportedFormatsPostProcess: the
 * schema's own spelling when its dash-less name is supported, otherwise none ('').
 */
export function effectiveFormat(format: string | undefined): string {
  if (!format) return '';
  return CHECKS.has(format.replaceAll('-', '')) ? format : '';
}

/** Whether `value` is valid for a format `effectiveFormat` kept. */
export function formatAccepts(format: string, value: string): boolean {
  const check = CHECKS.get(format.replaceAll('-', ''));
  return check === undefined || check(value);
}
