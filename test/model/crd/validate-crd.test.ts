// CustomResourceDefinition validation: every CRD the emulator loads must be accepted, and broken
// ones get kube-apiserver 1.32's 422 (goldens in test/golden/crd/crd-validation).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { CustomResourceDefinition } from '../../../model/crd/schema-types.js';
import { validateCRD } from '../../../model/crd/validate-crd.js';
import { fieldErrorBody } from '../../../model/status.js';
import {
  checkGolden, crdsIn, FIXTURE_CRDS, goldenFiles, readGolden, relativeToRepo, SHARED_CRDS, statusBody, yamlFiles, type StatusBody,
} from './support.js';

interface Golden {
  source: string;
  why: string;
  crd: CustomResourceDefinition;
  expected?: StatusBody | null;
}

for (const file of goldenFiles('crd-validation')) {
  test(`CRD validation golden ${basename(file, '.json')}`, () => {
    const g = readGolden<Golden>(file);
    const errs = validateCRD(g.crd);
    const actual = errs.length === 0 ? null : statusBody('CustomResourceDefinition', 'apiextensions.k8s.io', g.crd.metadata?.name ?? '', errs);
    checkGolden(file, g, actual);
  });
}

/** Every CustomResourceDefinition document under `dir`, with its file. */
function crdDocuments(dir: string): { file: string; crd: CustomResourceDefinition }[] {
  return yamlFiles(dir).flatMap((file) => crdsIn(file).map((crd) => ({ file, crd })));
}

test('every CRD in ../shared/data/crds and fixtures/crds passes validateCRD', () => {
  const shared = crdDocuments(SHARED_CRDS);
  const fixtures = crdDocuments(FIXTURE_CRDS);
  // The shared data folder sits beside the repo on the development machine only.
  if (existsSync(SHARED_CRDS)) assert.ok(shared.length >= 44, `found only ${shared.length} CRDs in ${SHARED_CRDS}`);
  assert.ok(fixtures.length >= 43, `found only ${fixtures.length} CRDs in fixtures/crds`);
  for (const { file, crd } of [...shared, ...fixtures]) {
    // kube-apiserver 1.32 no longer serves apiextensions.k8s.io/v1beta1: those files cannot be created.
    if (crd.apiVersion === 'apiextensions.k8s.io/v1beta1') {
      assert.match(file, /legacy-v1\.0\.8-syncsetinstance/);
      continue;
    }
    assert.is(crd.apiVersion, 'apiextensions.k8s.io/v1', relativeToRepo(file));
    const errs = validateCRD(crd);
    assert.equal(errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`), [], relativeToRepo(file));
  }
});

const VALID: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
  },
};

function withVersions(versions: NonNullable<CustomResourceDefinition['spec']>['versions']): CustomResourceDefinition {
  return { ...VALID, spec: { ...VALID.spec, versions } };
}

function fieldsAndDetails(crd: CustomResourceDefinition): string[] {
  return validateCRD(crd).map((e) => `${e.field}: ${e.detail ?? ''}`);
}

test('storage versions: none, two, and duplicate names', () => {
  const schema = { openAPIV3Schema: { type: 'object' } };
  assert.equal(fieldsAndDetails(withVersions([{ name: 'v1', served: true, storage: false, schema }])), [
    'spec.versions: must have exactly one version marked as storage version',
    'status.storedVersions: must have at least one stored version',
  ]);
  assert.equal(fieldsAndDetails(withVersions([{ name: 'v1', served: true, storage: true, schema }, { name: 'v2', served: true, storage: true, schema }])), [
    'spec.versions: must have exactly one version marked as storage version',
    'status.storedVersions: must have the storage version v2',
  ]);
  assert.equal(fieldsAndDetails(withVersions([{ name: 'v1', served: true, storage: true, schema }, { name: 'v1', served: true, storage: false, schema }])), [
    'spec.versions: must contain unique version names',
  ]);
  assert.equal(fieldsAndDetails(withVersions([])), [
    'spec.versions: must have exactly one version marked as storage version',
    'status.storedVersions: must have at least one stored version',
  ]);
});

test('a default with unknown fields, and status-subresource root restrictions', () => {
  const errs = fieldsAndDetails(withVersions([{
    name: 'v1', served: true, storage: true, subresources: { status: {} },
    schema: { openAPIV3Schema: { type: 'object', additionalProperties: { type: 'string' } } },
  }]));
  assert.equal(errs, [
    'spec.validation.openAPIV3Schema: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled',
    'spec.validation.openAPIV3Schema.additionalProperties: must not be used at the root',
  ]);
  const unknown = fieldsAndDetails(withVersions([{
    name: 'v1', served: true, storage: true,
    schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', default: { a: 1, b: 2 }, properties: { a: { type: 'integer' } } } } } },
  }]));
  assert.equal(unknown, ['spec.validation.openAPIV3Schema.properties[spec].default: must not have unknown fields']);
});

test('the schema is checked per version when versions differ', () => {
  const errs = fieldsAndDetails(withVersions([
    { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
    { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: {} } } } },
  ]));
  assert.equal(errs, ['spec.versions[1].schema.openAPIV3Schema.properties[spec].type: must not be empty for specified object fields']);
});

test('IntOrString patterns are structural; x-kubernetes-preserve-unknown-fields: false is not', () => {
  const intOrString = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  assert.equal(fieldsAndDetails(withVersions([{
    name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { port: intOrString } } },
  }])), []);
  assert.equal(fieldsAndDetails(withVersions([{
    name: 'v1', served: true, storage: true,
    schema: { openAPIV3Schema: { type: 'object', properties: { free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } } } },
  }])), ['spec.validation.openAPIV3Schema.properties[free].x-kubernetes-preserve-unknown-fields: must be true or undefined']);
});

test('patterns RE2 cannot compile are rejected, as Go parses them', () => {
  const errs = fieldsAndDetails(withVersions([{
    name: 'v1', served: true, storage: true,
    schema: { openAPIV3Schema: { type: 'object', properties: { name: { type: 'string', pattern: '^(?!kube-).*$' } } } },
  }]));
  assert.equal(errs, ['spec.validation.openAPIV3Schema.properties[name].pattern: must be a valid regular expression, but isn\'t: error parsing regexp: invalid or unsupported Perl syntax: `(?!`']);
});

test.run();
