// Decodes application/vnd.kubernetes.protobuf request bodies into the JSON object a Go client
// would have sent for the same value, so the rest of kemu only ever sees JSON.
//
// The wire form is "k8s\0" + runtime.Unknown{typeMeta, raw}; raw is the object as a plain
// message of the type the typeMeta names (apimachinery pkg/runtime/serializer/protobuf).
// What Go's JSON encoder writes for an empty field depends on the Go struct (protobuf-schema.ts
// has the facts); the rules used are:
//   - gogo always writes value fields, and writes pointer fields only when non-nil, so a field
//     absent from the wire is a nil pointer / empty slice / empty map;
//   - a present zero scalar is dropped only when it is a value field with omitempty;
//   - structs are never dropped by omitempty (Go's encoding/json), pointers are when nil.

import protobuf from 'protobufjs';
import { badRequest, Status } from '../model/status.js';
import {
  envelopeType, lookupType, MAGIC, planFor, PROTOBUF_MEDIA_TYPE, type Json, type TypePlan,
} from './protobuf-schema.js';
import { goDuration, rfc3339 } from './protobuf-time.js';

export { PROTOBUF_MEDIA_TYPE } from './protobuf-schema.js';
export { goDuration } from './protobuf-time.js';

// Go's zero time.Time in Unix seconds: time.Time{}.Unix().
const GO_ZERO_TIME_SECONDS = -62135596800;

interface LongLike { toNumber(): number }

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).toNumber === 'function';
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (isLong(v)) return v.toNumber();
  return 0;
}

function has(msg: protobuf.Message, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, name);
}

function get(msg: protobuf.Message, name: string): unknown {
  return (msg as unknown as Record<string, unknown>)[name];
}

function scalarJSON(f: protobuf.Field, v: unknown): Json {
  switch (f.type) {
    case 'string': return typeof v === 'string' ? v : '';
    case 'bool': return v === true;
    case 'bytes': return Buffer.from(v as Uint8Array).toString('base64');
    case 'double': case 'float': return typeof v === 'number' ? v : 0;
    default: return num(v);
  }
}

function isZeroScalar(v: Json): boolean {
  return v === '' || v === 0 || v === false;
}

class DecodeError extends Error {}

function parseRawJSON(raw: Uint8Array): Json {
  if (raw.length >= 4 && Buffer.from(raw.buffer, raw.byteOffset, 4).equals(MAGIC)) {
    // A nested object in protobuf form, as watch events and admission reviews carry it.
    const inner = decodeEnvelope(Buffer.from(raw.buffer, raw.byteOffset, raw.length));
    if (inner instanceof Status) throw new DecodeError(inner.message);
    return inner as Json;
  }
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8');
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new DecodeError(`embedded object is not JSON: ${text.slice(0, 40)}`);
  }
}

function specialJSON(plan: TypePlan, msg: protobuf.Message): Json {
  const field = (n: string): unknown => get(msg, n);
  switch (plan.special) {
    case 'time': case 'microTime': {
      // metav1.Time marshals the zero time as an empty message; an explicit Go zero
      // (time.Time{}.Unix()) may come from other encoders.
      if (!has(msg, 'seconds') && !has(msg, 'nanos')) return null;
      const seconds = num(field('seconds'));
      const nanos = num(field('nanos'));
      if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
      return rfc3339(seconds, nanos, plan.special === 'microTime');
    }
    case 'duration': {
      const d = field('duration');
      return goDuration(BigInt(isLong(d) ? d.toString() : String(num(d))));
    }
    case 'quantity': return has(msg, 'string') ? String(field('string')) : '0';
    case 'intOrString':
      return num(field('type')) === 1 ? String(field('strVal') ?? '') : num(field('intVal'));
    case 'rawJSON': case 'fieldsV1': {
      // The one bytes field is "raw" in RawExtension and JSON but "Raw" in FieldsV1.
      const rawName = plan.fields[0].name;
      const raw = field(rawName);
      if (!has(msg, rawName) || !(raw instanceof Uint8Array) || raw.length === 0) return null;
      return parseRawJSON(raw);
    }
    case 'slice': {
      const items = field(plan.fields[0].name);
      return Array.isArray(items) && items.length ? items.map((v) => valueJSON(plan.fields[0].field, v)) : null;
    }
    case 'orArray': {
      const many = field('jSONSchemas');
      if (Array.isArray(many) && many.length) return many.map((v) => messageJSON(v as protobuf.Message));
      return has(msg, 'schema') ? messageJSON(field('schema') as protobuf.Message) : null;
    }
    case 'orBool':
      if (has(msg, 'schema')) return messageJSON(field('schema') as protobuf.Message);
      return field('allows') === true;
    case 'orStringArray': {
      const prop = field('property');
      if (Array.isArray(prop) && prop.length) return prop.map(String);
      return has(msg, 'schema') ? messageJSON(field('schema') as protobuf.Message) : null;
    }
    default: return null;
  }
}

function valueJSON(f: protobuf.Field, v: unknown): Json {
  if (f.resolvedType instanceof protobuf.Type) return messageJSON(v as protobuf.Message);
  return scalarJSON(f, v);
}

function messageJSON(msg: protobuf.Message): Json {
  const t = (msg as unknown as { $type: protobuf.Type }).$type;
  const plan = planFor(t);
  if (plan.special) return specialJSON(plan, msg);
  const out: { [k: string]: Json } = {};
  writeFields(plan, msg, out);
  return out;
}

const buildingZero = new Set<protobuf.Type>();

/** The JSON Go writes for a zero value of a message type (a value field that was not sent). */
function zeroMessageJSON(t: protobuf.Type): Json {
  // Go structs cannot hold themselves by value, so a cycle here means the field facts are
  // wrong (a pointer taken for a value); stop rather than recurse forever.
  if (buildingZero.has(t)) return null;
  buildingZero.add(t);
  try {
    return messageJSON(t.create());
  } finally {
    buildingZero.delete(t);
  }
}

function writeFields(plan: TypePlan, msg: protobuf.Message, out: { [k: string]: Json }): void {
  for (const fp of plan.fields) {
    const v = get(msg, fp.name);
    switch (fp.kind) {
      case 'scalar': {
        if (has(msg, fp.name)) {
          const j = scalarJSON(fp.field, v);
          if (!(fp.omitEmpty && !fp.pointer && isZeroScalar(j))) out[fp.json] = j;
        } else if (!fp.omitEmpty) {
          out[fp.json] = fp.pointer ? null : scalarJSON(fp.field, undefined);
        }
        break;
      }
      case 'bytes': {
        if (has(msg, fp.name) && v instanceof Uint8Array && !(fp.omitEmpty && v.length === 0)) {
          out[fp.json] = scalarJSON(fp.field, v);
        } else if (!fp.omitEmpty) out[fp.json] = null;
        break;
      }
      case 'message': {
        const t = fp.field.resolvedType as protobuf.Type;
        if (fp.inline) {
          const inner = has(msg, fp.name) ? (v as protobuf.Message) : t.create();
          writeFields(planFor(t), inner, out);
        } else if (has(msg, fp.name)) out[fp.json] = messageJSON(v as protobuf.Message);
        else if (!fp.pointer) out[fp.json] = zeroMessageJSON(t);
        else if (!fp.omitEmpty) out[fp.json] = null;
        break;
      }
      case 'repeated': {
        const arr = Array.isArray(v) ? v : [];
        if (arr.length) out[fp.json] = arr.map((x) => valueJSON(fp.field, x));
        else if (!fp.omitEmpty) out[fp.json] = null;
        break;
      }
      case 'map': {
        const obj = (v ?? {}) as Record<string, unknown>;
        const keys = Object.keys(obj).sort();
        if (keys.length) {
          const m: { [k: string]: Json } = {};
          for (const k of keys) m[k] = valueJSON(fp.field, obj[k]);
          out[fp.json] = m;
        } else if (!fp.omitEmpty) out[fp.json] = null;
        break;
      }
    }
  }
}

/** Decodes raw, the message of the type apiVersion+kind names, to the JSON form, without kind/apiVersion. */
export function decodeProtobufMessage(apiVersion: string, kind: string, raw: Uint8Array): Record<string, unknown> | Status {
  const t = lookupType(apiVersion, kind);
  if (!t) {
    // What kube-apiserver's scheme says for a kind it does not know (runtime.notRegisteredErr).
    return badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  }
  let msg: protobuf.Message;
  try {
    msg = t.decode(raw);
  } catch (err) {
    return badRequest(`unable to decode ${kind} in version "${apiVersion}": ${(err as Error).message}`);
  }
  try {
    return messageJSON(msg) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof DecodeError) return badRequest(err.message);
    throw err;
  }
}

function decodeEnvelope(body: Buffer): Record<string, unknown> | Status {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    return badRequest(`provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`);
  }
  let unk: protobuf.Message;
  try {
    unk = envelopeType().decode(body.subarray(MAGIC.length));
  } catch (err) {
    return badRequest(`unable to decode protobuf envelope: ${(err as Error).message}`);
  }
  const typeMeta = (get(unk, 'typeMeta') ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  const encoding = String(get(unk, 'contentEncoding') ?? '');
  const contentType = String(get(unk, 'contentType') ?? '');
  if (encoding) return badRequest(`unsupported protobuf content encoding "${encoding}"`);
  const raw = (get(unk, 'raw') as Uint8Array | undefined) ?? new Uint8Array(0);
  if (!kind) return badRequest("Object 'Kind' is missing in protobuf envelope");
  let obj: Record<string, unknown> | Status;
  if (contentType === '' || contentType === PROTOBUF_MEDIA_TYPE) obj = decodeProtobufMessage(apiVersion, kind, raw);
  else if (contentType === 'application/json') {
    try {
      obj = parseRawJSON(raw) as Record<string, unknown>;
    } catch (err) {
      return badRequest((err as Error).message);
    }
  } else return badRequest(`unsupported content type "${contentType}" in protobuf envelope`);
  if (obj instanceof Status) return obj;
  return { kind, apiVersion, ...obj };
}

/**
 * Decodes a single-object application/vnd.kubernetes.protobuf body to the object Go's JSON
 * encoder would write for it, kind and apiVersion first. Malformed input or a kind with no
 * protobuf type gives a 400 Status, as kube-apiserver answers both.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> | Status {
  return decodeEnvelope(body);
}
