// Field paths, field sets and their fieldsV1 encoding (structured-merge-diff fieldpath).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fieldSetOf, FieldSet, fromFieldsV1, pathString, toFieldsV1, type PathElement } from '../../../model/apply/index.js';
import { fieldPE, keyPE, parsePE, PathElementError, serializePE } from '../../../model/apply/path.js';
import { setOf } from '../../../model/apply/set.js';
import { builtinSchema } from '../../../model/schema/builtin.js';
import { UNTYPED } from '../../../model/schema/schema.js';

const f = fieldPE;
const key = (fields: Record<string, unknown>): PathElement => keyPE(Object.entries(fields).map(([name, value]) => ({ name, value })));

test('path elements serialize as fieldsV1 keys, key fields sorted by name and HTML-escaped as Go does', () => {
  assert.is(serializePE(f('metadata')), 'f:metadata');
  assert.is(serializePE(key({ protocol: 'TCP', port: 80 })), 'k:{"port":80,"protocol":"TCP"}');
  assert.is(serializePE(key({ name: 'a<b>&c' })), 'k:{"name":"a\\u003cb\\u003e\\u0026c"}');
  assert.is(serializePE({ kind: 'value', value: 'kubernetes' }), 'v:"kubernetes"');
  assert.is(serializePE({ kind: 'value', value: 42 }), 'v:42');
  assert.is(serializePE({ kind: 'index', index: 3 }), 'i:3');
});

test('path elements parse back; unknown kinds are skipped and malformed keys are errors', () => {
  for (const pe of [f('data'), key({ port: 53, protocol: 'UDP' }), { kind: 'value', value: true } as PathElement, { kind: 'index', index: 0 } as PathElement]) {
    assert.equal(parsePE(serializePE(pe)), pe);
  }
  assert.equal(parsePE('k:{"protocol":"TCP","port":80}'), key({ port: 80, protocol: 'TCP' }));
  assert.is(parsePE('x:whatever'), null);
  assert.instance(parsePE('f'), PathElementError);
  assert.is((parsePE('fx') as PathElementError).message, 'missing colon: fx');
  assert.instance(parsePE('i:one'), PathElementError);
});

test('paths print as structured-merge-diff Path.String', () => {
  assert.is(pathString([f('spec'), f('containers'), key({ name: 'nginx' }), f('image')]), '.spec.containers[name="nginx"].image');
  assert.is(pathString([f('metadata'), f('labels'), f('app')]), '.metadata.labels.app');
  assert.is(pathString([f('metadata'), f('finalizers'), { kind: 'value', value: 'kubernetes' }]), '.metadata.finalizers[="kubernetes"]');
  assert.is(pathString([f('ports'), key({ protocol: 'TCP', containerPort: 80 })]), '.ports[containerPort=80,protocol="TCP"]');
  assert.is(pathString([f('args'), { kind: 'index', index: 2 }]), '.args[2]');
  assert.is(pathString([f('data'), f('.dockerconfigjson')]), '.data..dockerconfigjson');
});

test('set algebra: union, intersection, leaf-wise difference and recursive difference', () => {
  const a = setOf([f('spec'), f('replicas')], [f('spec'), f('template')], [f('spec'), f('template'), f('spec')]);
  const b = setOf([f('spec'), f('replicas')], [f('status')]);
  assert.equal(a.union(b).paths().map(pathString), ['.status', '.spec.replicas', '.spec.template', '.spec.template.spec']);
  assert.equal(a.intersection(b).paths().map(pathString), ['.spec.replicas']);
  assert.equal(a.difference(b).paths().map(pathString), ['.spec.template', '.spec.template.spec']);
  // A parent minus its child stays; a child minus its parent stays too (only leaves are compared).
  assert.equal(a.difference(setOf([f('spec'), f('template'), f('spec')])).paths().map(pathString), ['.spec.replicas', '.spec.template']);
  assert.equal(a.difference(setOf([f('spec')])).paths().map(pathString), a.paths().map(pathString));
  // A recursive difference drops everything under a member of the other set.
  assert.equal(a.recursiveDifference(setOf([f('spec'), f('template')])).paths().map(pathString), ['.spec.replicas']);
  assert.ok(new FieldSet().empty());
  assert.ok(a.has([f('spec'), f('template')]));
  assert.not.ok(a.has([f('spec')]));
});

test('fieldsV1: members before children in path-element order, "." first in a node that is also a member', () => {
  const s = setOf(
    [f('spec'), f('ports'), key({ port: 80, protocol: 'TCP' })],
    [f('spec'), f('ports'), key({ port: 80, protocol: 'TCP' }), f('port')],
    [f('spec'), f('ports'), key({ port: 443, protocol: 'TCP' })],
    [f('spec'), f('ports')],
    [f('metadata'), f('finalizers'), { kind: 'value', value: 'b' }],
    [f('metadata'), f('finalizers'), { kind: 'value', value: 'a' }],
    [f('spec'), f('type')],
  );
  const json = JSON.stringify(toFieldsV1(s));
  assert.is(json, '{"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}}},"f:spec":{"f:ports":{".":{},'
    + '"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}},"k:{\\"port\\":443,\\"protocol\\":\\"TCP\\"}":{}},"f:type":{}}}');
  const back = fromFieldsV1(JSON.parse(json));
  assert.ok(back instanceof FieldSet && back.equals(s));
});

test('fieldsV1 decoding accepts any key order, skips unknown element kinds and rejects non-objects', () => {
  const s = fromFieldsV1({ 'f:b': {}, 'f:a': { 'f:y': {}, '.': {}, 'f:x': {} }, 'z:future': { 'f:q': {} } });
  assert.ok(s instanceof FieldSet);
  if (!(s instanceof FieldSet)) return;
  assert.equal(s.paths().map(pathString), ['.a', '.b', '.a.x', '.a.y']);
  assert.ok(fromFieldsV1({}) instanceof FieldSet);
  assert.type(fromFieldsV1({ 'f:a': 1 }), 'string');
  assert.type(fromFieldsV1({ 'k:notjson': {} }), 'string');
});

test('fieldSetOf: leaves, associative items with their keys, atomic structs as one leaf, empty maps owned', () => {
  const schema = builtinSchema('apps', 'v1', 'Deployment');
  assert.ok(schema);
  const s = fieldSetOf({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['x'], annotations: {} },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] } },
    },
  }, schema);
  assert.is(JSON.stringify(toFieldsV1(s)), JSON.stringify({
    'f:apiVersion': {},
    'f:kind': {},
    'f:metadata': { 'f:annotations': {}, 'f:finalizers': { 'v:"x"': {} }, 'f:labels': { 'f:app': {} }, 'f:name': {} },
    'f:spec': {
      'f:selector': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': {
        '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } }, 'f:resources': {},
      } } } },
    },
  }));
});

test('fieldSetOf on untyped values: maps are granular and own their entries, lists are atomic', () => {
  const s = fieldSetOf({ spec: { a: { b: 1 }, list: [1, 2], n: null } }, UNTYPED);
  assert.equal(s.paths().map(pathString), ['.spec', '.spec.a', '.spec.list', '.spec.n', '.spec.a.b']);
});

test.run();
