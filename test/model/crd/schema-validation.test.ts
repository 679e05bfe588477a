// Custom resource validation against CRD schemas. The goldens in test/golden/crd/validation hold
// an object, the schema (inline or a CRD under fixtures/crds) and the 422 kube-apiserver
// 1.32 answers; `wire` ones are recorded responses of a real 1.32 cluster. Each object goes
// through the decode pipeline first (prune, default), as on the server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basename } from 'node:path';
import { defaultCustomResource } from '../../../model/crd/schema-defaulting.js';
import { formatAccepts, effectiveFormat } from '../../../model/crd/schema-formats.js';
import { goFloat, goQuote } from '../../../model/crd/schema-gofmt.js';
import { pruneCustomResource } from '../../../model/crd/schema-pruning.js';
import type { JSONSchemaProps } from '../../../model/crd/schema-types.js';
import { validateAgainstSchema, validateCustomResource } from '../../../model/crd/schema-validation.js';
import {
  checkGolden, goldenFiles, readGolden, schemaOf, fixtureCRD, statusBody, type StatusBody,
} from './support.js';

interface ValidationGolden {
  source: string;
  why: string;
  kind: string;
  group: string;
  crd?: string;
  schema?: JSONSchemaProps;
  object: Record<string, unknown> & { metadata: { name: string } };
  wire?: StatusBody;
  expected?: StatusBody | null;
}

/** What the server answers for `object`: decode (prune, default), then validate. */
function answer(object: Record<string, unknown>, schema: JSONSchemaProps, kind: string, group: string, name: string): StatusBody | null {
  const obj = structuredClone(object);
  pruneCustomResource(obj, schema);
  defaultCustomResource(obj, schema);
  const errs = validateCustomResource(obj, schema);
  return errs.length === 0 ? null : statusBody(kind, group, name, errs);
}

for (const file of goldenFiles('validation')) {
  test(`validation golden ${basename(file, '.json')}`, () => {
    const g = readGolden<ValidationGolden>(file);
    const schema = g.crd ? schemaOf(fixtureCRD(g.crd)) : g.schema;
    assert.ok(schema, 'golden names no schema');
    const actual = answer(g.object, schema, g.kind, g.group, g.object.metadata.name);
    if (g.wire) assert.equal(actual, g.wire, 'differs from the recorded kube-apiserver response');
    checkGolden(file, g, actual);
  });
}

test('a valid ManifestWork passes, after its defaults are applied', () => {
  const schema = schemaOf(fixtureCRD('ocm/work/v1/0000_00_work.open-cluster-management.io_manifestworks.crd.yaml'));
  const mw = {
    apiVersion: 'work.open-cluster-management.io/v1', kind: 'ManifestWork', metadata: { name: 'mw', namespace: 'cluster1' },
    spec: {
      deleteOption: { propagationPolicy: 'SelectivelyOrphan', selectivelyOrphans: { orphaningRules: [{ resource: 'configmaps', name: 'cm', namespace: 'default' }] } },
      manifestConfigs: [{ resourceIdentifier: { resource: 'deployments', group: 'apps', name: 'web', namespace: 'default' }, updateStrategy: { type: 'ServerSideApply', serverSideApply: { force: true } } }],
      workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: 'b' } }] },
    },
  };
  assert.is(answer(mw, schema, 'ManifestWork', 'work.open-cluster-management.io', 'mw'), null);
});

test('a valid SyncSet passes, with arbitrary embedded resources', () => {
  const schema = schemaOf(fixtureCRD('hive/hive.openshift.io_syncsets.yaml'));
  const ss = {
    apiVersion: 'hive.openshift.io/v1', kind: 'SyncSet', metadata: { name: 'ss', namespace: 'ns' },
    spec: {
      clusterDeploymentRefs: [{ name: 'cd1' }], resourceApplyMode: 'Sync', applyBehavior: 'CreateOrUpdate',
      resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } }],
      patches: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', namespace: 'default', patch: '{"data":{"a":"b"}}', patchType: 'merge' }],
      secretMappings: [{ sourceRef: { name: 's' }, targetRef: { name: 't', namespace: 'x' } }],
    },
  };
  assert.is(answer(ss, schema, 'SyncSet', 'hive.openshift.io', 'ss'), null);
});

test('list-type map: duplicate keys, missing keys and non-objects', () => {
  const schema: JSONSchemaProps = {
    type: 'object', properties: {
      ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port'], items: { type: 'object', properties: { port: { type: 'integer' } } } },
      pairs: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['a', 'b'], items: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } } },
      odd: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } },
    },
  };
  const errs = validateCustomResource({
    ports: [{ port: 80 }, { port: 443 }, { port: 80 }, {}, {}],
    pairs: [{ a: 'x', b: 'y' }, { a: 'x' }, { b: 'y', a: 'x' }],
    odd: [{ k: 'a' }, 'oops'],
  }, schema).filter((e) => e.type === 'FieldValueDuplicate' || e.detail === 'must be an object for an array of list-type map');
  assert.equal(errs.map((e) => [e.type, e.field, e.value]), [
    ['FieldValueDuplicate', 'ports[2]', { port: 80 }],
    ['FieldValueDuplicate', 'ports[4]', {}],
    ['FieldValueDuplicate', 'pairs[2]', { a: 'x', b: 'y' }],
    ['FieldValueInvalid', 'odd[1]', 'oops'],
  ]);
});

test('a default is validated below its own path; an empty name gives the " in body" text', () => {
  const errs = validateAgainstSchema('three', { type: 'integer' }, 'spec.validation.openAPIV3Schema.properties[n].default');
  assert.equal(errs, [{
    type: 'FieldValueTypeInvalid', field: 'spec.validation.openAPIV3Schema.properties[n].default', value: 'string',
    detail: ' in body must be of type integer: "string"',
  }]);
});

test('formats: only the ones apiextensions keeps are checked', () => {
  assert.is(effectiveFormat('int32'), '');
  assert.is(effectiveFormat('date-time'), 'date-time');
  assert.is(effectiveFormat('k8s-short-name'), '', 'a 1.34 format, unknown in 1.32');
  const cases: [string, string, boolean][] = [
    ['date-time', '2024-02-29T10:00:00Z', true], ['date-time', '2023-02-29T10:00:00Z', false], ['date-time', '2024-01-01T24:00:00Z', false],
    ['date-time', '2024-01-01t10:00:00.5+01:00', true], ['date', '2024-13-01', false], ['date', '2024-12-31', true],
    ['uri', 'https://example.com/a?b', true], ['uri', 'relative/path', false], ['uri', '/abs/path', true], ['uri', 'mailto:a@b', true],
    ['email', 'a.b@example.com', true], ['email', 'Ann <ann@example.com>', true], ['email', 'nope', false],
    ['hostname', 'example.com', true], ['hostname', '-bad.com', false], ['ipv4', '10.0.0.1', true], ['ipv4', '10.0.0', false],
    ['ipv4', '010.0.0.1', false], ['ipv6', '::1', true], ['ipv6', 'fe80::1%eth0', false], ['cidr', '10.0.0.0/8', true],
    ['cidr', '10.0.0.0/33', false], ['mac', '00:00:5e:00:53:01', true], ['mac', '0000.5e00.5301', true], ['mac', '00:00:5e', false],
    ['uuid', '123e4567-e89b-12d3-a456-426614174000', true], ['uuid4', '123e4567-e89b-12d3-a456-426614174000', false],
    ['byte', 'aGVsbG8=', true], ['byte', 'aGVsbG8', false], ['duration', '1h30m', true], ['duration', '3 days', true],
    ['duration', '5 parsecs', false], ['isbn10', '0321751043', true], ['isbn13', '978-0321751041', true],
    ['creditcard', '4111 1111 1111 1111', true], ['ssn', '123-45-6789', true], ['ssn', '123456789', false],
    ['hexcolor', '#fff', true], ['rgbcolor', 'rgb(255, 0, 10)', true], ['password', 'anything', true], ['bsonobjectid', '507f1f77bcf86cd799439011', true],
  ];
  for (const [format, value, ok] of cases) assert.is(formatAccepts(format, value), ok, `${format} ${value}`);
});

test('Go formatting of numbers and strings in messages', () => {
  assert.is(goFloat(0.5), '0.5');
  assert.is(goFloat(1e6), '1e+06');
  assert.is(goFloat(123456.5), '123456.5');
  assert.is(goFloat(0.00001), '1e-05');
  assert.is(goQuote('a"b\n\u0001é'), '"a\\"b\\n\\x01é"');
});

test.run();
