// go-spew's `%#v` (ConfigState{SortKeys, DisableMethods, SpewKeys, DisablePointerAddresses}, the
// k8s.io/utils/dump.ForHash configuration) of a JSON object decoded into a Go type, as
// kube-controller-manager decodes it from the apiserver's protobuf: empty lists and maps arrive
// as nil there, so they print as <nil>. The rules are go-spew 1.1's format.go: a value's type is
// printed in parentheses unless it is a slice element, map key/value or pointer target; strings
// print raw; nil pointers print their type then <nil>.
import { isPlainObject } from '../../object.js';
import { byteCompare } from '../../selectors/parse.js';
import { GO_NAMED_MAPS, GO_STRUCTS, structFields } from './gotypes.js';
import { controllerQuantity, spewQuantity, ZERO_QUANTITY } from './quantity.js';

const ZERO_TIME = '{Time:(time.Time){wall:(uint64)0 ext:(int64)0 loc:(*time.Location)<nil>}}';
const UNIX_TO_INTERNAL = 62135596800;

function typed(type: string, ignoreType: boolean, body: string): string {
  return ignoreType ? body : `(${type})${body}`;
}

function mapTypes(type: string): [string, string] | undefined {
  const named = GO_NAMED_MAPS[type];
  if (named !== undefined) return ['v1.ResourceName', named];
  const m = /^map\[([^\]]+)\](.+)$/.exec(type);
  return m ? [m[1], m[2]] : undefined;
}

function spewTime(v: unknown): string {
  if (typeof v !== 'string') return ZERO_TIME;
  // A set time arrives through protobuf as time.Unix(...).Local(), whose location is the
  // process's; templates never carry one, so this keeps the seconds and leaves loc nil.
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return ZERO_TIME;
  const sec = Math.floor(ms / 1000);
  return `{Time:(time.Time){wall:(uint64)0 ext:(int64)${sec + UNIX_TO_INTERNAL} loc:(*time.Location)<nil>}}`;
}

function spewIntOrString(v: unknown): string {
  if (typeof v === 'string') return `{Type:(intstr.Type)1 IntVal:(int32)0 StrVal:(string)${v}}`;
  const n = typeof v === 'number' ? v : 0;
  return `{Type:(intstr.Type)0 IntVal:(int32)${n} StrVal:(string)}`;
}

function spewBytes(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  return `[${[...Buffer.from(JSON.stringify(v), 'utf8')].join(' ')}]`;
}

/** One value of Go type `type`; `ignoreType` is spew's ignoreNextType. */
export function spewValue(type: string, v: unknown, ignoreType = false): string {
  if (type.startsWith('*')) {
    if (v === undefined || v === null) return ignoreType ? '<nil>' : `(${type})<nil>`;
    return (ignoreType ? '<*>' : `(${type})`) + spewValue(type.slice(1), v, true);
  }
  if (type.startsWith('[]')) {
    const elem = type.slice(2);
    if (!Array.isArray(v) || v.length === 0) return typed(type, ignoreType, '<nil>');
    if (elem === 'uint8') return typed(type, ignoreType, spewBytes(v));
    return typed(type, ignoreType, `[${v.map((e) => spewValue(elem, e, true)).join(' ')}]`);
  }
  const map = mapTypes(type);
  if (map) {
    if (!isPlainObject(v) || Object.keys(v).length === 0) return typed(type, ignoreType, '<nil>');
    const keys = Object.keys(v).sort(byteCompare);
    const entries = keys.map((k) => `${spewValue(map[0], k, true)}:${spewValue(map[1], v[k], true)}`);
    return typed(type, ignoreType, `map[${entries.join(' ')}]`);
  }
  if (type in GO_STRUCTS) {
    const obj = isPlainObject(v) ? v : {};
    const parts = (structFields(type) ?? []).map((f) => `${f.name}:${spewValue(f.type, f.json === null ? obj : obj[f.json])}`);
    return typed(type, ignoreType, `{${parts.join(' ')}}`);
  }
  switch (type) {
    case 'v1.Time': return typed(type, ignoreType, spewTime(v));
    case 'intstr.IntOrString': return typed(type, ignoreType, spewIntOrString(v));
    case 'v1.FieldsV1': return typed(type, ignoreType, `{Raw:([]uint8)${spewBytes(v)}}`);
    case 'resource.Quantity': {
      const q = typeof v === 'string' || typeof v === 'number' ? controllerQuantity(v) : undefined;
      return typed(type, ignoreType, spewQuantity(q ?? ZERO_QUANTITY));
    }
    case 'bool': return typed(type, ignoreType, v === true ? 'true' : 'false');
    case 'int32': case 'int64':
      return typed(type, ignoreType, String(typeof v === 'number' ? Math.trunc(v) : 0));
    default:
      // string and the named string types (v1.RestartPolicy, types.UID, ...).
      return typed(type, ignoreType, typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
  }
}

/** dump.ForHash(template) for a core/v1 PodTemplateSpec given as JSON. */
export function spewPodTemplate(template: unknown): string {
  return spewValue('v1.PodTemplateSpec', template);
}
