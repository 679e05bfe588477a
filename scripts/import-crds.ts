// Regenerates fixtures/crds/ (the Hive, Open Cluster Management and KubeVirt CRDs that
// `kemu --crds fixtures/crds` installs) from ../shared/data/crds. Run: npx tsx scripts/import-crds.ts
//
// Hive and OCM ship rendered apiextensions.k8s.io/v1 CRDs, copied verbatim. Two need building:
// - SyncSetInstance exists only as a hive v1.0.8 apiextensions v1beta1 CRD, which a 1.32 server
//   no longer accepts, so it is converted to v1 the way the apiserver converts v1beta1 objects.
// - KubeVirt renders its VM/VMI CRDs at run time in virt-operator (crds.go plus
//   validations_generated.go), so there is no file to copy; the schema is rebuilt from the
//   OpenAPI v2 document KubeVirt publishes, mapped as controller-gen maps Kubernetes types.

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Document, parse } from 'yaml';
import { repoRoot } from '../model/fixtures.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- apiextensions v1beta1 -> v1 -------------------------------------------------------------

/**
 * The apiserver's v1beta1 -> v1 conversion (apiextensions/v1/conversion.go after v1beta1
 * defaulting): the CRD-wide validation, subresources and printer columns become per-version
 * fields, `version` goes, column `JSONPath` becomes `jsonPath`. `preserveUnknownFields` is left
 * out: v1beta1 defaulted it to true, which v1 refuses on create, so `structuralize` takes its place.
 */
export function convertV1beta1(crd: JsonObject): JsonObject {
  const spec = crd.spec as JsonObject;
  const versions = (spec.versions as JsonObject[] | undefined) ?? [{ name: spec.version as string, served: true, storage: true }];
  const columns = (cols: Json | undefined): Json[] | undefined => (cols as JsonObject[] | undefined)
    ?.map(({ JSONPath, ...rest }) => sortKeys({ ...rest, jsonPath: JSONPath }));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(spec)) {
    if (!['version', 'versions', 'validation', 'subresources', 'additionalPrinterColumns', 'preserveUnknownFields'].includes(k)) out[k] = v;
  }
  out.versions = versions.map((v) => {
    const cols = columns(spec.additionalPrinterColumns ?? v.additionalPrinterColumns);
    const validation = (spec.validation ?? v.schema) as JsonObject | undefined;
    const sub = spec.subresources ?? v.subresources;
    const { additionalPrinterColumns: _c, schema: _s, subresources: _r, ...rest } = v;
    return sortKeys({
      ...rest,
      ...(cols ? { additionalPrinterColumns: cols } : {}),
      ...(validation ? { schema: structuredClone(validation) } : {}),
      ...(sub ? { subresources: sub } : {}),
    });
  });
  const { creationTimestamp: _t, ...meta } = crd.metadata as JsonObject;
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: meta, spec: sortKeys(out) };
}

/**
 * Makes a schema structural in place, returning what it changed: a `type` wherever properties
 * or items imply one, and x-kubernetes-preserve-unknown-fields on free-form objects (no
 * properties, no additionalProperties: embedded raw resources), which the v1beta1 server kept
 * but a v1 server would prune to `{}`. Root `metadata` is exempt: the server owns its shape.
 */
export function structuralize(node: JsonObject, path = ''): string[] {
  const changes: string[] = [];
  if (node.type === undefined && !node['x-kubernetes-int-or-string'] && !node.anyOf) {
    const t = node.properties || node.additionalProperties || path === '' ? 'object' : node.items ? 'array' : undefined;
    if (t) { node.type = t; changes.push(`${path || '(root)'}: added type: ${t}`); }
  }
  const freeForm = node.type === 'object' && !node.properties && !node.additionalProperties;
  if (freeForm && path !== '.metadata' && !node['x-kubernetes-preserve-unknown-fields']) {
    node['x-kubernetes-preserve-unknown-fields'] = true;
    changes.push(`${path}: added x-kubernetes-preserve-unknown-fields: true`);
  }
  if (isObject(node.properties)) {
    for (const [k, v] of Object.entries(node.properties)) if (isObject(v)) changes.push(...structuralize(v, `${path}.${k}`));
  }
  if (isObject(node.items)) changes.push(...structuralize(node.items, `${path}[*]`));
  if (isObject(node.additionalProperties)) changes.push(...structuralize(node.additionalProperties, `${path}.*`));
  sortInPlace(node);
  return changes;
}

// ---- OpenAPI v2 definitions -> inline structural schema --------------------------------------

const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const INT_OR_STRING: JsonObject = { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };

/** Types controller-gen does not walk but maps to a fixed schema (controller-gen's knownTypes). */
const KNOWN_TYPES: Record<string, (nested: boolean) => JsonObject> = {
  'k8s.io.apimachinery.pkg.api.resource.Quantity': () => ({ ...INT_OR_STRING, pattern: QUANTITY_PATTERN }),
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': () => ({ ...INT_OR_STRING }),
  [`${META}Time`]: () => ({ type: 'string', format: 'date-time' }),
  [`${META}MicroTime`]: () => ({ type: 'string', format: 'date-time' }),
  [`${META}Duration`]: () => ({ type: 'string' }),
  [`${META}FieldsV1`]: () => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
  'k8s.io.apimachinery.pkg.runtime.RawExtension': () => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
  // The object's own metadata is validated by the server. Embedded metadata (VM templates,
  // dataVolumeTemplates) is marked +kubebuilder:pruning:PreserveUnknownFields +nullable in
  // kubevirt.io/api; the OpenAPI document loses those markers, so they are restored here.
  [`${META}ObjectMeta`]: (nested): JsonObject => nested
    ? { nullable: true, type: 'object', 'x-kubernetes-preserve-unknown-fields': true }
    : { type: 'object' },
};

// What openapi-gen emits and controller-gen would not (checked by running this on v1.KubeVirt and
// diffing with the KubeVirt CRD virt-operator renders): `default` is openapi-gen's zero value for
// non-omitempty fields (controller-gen writes defaults only from markers); `enum` and the
// "Possible enum values" prose come from the Kubernetes `+enum` marker controller-gen ignores;
// x-kubernetes-patch-* is strategic-merge metadata a CRD schema cannot hold.
const DROPPED_KEYS = new Set(['default', 'enum', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', '$ref']);
const ENUM_PROSE = /\n\nPossible enum values:[\s\S]*$/;
// The one +default marker in the VM/VMI closure that controller-gen honours (core/v1 types.go).
const MARKER_DEFAULTS: Record<string, Record<string, Json>> = { 'k8s.io.api.core.v1.LocalObjectReference': { name: '' } };

/**
 * Type unions the document writes inline instead of a $ref: ["string", "number"] is an
 * intstr.IntOrString port (core/v1 probes), ["string", "null"] a +nullable metav1.Time
 * (condition timestamps); every union in kubevirt v1.9.0's document is one of the two.
 */
function typeUnion(types: Json[], owner: string): JsonObject {
  const key = [...types].sort().join(',');
  if (key === 'number,string' || key === 'integer,string') return { ...INT_OR_STRING };
  if (key === 'null,string') return { format: 'date-time', nullable: true, type: 'string' };
  throw new Error(`no CRD schema for type ${JSON.stringify(types)} under ${owner}`);
}

/** Inlines definitions[root] into one $ref-free structural schema; long descriptions cut to maxDescription. */
export function inlineDefinition(definitions: Record<string, JsonObject>, root: string, maxDescription = Infinity): JsonObject {
  const conv = (node: JsonObject, owner: string, stack: string[]): JsonObject => {
    const out: JsonObject = {};
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/definitions/', '');
      let base: JsonObject;
      if (KNOWN_TYPES[name]) base = KNOWN_TYPES[name](stack.length > 1);
      else if (stack.includes(name)) base = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }; // recursion cut
      else if (definitions[name]) base = conv(definitions[name], name, [...stack, name]);
      else throw new Error(`unresolved $ref ${node.$ref} under ${owner}`);
      Object.assign(out, base);
    }
    for (const [k, v] of Object.entries(node)) {
      if (DROPPED_KEYS.has(k)) continue;
      if (k === 'properties' && isObject(v)) {
        const props: JsonObject = {};
        for (const [p, s] of Object.entries(v)) {
          props[p] = conv(s as JsonObject, owner, stack);
          if (MARKER_DEFAULTS[owner] && p in MARKER_DEFAULTS[owner]) (props[p] as JsonObject).default = MARKER_DEFAULTS[owner][p];
        }
        out.properties = props;
      } else if ((k === 'items' || k === 'additionalProperties') && isObject(v)) out[k] = conv(v, owner, stack);
      else if (k === 'description' && typeof v === 'string') {
        const text = v.replace(ENUM_PROSE, '');
        out.description = text.length > maxDescription ? `${text.slice(0, maxDescription).trimEnd()}…` : text;
      } else if (k === 'required' && Array.isArray(v)) out.required = [...v].sort(); // controller-gen sorts them
      else if (k === 'type' && Array.isArray(v)) Object.assign(out, typeUnion(v, owner));
      else out[k] = v;
    }
    // openapi-gen writes uint8 as integer/byte; "byte" means base64 text, so controller-gen leaves it out.
    if (out.type === 'integer' && out.format === 'byte') delete out.format;
    if (out.type === undefined && !out['x-kubernetes-int-or-string']) {
      if (out.properties || out.additionalProperties) out.type = 'object';
      else if (out.items) out.type = 'array';
    }
    return sortInPlace(out);
  };
  return conv(definitions[root], root, [root]);
}

// ---- KubeVirt CRDs (pkg/virt-operator/resource/generate/components/crds.go) ------------------

interface KubeVirtKind { kind: string; plural: string; singular: string; shortNames: string[]; columns: JsonObject[]; statusSubresource: boolean }

const READY = ".status.conditions[?(@.type=='Ready')].status";
const KUBEVIRT_KINDS: KubeVirtKind[] = [
  {
    kind: 'VirtualMachineInstance', plural: 'virtualmachineinstances', singular: 'virtualmachineinstance', shortNames: ['vmi', 'vmis'],
    // NewVirtualMachineInstanceCrd adds no subresources: KubeVirt writes VMI status with plain
    // updates, so /status must stay absent (and writes to the object must keep their status).
    statusSubresource: false, columns: [
      { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
      { jsonPath: '.status.phase', name: 'Phase', type: 'string' },
      { jsonPath: '.status.interfaces[0].ipAddress', name: 'IP', type: 'string' },
      { jsonPath: '.status.nodeName', name: 'NodeName', type: 'string' },
      { jsonPath: READY, name: 'Ready', type: 'string' },
      { jsonPath: ".status.conditions[?(@.type=='LiveMigratable')].status", name: 'Live-Migratable', priority: 1, type: 'string' },
      { jsonPath: ".status.conditions[?(@.type=='Paused')].status", name: 'Paused', priority: 1, type: 'string' },
    ],
  },
  {
    kind: 'VirtualMachine', plural: 'virtualmachines', singular: 'virtualmachine', shortNames: ['vm', 'vms'],
    statusSubresource: true, columns: [
      { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
      { description: 'Human Readable Status', jsonPath: '.status.printableStatus', name: 'Status', type: 'string' },
      { jsonPath: READY, name: 'Ready', type: 'string' },
    ],
  },
];

// virtv1.ApiSupportedVersions (staging/src/kubevirt.io/api/core/v1/register.go).
const KUBEVIRT_VERSIONS: JsonObject[] = [
  { name: 'v1', served: true, storage: true },
  { deprecated: true, deprecationWarning: 'kubevirt.io/v1alpha3 is now deprecated and will be removed in a future release.', name: 'v1alpha3', served: true, storage: false },
];

export function kubevirtCRD(definitions: Record<string, JsonObject>, k: KubeVirtKind, maxDescription = Infinity): JsonObject {
  const schema = inlineDefinition(definitions, `v1.${k.kind}`, maxDescription);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { labels: { 'kubevirt.io': '' }, name: `${k.plural}.kubevirt.io` },
    spec: {
      group: 'kubevirt.io',
      names: { categories: ['all'], kind: k.kind, plural: k.plural, shortNames: k.shortNames, singular: k.singular },
      scope: 'Namespaced',
      versions: KUBEVIRT_VERSIONS.map((v) => sortKeys({
        ...v, additionalPrinterColumns: k.columns, schema: { openAPIV3Schema: schema },
        ...(k.statusSubresource ? { subresources: { status: {} } } : {}),
      })),
    },
  };
}

// ---- helpers and main ------------------------------------------------------------------------

function sortKeys(o: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Alphabetical keys, as the Go YAML marshaller writes them, so diffs against upstream stay small. */
function sortInPlace(o: JsonObject): JsonObject {
  const sorted = sortKeys(o);
  for (const k of Object.keys(o)) delete o[k];
  return Object.assign(o, sorted);
}

function writeYAML(path: string, obj: JsonObject, header: string[]): number {
  // Without aliasDuplicateObjects: false, shared sub-objects would come out as YAML anchors.
  const doc = new Document(obj, { aliasDuplicateObjects: false });
  doc.commentBefore = header.map((l) => (l ? ` ${l}` : '')).join('\n');
  const text = doc.toString({ lineWidth: 0 });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

function copyTree(from: string, to: string, pick: (name: string) => boolean, recurse: boolean): string[] {
  const copied: string[] = [];
  for (const name of readdirSync(from).sort()) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) { if (recurse) copied.push(...copyTree(src, join(to, name), pick, recurse)); continue; }
    if (!pick(name)) continue;
    mkdirSync(to, { recursive: true });
    // Read and write rather than copyFile, so the read-only mode of the source does not follow.
    writeFileSync(join(to, name), readFileSync(src));
    copied.push(join(to, name));
  }
  return copied;
}

function main(): void {
  const src = resolve(repoRoot(), '..', 'shared', 'data', 'crds');
  const out = join(repoRoot(), 'fixtures', 'crds');
  rmSync(out, { recursive: true, force: true });
  const yaml = (n: string): boolean => /\.ya?ml$/.test(n);
  const copied = [...copyTree(join(src, 'hive'), join(out, 'hive'), yaml, false), ...copyTree(join(src, 'ocm'), join(out, 'ocm'), yaml, true)];
  // KubeVirt's example VMs and VMIs, which the tests check against the generated schemas.
  const examples = join(repoRoot(), 'fixtures', 'manifests', 'kubevirt');
  rmSync(examples, { recursive: true, force: true });
  copyTree(join(src, 'kubevirt', 'examples'), examples, yaml, false);

  const legacy = join(src, 'hive', 'legacy-v1.0.8-syncsetinstance', 'hive.openshift.io_syncsetinstances.yaml');
  const ssi = convertV1beta1(parse(readFileSync(legacy, 'utf8')) as JsonObject);
  const changes = ((ssi.spec as JsonObject).versions as JsonObject[])
    .flatMap((v) => structuralize(((v.schema as JsonObject).openAPIV3Schema) as JsonObject));
  writeYAML(join(out, 'hive', 'hive.openshift.io_syncsetinstances.yaml'), ssi, [
    'GENERATED by scripts/import-crds.ts; do not edit.',
    `From ${relative(repoRoot(), legacy)} (openshift/hive 3d7fb400, v1.0.8-34, Apache-2.0),`,
    'an apiextensions.k8s.io/v1beta1 CRD, converted to v1 as the apiserver converts v1beta1:',
    '- spec.validation, spec.subresources, spec.additionalPrinterColumns moved into versions[];',
    '  printer column JSONPath renamed jsonPath; spec.version dropped (versions[] names v1).',
    '- preserveUnknownFields: v1beta1 defaulted it to true (keep every unknown field); v1 requires',
    '  false on create, so the field is omitted and the schema made structural instead:',
    ...(changes.length ? changes.map((c) => `    ${c}`) : ['    (no change needed)']),
    '  Free-form objects (embedded raw resources) get x-kubernetes-preserve-unknown-fields: true.',
    ...(changes.some((c) => c.includes('preserve')) ? [] : ['  SyncSetInstance has none: every field of hive v1.0.8 is described, so nothing hive wrote is',
      '  pruned; only fields unknown to v1.0.8 itself, which the old server kept, are pruned now.']),
    '- metadata.creationTimestamp: null and the server-owned status block dropped.',
  ]);

  const swaggerPath = join(src, 'kubevirt', 'kubevirt-v1.9.0-swagger.json');
  const definitions = (JSON.parse(readFileSync(swaggerPath, 'utf8')) as { definitions: Record<string, JsonObject> }).definitions;
  console.log(`copied ${copied.length} CRD files; wrote hive SyncSetInstance (${changes.length} schema changes)`);
  for (const k of KUBEVIRT_KINDS) {
    const file = join(out, 'kubevirt', `kubevirt.io_${k.plural}.yaml`);
    const header = [
      'GENERATED by scripts/import-crds.ts; do not edit.',
      `From kubevirt/kubevirt v1.9.0 (79d34c17, Apache-2.0): the ${k.kind} CRD that virt-operator builds`,
      'at run time (pkg/virt-operator/resource/generate/components/crds.go: names, versions from',
      'ApiSupportedVersions, printer columns, subresources), with the schema inlined from',
      `${relative(repoRoot(), swaggerPath)} definitions["v1.${k.kind}"] instead of validations_generated.go:`,
      '$refs inlined; Quantity/IntOrString/Time/Duration/RawExtension/ObjectMeta mapped as controller-gen',
      'maps them; what controller-gen would not write dropped (openapi-gen zero-value defaults, +enum',
      'enums, x-kubernetes-patch-*). Missing, as the OpenAPI document does not carry them: kubebuilder',
      'markers (+kubebuilder:default, validation bounds, enums) and most +nullable markers.',
    ];
    let bytes = writeYAML(file, kubevirtCRD(definitions, k), header);
    // One CRD file near a megabyte slows every start-up parse; long prose goes first.
    if (bytes > 1_000_000) bytes = writeYAML(file, kubevirtCRD(definitions, k, 200), [...header, 'Descriptions cut to 200 characters to keep the file under 1 MB.']);
    console.log(`${relative(repoRoot(), file)}: ${bytes} bytes`);
  }

  writeFileSync(join(out, 'README.md'), [
    '# fixtures/crds (generated by `npx tsx scripts/import-crds.ts`; do not edit)', '',
    'Installed by `kemu --crds fixtures/crds`. Sources under ../shared/data/crds, each with a SOURCE.txt.', '',
    '- `hive/`: openshift/hive config/crds at c02e5173 (Apache-2.0), verbatim, plus',
    '  `hive.openshift.io_syncsetinstances.yaml`, converted from hive v1.0.8 (see its header).',
    '- `ocm/`: open-cluster-management-io/api v1.3.0 (Apache-2.0), verbatim, folders kept. `addon/v1alpha1`',
    '  and `addon/v1beta1` define the same three resources; a loader reading both ends with the later one.',
    '- `kubevirt/`: VirtualMachine and VirtualMachineInstance built from kubevirt v1.9.0 (Apache-2.0) (see headers).',
    '',
  ].join('\n'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
