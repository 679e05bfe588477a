// What the protobuf codec (protobuf.ts decodes, protobuf-encode.ts encodes) knows about the
// wire types: the .proto files of fixtures/k8s/proto, loaded lazily by protobufjs, the message
// type an apiVersion+kind names, and per message type a plan: its fields in field-number order
// with the Go facts that decide how an empty field looks in JSON and on the wire.
//
// The .proto files give field numbers and types, but what Go writes for an empty field depends
// on the Go struct (pointer or value, omitempty or not). Those facts come from
// fixtures/k8s/proto/go-fields.json (scripts/import-proto.ts): JSON name and flags p (pointer),
// o (omitempty), i (inline).

import protobuf from 'protobufjs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../model/fixtures.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The 4 bytes before every runtime.Unknown envelope (protobuf.go's protoEncodingPrefix). */
export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
export const RUNTIME = 'k8s.io.apimachinery.pkg.runtime';
export const APIEXT_V1 = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Go-side facts of one proto field: its JSON name and flags p (pointer), o (omitempty), i (inline). */
type GoField = [jsonName: string, flags: string];
type GoFacts = Record<string, Record<string, GoField>>;

export type Special =
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

export type FieldKind = 'scalar' | 'bytes' | 'message' | 'repeated' | 'map';

export interface FieldPlan {
  readonly name: string;
  readonly json: string;
  readonly kind: FieldKind;
  readonly pointer: boolean;
  readonly omitEmpty: boolean;
  readonly inline: boolean;
  readonly field: protobuf.Field;
}

export interface TypePlan {
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

/** The message type of apiVersion+kind, or undefined when no .proto file has one. */
export function lookupType(apiVersion: string, kind: string): protobuf.Type | undefined {
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

export function planFor(t: protobuf.Type): TypePlan {
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

let unknownType: protobuf.Type | undefined;

/** runtime.Unknown, the envelope of every single-object body. */
export function envelopeType(): protobuf.Type {
  if (unknownType) return unknownType;
  const file = protoFiles().find((f) => f.pkg === RUNTIME);
  if (!file) throw new Error(`no proto file for package ${RUNTIME} under ${protoDir()}`);
  loadFile(file);
  unknownType = protoRoot().lookupType(`${RUNTIME}.Unknown`);
  return unknownType;
}
