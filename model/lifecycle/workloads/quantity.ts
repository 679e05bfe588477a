// resource.Quantity as Go holds it, for the pod-template-hash: spew prints the private fields
// (an int64 amount with a scale, or an inf.Dec, the cached string, the format), so the hash of a
// template with resources depends on exactly what apimachinery's ParseQuantity keeps. The
// controller-manager never sees what a client sent: the apiserver parses it, stores the canonical
// string (Quantity.String()), and the controller parses that again. Ported from apimachinery
// pkg/api/resource/quantity.go and suffix.go (1.32).

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export interface GoQuantity {
  /** int64Amount{value, scale}: value * 10^scale; meaningful when dec is null. */
  readonly value: bigint;
  readonly scale: number;
  /** inf.Dec{unscaled, scale}: unscaled * 10^-scale. */
  readonly dec: { readonly unscaled: bigint; readonly scale: number } | null;
  /** The cached string, kept only when the input was already canonical. */
  readonly s: string;
  readonly format: QuantityFormat | '';
}

const DEC_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_INT64_FACTORS = 18;
const NANO = -9;

interface Scanned { positive: boolean; value: string; num: string; denom: string; suffix: string }

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** parseQuantityString: sign, numerator, denominator and suffix, or undefined for ErrFormatWrong. */
function scan(str: string): Scanned | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num: num || '0', denom: '', suffix: '' };
  if (num === '') num = '0';
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i])) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  for (i = pos; i < end; i++) if (!isDigit(str[i])) return undefined;
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

function interpret(suffix: string): { base: number; exponent: number; format: QuantityFormat } | undefined {
  if (suffix in DEC_SUFFIXES) return { base: 10, exponent: DEC_SUFFIXES[suffix], format: 'DecimalSI' };
  if (suffix in BIN_SUFFIXES) return { base: 2, exponent: BIN_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'E' || suffix[0] === 'e') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exp = Number(suffix.slice(1));
    if (Math.abs(exp) <= 0x7fffffff) return { base: 10, exponent: exp, format: 'DecimalExponent' };
  }
  return undefined;
}

/** ParseQuantity: the Go value, or undefined where Go returns an error. */
export function parseQuantity(str: string): GoQuantity | undefined {
  if (str === '') return undefined;
  if (str === '0') return { value: 0n, scale: 0, dec: null, s: str, format: 'DecimalSI' };
  const sc = scan(str);
  if (!sc) return undefined;
  const suf = interpret(sc.suffix);
  if (!suf) return undefined;
  let { format } = suf;
  let precision = 0;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (suf.exponent >= 0 && sc.denom.length === 0) {
      mantissa = 1n << BigInt(suf.exponent);
      precision = 15 - sc.num.length - Math.trunc(Math.fround(suf.exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = suf.exponent;
    precision = MAX_INT64_FACTORS - (sc.num.length + sc.denom.length);
  }
  if (precision >= 0) {
    scale -= sc.denom.length;
    if (scale >= NANO) {
      const shifted = sc.num + sc.denom;
      const parsed = BigInt(shifted);
      if (parsed > MAX_INT64) return undefined;
      let result = parsed * mantissa;
      if (result <= MAX_INT64) {
        if (!sc.positive) result = -result;
        const canonical = format === 'BinarySI'
          ? suf.exponent % 10 === 0 && (parsed & 7n) !== 0n
          : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return { value: result, scale, dec: null, s: canonical ? str : '', format };
      }
    }
  }
  // The inf.Dec path: exact, then rounded away from zero to nano and capped for BinarySI.
  const [whole, frac = ''] = sc.value.replace(/^[+-]/, '').split('.');
  let unscaled = BigInt((whole || '0') + frac);
  let decScale = frac.length;
  if (suf.base === 10) decScale -= suf.exponent;
  else unscaled *= 1n << BigInt(suf.exponent);
  if (unscaled !== 0n) {
    if (decScale > 9) {
      const div = 10n ** BigInt(decScale - 9);
      unscaled = (unscaled + div - 1n) / div;
    } else unscaled *= 10n ** BigInt(9 - decScale);
    decScale = 9;
  }
  if (format === 'BinarySI' && unscaled > MAX_INT64 * 10n ** BigInt(decScale)) { unscaled = MAX_INT64; decScale = 0; }
  if (format === 'BinarySI' && unscaled > 0n && unscaled < 10n ** BigInt(decScale)) format = 'DecimalSI';
  if (!sc.positive) unscaled = -unscaled;
  return { value: 0n, scale: 0, dec: { unscaled, scale: decScale }, s: '', format };
}

function stripTens(m: bigint, e: number): [bigint, number] {
  while (m !== 0n && m % 10n === 0n) { m /= 10n; e++; }
  return [m, e];
}

/** Quantity.String(): the canonical form the apiserver stores. */
export function canonicalQuantity(q: GoQuantity): string {
  if (q.s) return q.s;
  let m = q.dec ? q.dec.unscaled : q.value;
  let e = q.dec ? -q.dec.scale : q.scale;
  if (m === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = m < 0n ? -m : m;
    const under1024 = e >= 0 ? abs * 10n ** BigInt(e) < 1024n : abs < 1024n * 10n ** BigInt(-e);
    const integral = e >= 0 || abs % 10n ** BigInt(-e) === 0n;
    if (under1024 || !integral) format = 'DecimalSI';
    else {
      let n = e >= 0 ? m * 10n ** BigInt(e) : m / 10n ** BigInt(-e);
      let k = 0;
      while (n % 1024n === 0n && k < 6) { n /= 1024n; k++; }
      return n.toString() + ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][k];
    }
  } else if (format !== 'DecimalSI') format = 'DecimalExponent';
  [m, e] = stripTens(m, e);
  while (e % 3 !== 0) { m *= 10n; e--; }
  let suffix: string;
  const si = Object.keys(DEC_SUFFIXES).find((k) => DEC_SUFFIXES[k] === e);
  if (format === 'DecimalSI' && si !== undefined) suffix = si;
  else suffix = e === 0 ? '' : `e${e}`;
  return m.toString() + suffix;
}

/** What kube-controller-manager holds for a quantity a client wrote as `raw`. */
export function controllerQuantity(raw: string | number): GoQuantity | undefined {
  const first = parseQuantity(String(raw).trim());
  return first && parseQuantity(canonicalQuantity(first));
}

/** The 64-bit limbs of |n|, least significant first, as big.nat holds them. */
function limbs(n: bigint): bigint[] {
  const out: bigint[] = [];
  for (let v = n < 0n ? -n : n; v > 0n; v >>= 64n) out.push(v & 0xffff_ffff_ffff_ffffn);
  return out;
}

/** go-spew's %#v of a Quantity's fields (without the leading type, which the caller decides). */
export function spewQuantity(q: GoQuantity): string {
  const dec = q.dec
    ? `(*inf.Dec){unscaled:(big.Int){neg:(bool)${q.dec.unscaled < 0n} abs:(big.nat)[${limbs(q.dec.unscaled).join(' ')}]} scale:(inf.Scale)${q.dec.scale}}`
    : '(*inf.Dec)<nil>';
  const value = q.value < MIN_INT64 ? MIN_INT64 : q.value;
  return `{i:(resource.int64Amount){value:(int64)${value} scale:(resource.Scale)${q.scale}} ` +
    `d:(resource.infDecAmount){Dec:${dec}} s:(string)${q.s} Format:(resource.Format)${q.format}}`;
}

export const ZERO_QUANTITY: GoQuantity = { value: 0n, scale: 0, dec: null, s: '', format: '' };
