// Go's fmt rendering of decoded JSON, because strategicpatch builds several error texts with
// %v / %s of maps and slices (e.g. `map: map[value:b] does not contain declared merge key: name`),
// and kube-apiserver sends those texts to the client unchanged.
import { byteOrder, goType } from './values.js';

type Verb = 'v' | 's';

/** fmt.Sprintf("%v", v) or ("%s", v). */
export function goSprint(v: unknown, verb: Verb = 'v'): string {
  return render(v, verb, true);
}

function render(v: unknown, verb: Verb, top: boolean): string {
  const t = goType(v);
  switch (t) {
    // A nil interface nested in a map or slice prints as <nil> whatever the verb (fmt printValue).
    case 'nil': return verb === 's' && top ? '%!s(<nil>)' : '<nil>';
    case 'string': return v as string;
    case 'slice': return `[${(v as unknown[]).map((e) => render(e, verb, false)).join(' ')}]`;
    case 'map': {
      const m = v as Record<string, unknown>;
      return `map[${Object.keys(m).sort(byteOrder).map((k) => `${k}:${render(m[k], verb, false)}`).join(' ')}]`;
    }
    default: {
      const text = t === 'bool' ? String(v) : goNumber(v as number);
      return verb === 's' ? `%!s(${t}=${text})` : text;
    }
  }
}

/** strconv's shortest 'g' formatting, which %v uses: exponent form below 1e-4 and from 1e6. */
function goNumber(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  if (exp >= -4 && exp < 6) return String(n);
  return n.toExponential().replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`);
}

/** reflect.TypeOf(v).String(), as ErrBadArgType prints it; %s of a nil Type for JSON null. */
export function goTypeName(v: unknown): string {
  const t = goType(v);
  if (t === 'nil') return '%!s(<nil>)';
  if (t === 'slice') return '[]interface {}';
  if (t === 'map') return 'map[string]interface {}';
  return t;
}
