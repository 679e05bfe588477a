// Pruning and defaulting of custom resources, pinned by test/golden/crd/pruning and
// test/golden/crd/defaulting: each golden holds the decoded input and what kube-apiserver 1.32
// keeps (with the unknown field paths it reports for fieldValidation=Warn/Strict).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basename } from 'node:path';
import { defaultCustomResource } from '../../../model/crd/schema-defaulting.js';
import { pruneCustomResource } from '../../../model/crd/schema-pruning.js';
import type { JSONSchemaProps } from '../../../model/crd/schema-types.js';
import { checkGolden, goldenFiles, readGolden, schemaOf, fixtureCRD } from './support.js';

interface Golden {
  source: string;
  why: string;
  crd?: string;
  schema?: JSONSchemaProps;
  input: Record<string, unknown>;
  expected?: unknown;
}

function schemaFor(g: Golden): JSONSchemaProps {
  const s = g.crd ? schemaOf(fixtureCRD(g.crd)) : g.schema;
  assert.ok(s, 'golden names no schema');
  return s;
}

for (const file of goldenFiles('pruning')) {
  test(`pruning golden ${basename(file, '.json')}`, () => {
    const g = readGolden<Golden>(file);
    const obj = structuredClone(g.input);
    const unknownFields = pruneCustomResource(obj, schemaFor(g));
    checkGolden(file, g, { output: obj, unknownFields });
  });
}

for (const file of goldenFiles('defaulting')) {
  test(`defaulting golden ${basename(file, '.json')}`, () => {
    const g = readGolden<Golden>(file);
    const schema = schemaFor(g);
    const obj = structuredClone(g.input);
    pruneCustomResource(obj, schema);
    defaultCustomResource(obj, schema);
    checkGolden(file, g, obj);
  });
}

test('pruning mutates in place and is idempotent', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } };
  const obj: Record<string, unknown> = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec: { a: 'x', b: 1 } };
  const spec = obj.spec;
  assert.equal(pruneCustomResource(obj, schema), ['spec.b']);
  assert.is(obj.spec, spec);
  assert.equal(obj, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec: { a: 'x' } });
  assert.equal(pruneCustomResource(obj, schema), []);
});

test('defaults are deep copies, never shared with the schema', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', default: { tags: ['a'] }, properties: { tags: { type: 'array', items: { type: 'string' } } } } } };
  const one: Record<string, unknown> = {};
  const two: Record<string, unknown> = {};
  defaultCustomResource(one, schema);
  defaultCustomResource(two, schema);
  ((one.spec as { tags: string[] }).tags).push('b');
  assert.equal(two, { spec: { tags: ['a'] } });
  assert.equal(schema.properties?.spec.default, { tags: ['a'] });
});

test.run();
