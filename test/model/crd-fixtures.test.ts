// fixtures/crds (written by scripts/import-crds.ts) holds CRDs a Kubernetes 1.32 apiserver would
// accept as apiextensions.k8s.io/v1: structural schemas, one storage version, no $ref; the kinds
// the Hive/OCM/KubeVirt scenarios create exist; and the generated KubeVirt schema knows every
// field of KubeVirt's own examples (a schema that prunes them would silently empty VMIs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { fixturesDir, repoRoot } from '../../model/fixtures.js';

type Json = null | boolean | number | string | Json[] | JsonObject;
interface JsonObject { [key: string]: Json }

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const CRD_DIR = join(fixturesDir(), 'crds');
const EXAMPLES = join(repoRoot(), 'fixtures', 'manifests', 'kubevirt');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

interface Loaded { file: string; crd: JsonObject }
const loaded: Loaded[] = yamlFiles(CRD_DIR).flatMap((path) => {
  const file = relative(CRD_DIR, path);
  return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const obj: unknown = doc.toJS();
    return obj === null ? [] : [{ file, crd: obj as JsonObject }];
  });
});

const spec = (crd: JsonObject): JsonObject => crd.spec as JsonObject;
const versions = (crd: JsonObject): JsonObject[] => spec(crd).versions as JsonObject[];
const rootSchema = (v: JsonObject): JsonObject | undefined => (v.schema as JsonObject | undefined)?.openAPIV3Schema as JsonObject | undefined;

function find(group: string, kind: string): JsonObject {
  const hit = loaded.find(({ crd }) => spec(crd).group === group && (spec(crd).names as JsonObject).kind === kind);
  if (!hit) throw new Error(`no CRD for ${kind}.${group}`);
  return hit.crd;
}

/** Calls `visit` on every schema node under `node`, with a JSONPath-like location. */
function walkSchema(node: JsonObject, path: string, visit: (n: JsonObject, path: string) => void): void {
  visit(node, path);
  if (isObject(node.properties)) for (const [k, v] of Object.entries(node.properties)) if (isObject(v)) walkSchema(v, `${path}.${k}`, visit);
  if (isObject(node.items)) walkSchema(node.items, `${path}[*]`, visit);
  if (isObject(node.additionalProperties)) walkSchema(node.additionalProperties, `${path}.*`, visit);
  for (const k of ['anyOf', 'allOf', 'oneOf'] as const) {
    const list = node[k];
    if (Array.isArray(list)) list.forEach((s, i) => { if (isObject(s)) walkSchema(s, `${path}/${k}[${i}]`, visit); });
  }
}

function hasKeyDeep(v: Json, key: string): boolean {
  if (Array.isArray(v)) return v.some((x) => hasKeyDeep(x, key));
  if (!isObject(v)) return false;
  return Object.entries(v).some(([k, x]) => k === key || hasKeyDeep(x, key));
}

/**
 * The fields of `value` a server would prune or reject under `schema`: unknown keys, wrong
 * types, missing required fields. The object's own metadata belongs to the server, not the schema.
 */
function misfits(value: unknown, schema: JsonObject, path = ''): string[] {
  if (path === '.metadata') return [];
  if (value === null) return schema.nullable === true ? [] : [`${path}: null not allowed`];
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value === 'number') return Number.isInteger(value) ? [] : [`${path}: not an integer`];
    if (typeof value !== 'string') return [`${path}: want integer or string`];
    return typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value) ? [`${path}: ${value} does not match pattern`] : [];
  }
  switch (schema.type) {
    case 'object': {
      if (!isObject(value)) return [`${path}: want object`];
      const props = isObject(schema.properties) ? schema.properties : {};
      const out = ((schema.required as string[] | undefined) ?? []).filter((r) => !(r in value)).map((r) => `${path}.${r}: required`);
      for (const [k, v] of Object.entries(value)) {
        const sub = props[k] ?? schema.additionalProperties;
        if (isObject(sub)) out.push(...misfits(v, sub, `${path}.${k}`));
        else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) out.push(`${path}.${k}: unknown field`);
      }
      return out;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: want array`];
      return isObject(schema.items) ? value.flatMap((v, i) => misfits(v, schema.items as JsonObject, `${path}[${i}]`)) : [];
    case 'string': return typeof value === 'string' ? [] : [`${path}: want string`];
    case 'integer': return Number.isInteger(value) ? [] : [`${path}: want integer`];
    case 'number': return typeof value === 'number' ? [] : [`${path}: want number`];
    case 'boolean': return typeof value === 'boolean' ? [] : [`${path}: want boolean`];
    default: return schema['x-kubernetes-preserve-unknown-fields'] === true ? [] : [`${path}: schema has no type`];
  }
}

test('every YAML under fixtures/crds parses into apiextensions.k8s.io/v1 CustomResourceDefinitions', () => {
  assert.ok(loaded.length >= 40, `only ${loaded.length} documents`);
  for (const { file, crd } of loaded) {
    assert.is(crd.apiVersion, 'apiextensions.k8s.io/v1', file);
    assert.is(crd.kind, 'CustomResourceDefinition', file);
    const names = spec(crd).names as JsonObject;
    assert.is((crd.metadata as JsonObject).name, `${names.plural}.${spec(crd).group}`, file);
  }
});

test('each CRD has exactly one storage version and a schema per version rooted at type: object', () => {
  for (const { file, crd } of loaded) {
    assert.is(versions(crd).filter((v) => v.storage === true).length, 1, file);
    for (const v of versions(crd)) assert.is(rootSchema(v)?.type, 'object', `${file} ${v.name}`);
    assert.not.ok(spec(crd).preserveUnknownFields, `${file}: v1 refuses preserveUnknownFields: true`);
  }
});

test('schemas are structural: a type wherever properties or items are, no $ref anywhere', () => {
  for (const { file, crd } of loaded) {
    assert.not.ok(hasKeyDeep(crd, '$ref'), `${file} has a $ref`);
    for (const v of versions(crd)) {
      walkSchema(rootSchema(v)!, '', (n, path) => {
        if (n.properties !== undefined || n.additionalProperties !== undefined) assert.is(n.type, 'object', `${file} ${v.name} ${path}`);
        if (n.items !== undefined) assert.is(n.type, 'array', `${file} ${v.name} ${path}`);
        if (n['x-kubernetes-int-or-string'] === true) assert.is(n.type, undefined, `${file} ${v.name} ${path}`);
      });
    }
  }
});

test('list-map keys are required or defaulted, as apiextensions validation demands', () => {
  for (const { file, crd } of loaded) {
    for (const v of versions(crd)) {
      walkSchema(rootSchema(v)!, '', (n, path) => {
        if (n['x-kubernetes-list-type'] !== 'map') return;
        const item = n.items as JsonObject;
        const required = (item.required as string[] | undefined) ?? [];
        for (const key of n['x-kubernetes-list-map-keys'] as string[]) {
          const prop = (item.properties as JsonObject)[key] as JsonObject;
          assert.ok(required.includes(key) || prop.default !== undefined, `${file} ${v.name} ${path}: key ${key}`);
        }
      });
    }
  }
});

test('the kinds the scenarios create are defined', () => {
  for (const [group, kind] of [
    ['hive.openshift.io', 'SyncSet'], ['hive.openshift.io', 'SelectorSyncSet'], ['hive.openshift.io', 'SyncSetInstance'],
    ['hive.openshift.io', 'ClusterDeployment'], ['work.open-cluster-management.io', 'ManifestWork'],
    ['cluster.open-cluster-management.io', 'ManagedCluster'], ['kubevirt.io', 'VirtualMachineInstance'],
  ]) find(group, kind);
});

test('SyncSetInstance converted from v1beta1 keeps v1, short name ssi, the status subresource and its column', () => {
  const ssi = find('hive.openshift.io', 'SyncSetInstance');
  assert.equal((spec(ssi).names as JsonObject).shortNames, ['ssi']);
  assert.is(spec(ssi).scope, 'Namespaced');
  assert.is(spec(ssi).version, undefined);
  assert.is(spec(ssi).validation, undefined);
  const [v1] = versions(ssi);
  assert.is(versions(ssi).length, 1);
  assert.equal({ name: v1.name, served: v1.served, storage: v1.storage }, { name: 'v1', served: true, storage: true });
  assert.equal(v1.subresources, { status: {} });
  assert.equal(v1.additionalPrinterColumns, [{ jsonPath: '.status.applied', name: 'Applied', type: 'boolean' }]);
  assert.equal(rootSchema(v1)?.required, undefined);
  assert.ok(isObject((rootSchema(v1)?.properties as JsonObject).spec));
});

test('VirtualMachineInstance follows virt-operator: v1 stored, v1alpha3 deprecated, no status subresource', () => {
  const vmi = find('kubevirt.io', 'VirtualMachineInstance');
  const names = spec(vmi).names as JsonObject;
  assert.equal([names.plural, names.singular, names.shortNames, names.categories], ['virtualmachineinstances', 'virtualmachineinstance', ['vmi', 'vmis'], ['all']]);
  assert.equal(versions(vmi).map((v) => [v.name, v.served, v.storage, v.deprecated ?? false]), [['v1', true, true, false], ['v1alpha3', true, false, true]]);
  for (const v of versions(vmi)) {
    assert.is(v.subresources, undefined);
    assert.equal((v.additionalPrinterColumns as JsonObject[]).map((c) => `${c.name}:${c.priority ?? 0}`),
      ['Age:0', 'Phase:0', 'IP:0', 'NodeName:0', 'Ready:0', 'Live-Migratable:1', 'Paused:1']);
  }
  assert.equal(rootSchema(versions(vmi)[0]), rootSchema(versions(vmi)[1]));
});

test('VMI schema maps Kubernetes types as controller-gen does', () => {
  const root = rootSchema(versions(find('kubevirt.io', 'VirtualMachineInstance'))[0])!;
  const at = (...path: string[]): JsonObject => path.reduce((n, p) => (p === '[*]' ? n.items : (n.properties as JsonObject)[p]) as JsonObject, root);
  const guest = at('spec', 'domain', 'memory', 'guest');
  assert.equal(guest.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.is(guest['x-kubernetes-int-or-string'], true);
  assert.type(guest.pattern, 'string');
  assert.equal(at('status', 'conditions', '[*]', 'lastTransitionTime').format, 'date-time');
  assert.equal(at('metadata'), { type: 'object' });
});

test('vmi-fedora.yaml uses only fields the generated VMI schema knows', () => {
  const example = parse(readFileSync(join(EXAMPLES, 'vmi-fedora.yaml'), 'utf8')) as JsonObject;
  const root = rootSchema(versions(find('kubevirt.io', 'VirtualMachineInstance'))[0])!;
  assert.equal(misfits(example, root), []);
  // The walk must reach deep fields for the empty result to mean anything.
  const typo = structuredClone(example) as { spec: { domain: { devices: { disks: JsonObject[] } } } };
  typo.spec.domain.devices.disks[0].dsk = {};
  assert.equal(misfits(typo, root), ['.spec.domain.devices.disks[0].dsk: unknown field']);
});

test('every VM and VMI example fits its generated schema', () => {
  let checked = 0;
  for (const name of readdirSync(EXAMPLES).filter((n) => /\.ya?ml$/.test(n))) {
    for (const doc of parseAllDocuments(readFileSync(join(EXAMPLES, name), 'utf8'))) {
      const obj = doc.toJS() as JsonObject | null;
      if (!obj || obj.apiVersion !== 'kubevirt.io/v1' || !['VirtualMachine', 'VirtualMachineInstance'].includes(obj.kind as string)) continue;
      assert.equal(misfits(obj, rootSchema(versions(find('kubevirt.io', obj.kind as string))[0])!), [], name);
      checked++;
    }
  }
  assert.ok(checked >= 4, `only ${checked} examples`);
});

test.run();
