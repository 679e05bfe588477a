// Decodes application/vnd.kubernetes.protobuf request bodies into the JSON object a Go client
// would have sent for the same value, so the rest of kemu only ever sees JSON.
//
// The wire form is "k8s\0" + runtime.Unknown{typeMeta, raw}; raw is the object as a plain
// message of the type the typeMeta names (apimachinery pkg/runtime/serializer/protobuf).
// The .proto files give field numbers and types, but what Go's JSON encoder writes for an empty
// field depends on the Go struct (pointer or value, omitempty or not). Those facts come from
// fixtures/k8s/proto/go-fields.json (scripts/import-proto.ts); the rules used are:
//   - gogo always writes value fields, and writes pointer fields only when non-nil, so a field
//     absent from the wire is a nil pointer / empty slice / empty map;
//   - a present zero scalar is dropped only when it is a value field with omitempty;
//   - structs are never dropped by omitempty (Go's encoding/json), pointers are when nil.

import protobuf from 'protobufjs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../model/fixtures.js';
import { badRequest, Status } from '../model/status.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const RUNTIME = 'k8s.io.apimachinery.pkg.runtime';
const APIEXT_V1 = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1';

// Go's zero time.Time in Unix seconds: time.Time{}.Unix().
const GO_ZERO_TIME_SECONDS = -62135596800;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Go-side facts of one proto field: its JSON name and flags p (pointer), o (omitempty), i (inline). */
type GoField = [jsonName: string, flags: string];
type GoFacts = Record<string, Record<string, GoField>>;

type Special =
  | 'time' | 'microTime' | 'duration' | 'quantity' | 'intOrString' | 'rawJSON' | 'fieldsV1'
  | 'slice' | 'orArray' | 'orBool' | 'orStringArray';

const SPECIAL: Record<string, Special> = {
  [`${META_V1}.Time`]: 'time',
  [`${META_V1}.MicroTime`]: 'microTime',
  [`${META_V1}.Duration`]: 'duration',
  [`${META_V1}.FieldsV1`]: 'fieldsV1',
  [`${RUNTIME}.RawExtension`]: 'rawJSON',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intOrString',
  [`${APIEXT_V1}.JSON`]: 'rawJSON',
  [`${APIEXT_V1}.JSONSchemaPropsOrArray`]: 'orArray',
  [`${APIEXT_V1}.JSONSchemaPropsOrBool`]: 'orBool',
  [`${APIEXT_V1}.JSONSchemaPropsOrStringArray`]: 'orStringArray',
};

type FieldKind = 'scalar' | 'bytes' | 'message' | 'repeated' | 'map';

interface FieldPlan {
  readonly name: string;
  readonly json: string;
  readonly kind: FieldKind;
  readonly pointer: boolean;
  readonly omitEmpty: boolean;
  readonly inline: boolean;
  readonly field: protobuf.Field;
}

interface TypePlan {
  readonly type: protobuf.Type;
  readonly special?: Special;
  readonly fields: FieldPlan[];
}

interface ProtoFile {
  readonly path: string;
  readonly pkg: string;
  readonly goPackage: string;
}

let root: protobuf.Root | undefined;
let files: ProtoFile[] | undefined;
let goFacts: GoFacts | undefined;
const loaded = new Set<string>();
const typeByGVK = new Map<string, protobuf.Type | null>();
const plans = new Map<protobuf.Type, TypePlan>();

function protoDir(): string {
  return join(fixturesDir(), 'k8s', 'proto');
}

function walkProto(dir: string, base: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const rel = base ? `${base}/${name}` : name;
    if (statSync(p).isDirectory()) walkProto(p, rel, out);
    else if (name.endsWith('.proto')) out.push(rel);
  }
}

function protoFiles(): ProtoFile[] {
  if (files) return files;
  const paths: string[] = [];
  walkProto(protoDir(), '', paths);
  files = paths.map((path) => {
    const text = readFileSync(join(protoDir(), path), 'utf8');
    const pkg = /^package\s+([\w.]+)\s*;/m.exec(text)?.[1] ?? '';
    const goPackage = /^option\s+go_package\s*=\s*"([^"]+)"\s*;/m.exec(text)?.[1] ?? '';
    return { path, pkg, goPackage };
  });
  return files;
}

function protoRoot(): protobuf.Root {
  if (root) return root;
  const dir = protoDir();
  const r = new protobuf.Root();
  r.resolvePath = (_origin: string, target: string) => join(dir, target);
  root = r;
  return r;
}

function loadFile(file: ProtoFile): void {
  if (loaded.has(file.path)) return;
  // keepCase: the proto names are already the Go JSON names (apart from the few go-fields.json
  // renames); comments feed the +optional fallback for types the Go facts do not cover.
  protoRoot().loadSync(file.path, { keepCase: true, alternateCommentMode: true });
  loaded.add(file.path);
}

function facts(): GoFacts {
  if (goFacts) return goFacts;
  const p = join(protoDir(), 'go-fields.json');
  goFacts = existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as GoFacts) : {};
  return goFacts;
}

/**
 * Go package directories that may hold a kind of the given group/version, best first.
 * Group names map onto k8s.io/api/<dir> by their first DNS label ("rbac.authorization.k8s.io"
 * → rbac), except internal.apiserver.k8s.io, whose directory is apiserverinternal.
 */
function candidatePackages(group: string, version: string): ProtoFile[] {
  const all = protoFiles();
  const byVersion = all.filter((f) => f.goPackage.endsWith(`/${version}`));
  const dirOf = (f: ProtoFile): string => {
    const parts = f.goPackage.split('/');
    return parts[parts.length - 2] ?? '';
  };
  if (group === 'meta.k8s.io') {
    return byVersion.filter((f) => f.goPackage === `k8s.io/apimachinery/pkg/apis/meta/${version}`);
  }
  const label = group === '' ? 'core' : group.split('.')[0];
  const exact = byVersion.filter((f) => f.goPackage.startsWith('k8s.io/api') && dirOf(f) === label);
  const loose = byVersion.filter((f) => !exact.includes(f) && f.goPackage.startsWith('k8s.io/api')
    && dirOf(f).includes(label));
  // Every group-version also serves the meta/v1 kinds (Status, DeleteOptions, WatchEvent, …).
  const meta = all.filter((f) => f.goPackage === 'k8s.io/apimachinery/pkg/apis/meta/v1');
  return [...exact, ...loose, ...meta];
}

function lookupType(apiVersion: string, kind: string): protobuf.Type | undefined {
  const key = `${apiVersion}\0${kind}`;
  const cached = typeByGVK.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  let found: protobuf.Type | null = null;
  if (version && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    for (const file of candidatePackages(group, version)) {
      loadFile(file);
      const t = protoRoot().lookup(`${file.pkg}.${kind}`);
      if (t instanceof protobuf.Type) { found = t; break; }
    }
  }
  typeByGVK.set(key, found);
  return found ?? undefined;
}

function fullName(t: protobuf.Type): string {
  return t.fullName.startsWith('.') ? t.fullName.slice(1) : t.fullName;
}

// Go facts of the apiextensions.k8s.io/v1 types (apiextensions-apiserver pkg/apis/apiextensions/v1
// types.go, types_jsonschema.go), which kubectl, the source of go-fields.json, does not link.
// Fields not listed are value fields with omitempty. JSON, JSONSchemaPropsOr* are SPECIAL.
const APIEXT_FACTS: Record<string, Record<string, GoField>> = {
  CustomResourceDefinition: { spec: ['spec', ''] },
  CustomResourceDefinitionList: { items: ['items', ''] },
  CustomResourceDefinitionSpec: {
    group: ['group', ''], names: ['names', ''], scope: ['scope', ''], versions: ['versions', ''],
    conversion: ['conversion', 'po'],
  },
  CustomResourceConversion: { strategy: ['strategy', ''], webhook: ['webhook', 'po'] },
  WebhookConversion: { clientConfig: ['clientConfig', 'po'], conversionReviewVersions: ['conversionReviewVersions', ''] },
  WebhookClientConfig: { url: ['url', 'po'], service: ['service', 'po'] },
  ServiceReference: { namespace: ['namespace', ''], name: ['name', ''], path: ['path', 'po'], port: ['port', 'po'] },
  CustomResourceDefinitionVersion: {
    name: ['name', ''], served: ['served', ''], storage: ['storage', ''],
    deprecationWarning: ['deprecationWarning', 'po'], schema: ['schema', 'po'], subresources: ['subresources', 'po'],
  },
  CustomResourceColumnDefinition: { name: ['name', ''], type: ['type', ''], jsonPath: ['jsonPath', ''] },
  SelectableField: { jsonPath: ['jsonPath', ''] },
  CustomResourceDefinitionNames: { plural: ['plural', ''], kind: ['kind', ''] },
  CustomResourceDefinitionCondition: { type: ['type', ''], status: ['status', ''] },
  CustomResourceDefinitionStatus: { acceptedNames: ['acceptedNames', ''], storedVersions: ['storedVersions', ''] },
  CustomResourceValidation: { openAPIV3Schema: ['openAPIV3Schema', 'po'] },
  CustomResourceSubresources: { status: ['status', 'po'], scale: ['scale', 'po'] },
  CustomResourceSubresourceScale: {
    specReplicasPath: ['specReplicasPath', ''], statusReplicasPath: ['statusReplicasPath', ''],
    labelSelectorPath: ['labelSelectorPath', 'po'],
  },
  ValidationRule: { rule: ['rule', ''], reason: ['reason', 'po'], optionalOldSelf: ['optionalOldSelf', 'po'] },
  JSONSchemaProps: {
    schema: ['$schema', 'o'], ref: ['$ref', 'po'], default: ['default', 'po'], maximum: ['maximum', 'po'],
    minimum: ['minimum', 'po'], maxLength: ['maxLength', 'po'], minLength: ['minLength', 'po'],
    maxItems: ['maxItems', 'po'], minItems: ['minItems', 'po'], multipleOf: ['multipleOf', 'po'],
    maxProperties: ['maxProperties', 'po'], minProperties: ['minProperties', 'po'], items: ['items', 'po'],
    not: ['not', 'po'], additionalProperties: ['additionalProperties', 'po'],
    additionalItems: ['additionalItems', 'po'], externalDocs: ['externalDocs', 'po'], example: ['example', 'po'],
    xKubernetesPreserveUnknownFields: ['x-kubernetes-preserve-unknown-fields', 'po'],
    xKubernetesEmbeddedResource: ['x-kubernetes-embedded-resource', 'o'],
    xKubernetesIntOrString: ['x-kubernetes-int-or-string', 'o'],
    xKubernetesListMapKeys: ['x-kubernetes-list-map-keys', 'o'],
    xKubernetesListType: ['x-kubernetes-list-type', 'po'],
    xKubernetesMapType: ['x-kubernetes-map-type', 'po'],
    xKubernetesValidations: ['x-kubernetes-validations', 'o'],
  },
};

function goFieldFor(t: protobuf.Type, f: protobuf.Field): GoField | undefined {
  const name = fullName(t);
  const known = facts()[name]?.[f.name];
  if (known) return known;
  if (name.startsWith(`${APIEXT_V1}.`)) {
    const table = APIEXT_FACTS[name.slice(APIEXT_V1.length + 1)];
    if (table) return table[f.name] ?? [f.name, 'o'];
  }
  return undefined;
}

function planFor(t: protobuf.Type): TypePlan {
  let plan = plans.get(t);
  if (plan) return plan;
  const name = fullName(t);
  let special: Special | undefined = SPECIAL[name];
  // Go named slice types ([]string as ExtraValue, Verbs) travel as a one-field wrapper message.
  if (!special && /\+protobuf\.nullable=true/.test(t.comment ?? '') && t.fieldsArray.length === 1
    && t.fieldsArray[0].repeated) special = 'slice';
  const fields: FieldPlan[] = [];
  for (const f of t.fieldsArray) {
    f.resolve();
    const go = goFieldFor(t, f);
    const optionalComment = /(^|\n)\s*\+optional\b/.test(f.comment ?? '');
    const kind: FieldKind = f.map ? 'map' : f.repeated ? 'repeated'
      : f.resolvedType instanceof protobuf.Type ? 'message' : f.type === 'bytes' ? 'bytes' : 'scalar';
    fields.push({
      name: f.name,
      json: go ? go[0] : f.name,
      kind,
      // Without Go facts a present zero is kept: dropping a meaningful *int32 0 (replicas)
      // would be worse than keeping an empty string Go would have left out.
      pointer: go ? go[1].includes('p') : true,
      omitEmpty: go ? go[1].includes('o') : optionalComment,
      inline: go ? go[1].includes('i') : false,
      field: f,
    });
  }
  fields.sort((a, b) => a.field.id - b.field.id);
  plan = { type: t, special, fields };
  plans.set(t, plan);
  return plan;
}

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

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
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

let unknownType: protobuf.Type | undefined;

function envelopeType(): protobuf.Type {
  if (unknownType) return unknownType;
  const file = protoFiles().find((f) => f.pkg === RUNTIME);
  if (!file) throw new Error(`no proto file for package ${RUNTIME} under ${protoDir()}`);
  loadFile(file);
  unknownType = protoRoot().lookupType(`${RUNTIME}.Unknown`);
  return unknownType;
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
