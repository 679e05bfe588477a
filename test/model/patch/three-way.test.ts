// The patches kubectl computes: client-side apply (three-way) and edit (two-way). Each golden
// pins the exact patch kubectl would send (keys sorted, as Go marshals them) and what the
// server then makes of the live object.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { strategicMergePatch } from '../../../model/patch/strategic.js';
import { createThreeWayMergePatch, createTwoWayMergePatch } from '../../../model/patch/three-way.js';
import { isStatus, type Status } from '../../../model/status.js';
import { readGolden, schemaFor, type GoldenCase, type Obj } from './golden.js';

interface ThreeWayCase extends GoldenCase {
  readonly original: Obj;
  readonly modified: Obj;
  readonly current: Obj;
  readonly patch: Obj;
  readonly result: Obj;
}

interface TwoWayCase extends GoldenCase {
  readonly original: Obj;
  readonly modified: Obj;
  readonly patch: Obj;
}

function ok(r: Obj | Status): Obj {
  if (isStatus(r)) throw new Error(`unexpected ${r.code}: ${r.message}`);
  return r;
}

/** Keys in Go's json.Marshal order at every level. */
function keysSorted(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(keysSorted);
  if (typeof v !== 'object' || v === null) return true;
  const keys = Object.keys(v);
  return keys.every((k, i) => i === 0 || keys[i - 1] < k) && Object.values(v).every(keysSorted);
}

const three = readGolden<ThreeWayCase>('three-way.json');
for (const c of three.cases) {
  test(`three-way: ${c.name}`, () => {
    const schema = schemaFor(c.type ?? three.type);
    const inputs = structuredClone([c.original, c.modified, c.current]);
    const patch = ok(createThreeWayMergePatch(c.original, c.modified, c.current, schema));
    assert.equal(patch, c.patch);
    assert.ok(keysSorted(patch), 'patch keys are sorted');
    assert.equal([c.original, c.modified, c.current], inputs);
    assert.equal(ok(strategicMergePatch(c.current, patch, schema)), c.result);
  });
}

const two = readGolden<TwoWayCase>('two-way.json');
for (const c of two.cases) {
  test(`two-way: ${c.name}`, () => {
    const schema = schemaFor(c.type ?? two.type);
    const patch = ok(createTwoWayMergePatch(c.original, c.modified, schema));
    assert.equal(patch, c.patch);
    assert.ok(keysSorted(patch), 'patch keys are sorted');
    assert.equal(ok(strategicMergePatch(c.original, patch, schema)), c.modified);
  });
}

const deployment = schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' });

test('two-way patch of identical objects is empty', () => {
  const d = { spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } } } };
  assert.equal(ok(createTwoWayMergePatch(d, structuredClone(d), deployment)), {});
});

test('a manifest without a merge key fails the way kubectl reports it', () => {
  const original = { spec: { template: { spec: { containers: [{ name: 'a', image: 'a' }] } } } };
  const modified = { spec: { template: { spec: { containers: [{ image: 'b' }] } } } };
  const r = createThreeWayMergePatch(original, modified, original, deployment);
  if (!isStatus(r)) throw new Error('expected a failure');
  assert.is(r.message, 'map: map[image:b] does not contain declared merge key: name');
});

test('explicit null in the manifest deletes the live field even if never applied before', () => {
  const current = { spec: { replicas: 3, paused: true } };
  const patch = ok(createThreeWayMergePatch({}, { spec: { paused: null } }, current, deployment));
  assert.equal(patch, { spec: { paused: null } });
  assert.equal(ok(strategicMergePatch(current, patch, deployment)), { spec: { replicas: 3 } });
});

test.run();
