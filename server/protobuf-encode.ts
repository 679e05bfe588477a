// Encodes JSON objects (as stored) to application/vnd.kubernetes.protobuf, byte for byte what
// kube-apiserver writes for the same object: "k8s\0" + runtime.Unknown{typeMeta, raw,
// contentEncoding "", contentType ""}, raw being the object's message as gogo-protobuf's
// generated Marshal writes it (apimachinery pkg/runtime/serializer/protobuf/protobuf.go):
//   - fields in field-number order; value (non-pointer) fields always, even when zero, so an
//     empty string is its tag and a zero length; pointer fields only when non-nil;
//   - repeated fields and maps only when non-empty, map entries sorted by key, each entry's key
//     and value always written;
//   - nested value messages always, an absent one as its zero value;
//   - []byte fields and Go named slices (ExtraValue, Verbs) only when non-nil.
// JSON cannot tell a Go nil from an absent value, so absent and null both mean nil (or zero
// for a value field). The special types (Time, Quantity, IntOrString, RawExtension, ...) have
// their own JSON forms and are written as their custom Marshal methods write them.
import type protobuf from 'protobufjs';
import { lookupType, MAGIC, planFor, type FieldPlan, type Special } from './protobuf-schema.js';
import { parseGoDuration, parseRFC3339 } from './protobuf-time.js';
import { ProtoWriter } from './protobuf-writer.js';

type Obj = Record<string, unknown>;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;

type ValueKind = 'string' | 'bytes' | 'bool' | 'int' | 'double' | 'message';

interface EncField {
  readonly json: string;
  /** The field key: field number << 3 | wire type. */
  readonly key: number;
  /** A map entry's value key (field 2), by the value's wire type. */
  readonly valueKey: number;
  readonly shape: 'single' | 'repeated' | 'map';
  /** The value's kind; for a map, the entry value's. */
  readonly kind: ValueKind;
  readonly pointer: boolean;
  readonly inline: boolean;
  /** Resolved on first use: message plans refer to each other in cycles (JSONSchemaProps). */
  plan?: EncPlan;
  readonly type?: protobuf.Type;
}

interface EncPlan {
  readonly special?: Special;
  readonly fields: readonly EncField[];
}

const encPlans = new Map<protobuf.Type, EncPlan>();

function valueKind(f: protobuf.Field): ValueKind {
  if (f.resolvedType) return 'message';
  switch (f.type) {
    case 'string': return 'string';
    case 'bytes': return 'bytes';
    case 'bool': return 'bool';
    case 'double': return 'double';
    default: return 'int';
  }
}

function encField(fp: FieldPlan): EncField {
  const f = fp.field;
  const kind = valueKind(f);
  const wire = kind === 'int' || kind === 'bool' ? WIRE_VARINT : kind === 'double' ? WIRE_I64 : WIRE_LEN;
  const shape = fp.kind === 'map' ? 'map' : fp.kind === 'repeated' ? 'repeated' : 'single';
  return {
    json: fp.json,
    key: (f.id << 3) | (shape === 'map' ? WIRE_LEN : wire),
    valueKey: (2 << 3) | wire,
    shape,
    kind,
    pointer: fp.pointer,
    inline: fp.inline,
    ...(f.resolvedType ? { type: f.resolvedType as protobuf.Type } : {}),
  };
}

function encPlanFor(t: protobuf.Type): EncPlan {
  let p = encPlans.get(t);
  if (!p) {
    const plan = planFor(t);
    p = { ...(plan.special ? { special: plan.special } : {}), fields: plan.fields.map(encField) };
    encPlans.set(t, p);
  }
  return p;
}

function subPlan(f: EncField): EncPlan {
  return f.plan ??= encPlanFor(f.type as protobuf.Type);
}

// One writer for every encode: encoding is synchronous, and a message's bytes are copied out
// before the next encode starts.
const w = new ProtoWriter();

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function int(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : typeof v === 'boolean' ? Number(v) : 0;
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function writeMessageField(key: number, plan: EncPlan, v: unknown): void {
  w.varint(key);
  const at = w.beginLen();
  writeMessage(plan, v);
  w.endLen(at);
}

function writeValue(f: EncField, v: unknown): void {
  switch (f.kind) {
    case 'string': w.varint(f.key); w.string(text(v)); return;
    case 'bool': w.varint(f.key); w.varint(v === true ? 1 : 0); return;
    case 'int': w.varint(f.key); w.int64(int(v)); return;
    case 'double': w.varint(f.key); w.double(typeof v === 'number' ? v : Number(v) || 0); return;
    case 'bytes': w.varint(f.key); w.bytes(Buffer.from(text(v), 'base64')); return;
    case 'message': writeMessageField(f.key, subPlan(f), v);
  }
}

function writeMapValue(f: EncField, v: unknown): void {
  const key = f.valueKey;
  switch (f.kind) {
    case 'string': w.varint(key); w.string(text(v)); return;
    case 'bool': w.varint(key); w.varint(v === true ? 1 : 0); return;
    case 'int': w.varint(key); w.int64(int(v)); return;
    case 'double': w.varint(key); w.double(typeof v === 'number' ? v : 0); return;
    // gogo writes a []byte map value only when non-nil.
    case 'bytes': if (v !== null && v !== undefined) { w.varint(key); w.bytes(Buffer.from(text(v), 'base64')); } return;
    case 'message': writeMessageField(key, subPlan(f), v);
  }
}

function writeField(f: EncField, obj: Obj): void {
  if (f.inline) {
    // An embedded struct: its fields sit in the parent's JSON object.
    writeMessageField(f.key, subPlan(f), obj);
    return;
  }
  const v = obj[f.json];
  if (f.shape === 'repeated') {
    if (Array.isArray(v)) for (const x of v) writeValue(f, x);
    return;
  }
  if (f.shape === 'map') {
    if (!isObj(v)) return;
    const keys = Object.keys(v);
    if (keys.length > 1) keys.sort();
    for (const k of keys) {
      w.varint(f.key);
      const at = w.beginLen();
      w.byte(0x0a);
      w.string(k);
      writeMapValue(f, v[k]);
      w.endLen(at);
    }
    return;
  }
  if (v === undefined || v === null) {
    if (f.pointer || f.kind === 'bytes') return;
    if (f.kind === 'message' && subPlan(f).special === 'slice') return;
  }
  writeValue(f, v);
}

const EMPTY: Obj = Object.freeze({}) as Obj;

function writeMessage(plan: EncPlan, v: unknown): void {
  if (plan.special) {
    writeSpecial(plan.special, plan, v);
    return;
  }
  const obj = isObj(v) ? v : EMPTY;
  for (const f of plan.fields) writeField(f, obj);
}

function writeSpecial(special: Special, plan: EncPlan, v: unknown): void {
  switch (special) {
    case 'time': case 'microTime': {
      // metav1.Time marshals the zero time as an empty message, any other as a Timestamp
      // with both fields.
      const t = typeof v === 'string' ? parseRFC3339(v) : undefined;
      if (!t) return;
      w.byte(0x08);
      w.int64(t.seconds);
      w.byte(0x10);
      w.int64(t.nanos);
      return;
    }
    case 'duration':
      w.byte(0x08);
      w.bigint(typeof v === 'string' ? parseGoDuration(v) : 0n);
      return;
    case 'quantity':
      // Quantity's custom Marshal writes its canonical string, "0" for the zero value.
      w.byte(0x0a);
      w.string(v === undefined || v === null ? '0' : text(v));
      return;
    case 'intOrString':
      if (typeof v === 'string') {
        w.byte(0x08); w.byte(1); w.byte(0x10); w.byte(0); w.byte(0x1a); w.string(v);
      } else {
        w.byte(0x08); w.byte(0); w.byte(0x10); w.int64(int(v)); w.byte(0x1a); w.byte(0);
      }
      return;
    case 'rawJSON': case 'fieldsV1':
      if (v === undefined || v === null) return;
      w.byte(0x0a);
      w.string(JSON.stringify(v));
      return;
    case 'slice':
      if (Array.isArray(v)) for (const x of v) { w.byte(0x0a); w.string(text(x)); }
      return;
    case 'orArray': {
      const [schema, schemas] = plan.fields;
      if (Array.isArray(v)) for (const x of v) writeMessageField(schemas.key, subPlan(schemas), x);
      else if (isObj(v)) writeMessageField(schema.key, subPlan(schema), v);
      return;
    }
    case 'orBool': {
      // UnmarshalJSON of an object sets Allows too.
      const schema = plan.fields[1];
      w.byte(0x08);
      w.byte(v === true || isObj(v) ? 1 : 0);
      if (isObj(v)) writeMessageField(schema.key, subPlan(schema), v);
      return;
    }
    case 'orStringArray': {
      const schema = plan.fields[0];
      if (Array.isArray(v)) for (const x of v) { w.byte(0x12); w.string(text(x)); }
      else if (isObj(v)) writeMessageField(schema.key, subPlan(schema), v);
    }
  }
}

/** The message of apiVersion+kind for `obj` (kind and apiVersion themselves are not in it), or undefined with no such type. */
export function encodeProtobufMessage(apiVersion: string, kind: string, obj: Obj): Buffer | undefined {
  const t = lookupType(apiVersion, kind);
  if (!t) return undefined;
  w.reset();
  writeMessage(encPlanFor(t), obj);
  return w.copy();
}

/** Whether apiVersion+kind has a protobuf message type. */
export function hasProtobufType(apiVersion: string, kind: string): boolean {
  return lookupType(apiVersion, kind) !== undefined;
}

/** A single-object body and, inside it, the bare message a list carries as an item. */
export interface EncodedObject {
  /** "k8s\0" + runtime.Unknown{typeMeta, raw, "", ""}. */
  readonly body: Buffer;
  readonly raw: Buffer;
}

const typeMetas = new Map<string, Buffer>();

/** Unknown's field 1, TypeMeta{apiVersion, kind}, with its key and length: the same for every object of a kind. */
function typeMetaField(apiVersion: string, kind: string): Buffer {
  const k = `${apiVersion}\0${kind}`;
  let b = typeMetas.get(k);
  if (!b) {
    const tw = new ProtoWriter();
    tw.byte(0x0a);
    const at = tw.beginLen();
    tw.byte(0x0a); tw.string(apiVersion);
    tw.byte(0x12); tw.string(kind);
    tw.endLen(at);
    b = tw.copy();
    typeMetas.set(k, b);
  }
  return b;
}

// contentEncoding (3) and contentType (4), both "": gogo writes the empty strings.
const ENVELOPE_TAIL = Buffer.from([0x1a, 0x00, 0x22, 0x00]);

/**
 * Wraps a message of `rawLength` bytes in the envelope: returns the body with everything but
 * the message filled in, and where the message goes.
 */
function envelope(apiVersion: string, kind: string, rawLength: number): { body: Buffer; at: number } {
  const tm = typeMetaField(apiVersion, kind);
  const head = MAGIC.length + tm.length + 1 + varintSize(rawLength);
  const body = Buffer.allocUnsafe(head + rawLength + ENVELOPE_TAIL.length);
  MAGIC.copy(body, 0);
  tm.copy(body, MAGIC.length);
  let p = MAGIC.length + tm.length;
  body[p++] = 0x12;
  p = putVarint(body, p, rawLength);
  ENVELOPE_TAIL.copy(body, p + rawLength);
  return { body, at: p };
}

/** The protobuf body of a JSON object with kind and apiVersion, or undefined when its kind has no protobuf type. */
export function encodeProtobufObject(obj: Obj): EncodedObject | undefined {
  const apiVersion = text(obj.apiVersion);
  const kind = text(obj.kind);
  const t = lookupType(apiVersion, kind);
  if (!t) return undefined;
  w.reset();
  writeMessage(encPlanFor(t), obj);
  const { body, at } = envelope(apiVersion, kind, w.length);
  w.copyInto(body, at);
  return { body, raw: body.subarray(at, at + w.length) };
}

export interface ListMetaFields {
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

/** A list body (ConfigMapList, …) from its items' encodings, without re-encoding them. */
export function encodeProtobufList(apiVersion: string, listKind: string, meta: ListMetaFields, items: readonly EncodedObject[]): Buffer {
  // ListMeta{selfLink, resourceVersion, continue, remainingItemCount (a pointer)}.
  const mw = new ProtoWriter();
  mw.byte(0x0a); mw.byte(0);
  mw.byte(0x12); mw.string(meta.resourceVersion);
  mw.byte(0x1a); mw.string(meta.continue ?? '');
  if (meta.remainingItemCount !== undefined) { mw.byte(0x20); mw.int64(meta.remainingItemCount); }
  const metaBytes = mw.copy();
  let size = 1 + varintSize(metaBytes.length) + metaBytes.length;
  for (const it of items) size += 1 + varintSize(it.raw.length) + it.raw.length;
  const { body, at } = envelope(apiVersion, listKind, size);
  let p = at;
  body[p++] = 0x0a;
  p = putVarint(body, p, metaBytes.length);
  body.set(metaBytes, p);
  p += metaBytes.length;
  for (const it of items) {
    body[p++] = 0x12;
    p = putVarint(body, p, it.raw.length);
    body.set(it.raw, p);
    p += it.raw.length;
  }
  return body;
}

const EVENT_TYPES: Record<string, Buffer> = {};

/**
 * One watch event as kube-apiserver streams it: a 4-byte big-endian length, then
 * metav1.WatchEvent{type, object: RawExtension{raw: the object's whole protobuf body}} written
 * without envelope (the raw serializer; handlers/watch.go, LengthDelimitedFramer). Over a
 * WebSocket the same event goes without the length.
 */
export function encodeWatchEvent(type: string, object: Buffer): Buffer {
  let typeField = EVENT_TYPES[type];
  if (!typeField) {
    typeField = Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(type)]), Buffer.from(type)]);
    EVENT_TYPES[type] = typeField;
  }
  const extension = 1 + varintSize(object.length) + object.length;
  const size = typeField.length + 1 + varintSize(extension) + extension;
  const frame = Buffer.allocUnsafe(4 + size);
  frame.writeUInt32BE(size, 0);
  let p = 4 + typeField.copy(frame, 4);
  frame[p++] = 0x12;
  p = putVarint(frame, p, extension);
  frame[p++] = 0x0a;
  p = putVarint(frame, p, object.length);
  object.copy(frame, p);
  return frame;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) { n = Math.floor(n / 128); size++; }
  return size;
}

function putVarint(b: Buffer, p: number, n: number): number {
  while (n >= 0x80) {
    b[p++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  b[p++] = n;
  return p;
}
