// text/template's predefined functions (funcs.go), minus call/html/js/urlquery/slice, which
// no Stage uses. `and` and `or` short-circuit, so exec.ts evaluates them itself.
//
// Where Go would fail (index of nil or past the end, comparing values of different kinds),
// these return "no value" / false instead: a stage then renders a field as null rather than
// stopping the object's lifecycle, which is what a simulation wants.
import { goSprint } from '../../../patch/go-format.js';
import { isPlainObject } from '../../../object.js';
import { TemplateExecError, goTypeOf, printValue, truth, type FuncSpec } from './exec.js';

type Basic = string | number | boolean;

function isBasic(v: unknown): v is Basic {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function eq(a: unknown, ...bs: unknown[]): boolean {
  for (const b of bs) {
    const aNil = a === undefined || a === null;
    const bNil = b === undefined || b === null;
    if (aNil || bNil) {
      if (aNil && bNil) return true;
      continue;
    }
    if (isBasic(a) && isBasic(b) && a === b) return true;
  }
  return false;
}

function order(name: string, test: (c: number) => boolean): FuncSpec {
  return {
    min: 2, max: 2,
    fn: (a, b) => {
      if (typeof a === 'number' && typeof b === 'number') return test(a - b);
      if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
      throw new TemplateExecError(`${name}: incompatible types for comparison`);
    },
  };
}

function index(item: unknown, ...keys: unknown[]): unknown {
  let cur = item;
  for (const k of keys) {
    if (cur === undefined || cur === null) return undefined;
    if (Array.isArray(cur) && typeof k === 'number') cur = cur[k];
    else if (isPlainObject(cur) && typeof k === 'string') cur = Object.hasOwn(cur, k) ? cur[k] : undefined;
    else throw new TemplateExecError(`can't index item of type ${goTypeOf(cur)} with ${printValue(k)}`);
  }
  return cur;
}

function len(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new TemplateExecError(`len of type ${goTypeOf(v)}`);
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %q %t %%. */
export function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  const out = format.replace(/%([%svdqt])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    switch (verb) {
      case 'd': return typeof a === 'number' && Number.isInteger(a) ? String(a) : `%!d(${goTypeOf(a)}=${printArg(a)})`;
      case 'q': return typeof a === 'string' ? JSON.stringify(a) : `%!q(${goTypeOf(a)}=${printArg(a)})`;
      case 't': return typeof a === 'boolean' ? String(a) : `%!t(${goTypeOf(a)}=${printArg(a)})`;
      case 's': return a === undefined || a === null ? '%!s(<nil>)' : goSprint(a, 's');
      default: return printArg(a);
    }
  });
  return i < args.length ? `${out}%!(EXTRA ${args.slice(i).map((a) => `${goTypeOf(a)}=${printArg(a)}`).join(', ')})` : out;
}

function printArg(a: unknown): string {
  return a === undefined ? '<nil>' : goSprint(a);
}

/** fmt.Sprint: a space between operands when neither side is a string. */
function sprint(...args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += printArg(a);
  });
  return out;
}

export const BUILTINS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  // Placeholders so the parser knows the names; exec.ts short-circuits them.
  ['and', { min: 1, max: Infinity, fn: () => undefined }],
  ['or', { min: 1, max: Infinity, fn: () => undefined }],
  ['not', { min: 1, max: 1, fn: (a) => !truth(a) }],
  ['eq', { min: 2, max: Infinity, fn: (a, ...b) => eq(a, ...b) }],
  ['ne', { min: 2, max: 2, fn: (a, b) => !eq(a, b) }],
  ['lt', order('lt', (c) => c < 0)],
  ['le', order('le', (c) => c <= 0)],
  ['gt', order('gt', (c) => c > 0)],
  ['ge', order('ge', (c) => c >= 0)],
  ['index', { min: 1, max: Infinity, fn: (item, ...keys) => index(item, ...keys) }],
  ['len', { min: 1, max: 1, fn: (v) => len(v) }],
  ['printf', { min: 1, max: Infinity, fn: (f, ...a) => sprintf(typeof f === 'string' ? f : printArg(f), ...a) }],
  ['print', { min: 0, max: Infinity, fn: (...a) => sprint(...a) }],
]);
