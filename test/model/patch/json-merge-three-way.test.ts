// The three-way JSON merge patch client-side `kubectl apply` sends for custom resources. The
// table cases are apimachinery's own (pkg/util/jsonmergepatch/patch_test.go, 1.32): the patch it
// expects and what applying it to the live object gives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goJSON } from '../../../model/apply/value.js';
import { createMergePatch, createThreeWayJSONMergePatch, keepOrDeleteNull } from '../../../model/patch/json-merge-three-way.js';

type Obj = Record<string, unknown>;

const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 as the server applies application/merge-patch+json. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return patch;
  const out: Obj = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function keysSorted(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(keysSorted);
  if (!isMap(v)) return true;
  const keys = Object.keys(v);
  return keys.every((k, i) => i === 0 || keys[i - 1] < k) && Object.values(v).every(keysSorted);
}

interface Case { name: string; original?: Obj; modified: Obj; current: Obj; threeWay: Obj; result: Obj }

// createJSONMergePatchTestCaseData, in order.
const UPSTREAM: Case[] = [
  { name: 'nil original', modified: { name: 1, value: 1 }, current: { name: 1, other: 'a' }, threeWay: { value: 1 }, result: { name: 1, value: 1, other: 'a' } },
  { name: 'nil patch', original: { name: 1 }, modified: { name: 1 }, current: { name: 1 }, threeWay: {}, result: { name: 1 } },
  { name: 'add field to map', original: { name: 1 }, modified: { name: 1, value: 1 }, current: { name: 1, other: 'a' }, threeWay: { value: 1 }, result: { name: 1, value: 1, other: 'a' } },
  { name: 'add field to map with conflict', original: { name: 1 }, modified: { name: 1, value: 1 }, current: { name: 'a', other: 'a' }, threeWay: { name: 1, value: 1 }, result: { name: 1, value: 1, other: 'a' } },
  { name: 'add field and delete field from map', original: { name: 1 }, modified: { value: 1 }, current: { name: 1, other: 'a' }, threeWay: { name: null, value: 1 }, result: { value: 1, other: 'a' } },
  { name: 'add field and delete field from map with conflict', original: { name: 1 }, modified: { value: 1 }, current: { name: 'a', other: 'a' }, threeWay: { name: null, value: 1 }, result: { value: 1, other: 'a' } },
  {
    name: 'delete field from nested map',
    original: { simpleMap: { key1: 1, key2: 1 } }, modified: { simpleMap: { key1: 1 } }, current: { simpleMap: { key1: 1, key2: 1, other: 'a' } },
    threeWay: { simpleMap: { key2: null } }, result: { simpleMap: { key1: 1, other: 'a' } },
  },
  {
    name: 'delete field from nested map with conflict',
    original: { simpleMap: { key1: 1, key2: 1 } }, modified: { simpleMap: { key1: 1 } }, current: { simpleMap: { key1: 'a', key2: 1, other: 'a' } },
    threeWay: { simpleMap: { key1: 1, key2: null } }, result: { simpleMap: { key1: 1, other: 'a' } },
  },
  { name: 'delete all fields from map', original: { name: 1, value: 1 }, modified: {}, current: { name: 1, value: 1, other: 'a' }, threeWay: { name: null, value: null }, result: { other: 'a' } },
  { name: 'delete all fields from map with conflict', original: { name: 1, value: 1 }, modified: {}, current: { name: 1, value: 'a', other: 'a' }, threeWay: { name: null, value: null }, result: { other: 'a' } },
  { name: 'add field and delete all fields from map', original: { name: 1, value: 1 }, modified: { other: 'a' }, current: { name: 1, value: 1, other: 'a' }, threeWay: { name: null, value: null }, result: { other: 'a' } },
  {
    name: 'add field and delete all fields from map with conflict', original: { name: 1, value: 1 }, modified: { other: 'a' }, current: { name: 1, value: 1, other: 'b' },
    threeWay: { name: null, value: null, other: 'a' }, result: { other: 'a' },
  },
  { name: 'replace list of scalars', original: { intList: [1, 2] }, modified: { intList: [2, 3] }, current: { intList: [1, 2] }, threeWay: { intList: [2, 3] }, result: { intList: [2, 3] } },
  { name: 'replace list of scalars with conflict', original: { intList: [1, 2] }, modified: { intList: [2, 3] }, current: { intList: [1, 4] }, threeWay: { intList: [2, 3] }, result: { intList: [2, 3] } },
  { name: 'patch with different scalar type', original: { foo: 1 }, modified: { foo: true }, current: { foo: 1, bar: 2 }, threeWay: { foo: true }, result: { foo: true, bar: 2 } },
  { name: 'patch from scalar to list', original: { foo: 0 }, modified: { foo: [1, 2] }, current: { foo: 0, bar: 2 }, threeWay: { foo: [1, 2] }, result: { foo: [1, 2], bar: 2 } },
  { name: 'patch from list to scalar', original: { foo: [1, 2] }, modified: { foo: 0 }, current: { foo: [1, 2], bar: 2 }, threeWay: { foo: 0 }, result: { foo: 0, bar: 2 } },
  { name: 'patch from scalar to map', original: { foo: 0 }, modified: { foo: { baz: 1 } }, current: { foo: 0, bar: 2 }, threeWay: { foo: { baz: 1 } }, result: { foo: { baz: 1 }, bar: 2 } },
  { name: 'patch from map to scalar', original: { foo: { baz: 1 } }, modified: { foo: 0 }, current: { foo: { baz: 1 }, bar: 2 }, threeWay: { foo: 0 }, result: { foo: 0, bar: 2 } },
  { name: 'patch from map to list', original: { foo: { baz: 1 } }, modified: { foo: [1, 2] }, current: { foo: { baz: 1 }, bar: 2 }, threeWay: { foo: [1, 2] }, result: { foo: [1, 2], bar: 2 } },
  { name: 'patch from list to map', original: { foo: [1, 2] }, modified: { foo: { baz: 0 } }, current: { foo: [1, 2], bar: 2 }, threeWay: { foo: { baz: 0 } }, result: { foo: { baz: 0 }, bar: 2 } },
  {
    name: 'patch with different nested types',
    original: { foo: [{ a: true }, 2, false] }, modified: { foo: [1, false, { b: 1 }] }, current: { foo: [{ a: true }, 2, false], bar: 0 },
    threeWay: { foo: [1, false, { b: 1 }] }, result: { foo: [1, false, { b: 1 }], bar: 0 },
  },
  {
    name: 'patch array with nil',
    original: { foo: [{ a: true }, null, false], bar: [], drop: [1] },
    modified: { foo: [1, false, { b: 1 }], bar: ['c', null, null, 'a'], drop: [null] },
    current: { foo: [{ a: true }, 2, false], bar: ['c', null, null, 'a'], drop: null },
    threeWay: { foo: [1, false, { b: 1 }], drop: [null] },
    result: { foo: [1, false, { b: 1 }], drop: [null], bar: ['c', null, null, 'a'] },
  },
];

for (const c of UPSTREAM) {
  test(`upstream: ${c.name}`, () => {
    const original = c.original ?? {};
    const inputs = structuredClone([original, c.modified, c.current]);
    const patch = createThreeWayJSONMergePatch(original, c.modified, c.current);
    assert.equal(patch, c.threeWay);
    assert.ok(keysSorted(patch), 'patch keys are sorted');
    assert.equal([original, c.modified, c.current], inputs, 'inputs untouched');
    assert.equal(applyMergePatch(c.current, patch), c.result);
  });
}

// filterNullTestCaseData, in order.
const FILTER: { name: string; obj: Obj; withNull: Obj; withoutNull: Obj }[] = [
  { name: 'nil original', obj: {}, withNull: {}, withoutNull: {} },
  { name: 'simple map', obj: { nilKey: null, nonNilKey: 'foo' }, withNull: { nilKey: null }, withoutNull: { nonNilKey: 'foo' } },
  { name: 'simple map with all nil values', obj: { nilKey1: null, nilKey2: null }, withNull: { nilKey1: null, nilKey2: null }, withoutNull: {} },
  { name: 'simple map with all non-nil values', obj: { nonNilKey1: 'foo', nonNilKey2: 'bar' }, withNull: {}, withoutNull: { nonNilKey1: 'foo', nonNilKey2: 'bar' } },
  { name: 'nested map', obj: { mapKey: { nilKey: null, nonNilKey: 'foo' } }, withNull: { mapKey: { nilKey: null } }, withoutNull: { mapKey: { nonNilKey: 'foo' } } },
  { name: 'nested map that all subkeys are nil', obj: { mapKey: { nilKey1: null, nilKey2: null } }, withNull: { mapKey: { nilKey1: null, nilKey2: null } }, withoutNull: {} },
  { name: 'nested map that all subkeys are non-nil', obj: { mapKey: { nonNilKey1: 'foo', nonNilKey2: 'bar' } }, withNull: {}, withoutNull: { mapKey: { nonNilKey1: 'foo', nonNilKey2: 'bar' } } },
  { name: 'explicitly empty map as value', obj: { mapKey: {} }, withNull: {}, withoutNull: { mapKey: {} } },
  { name: 'explicitly empty nested map', obj: { mapKey: { nonNilKey: {} } }, withNull: {}, withoutNull: { mapKey: { nonNilKey: {} } } },
  { name: 'multiple explicitly empty nested maps', obj: { mapKey: { nonNilKey1: {}, nonNilKey2: {} } }, withNull: {}, withoutNull: { mapKey: { nonNilKey1: {}, nonNilKey2: {} } } },
  { name: 'nested map with non-null value as empty map', obj: { mapKey: { nonNilKey: {}, nilKey: null } }, withNull: { mapKey: { nilKey: null } }, withoutNull: { mapKey: { nonNilKey: {} } } },
  { name: 'empty list', obj: { listKey: [] }, withNull: {}, withoutNull: { listKey: [] } },
  { name: 'list of primitives', obj: { listKey: [1, 2] }, withNull: {}, withoutNull: { listKey: [1, 2] } },
  { name: 'list of maps', obj: { listKey: [{ k1: 'v1' }, { k2: null }, { k3: 'v3', k4: null }] }, withNull: {}, withoutNull: { listKey: [{ k1: 'v1' }, { k2: null }, { k3: 'v3', k4: null }] } },
  { name: 'list of different types', obj: { listKey: [{ k1: 'v1' }, { k2: null }, 'v3'] }, withNull: {}, withoutNull: { listKey: [{ k1: 'v1' }, { k2: null }, 'v3'] } },
];

for (const c of FILTER) {
  test(`keepOrDeleteNull: ${c.name}`, () => {
    assert.equal(keepOrDeleteNull(c.obj, true), c.withNull);
    assert.equal(keepOrDeleteNull(c.obj, false), c.withoutNull);
  });
}

test('createMergePatch: added, changed, removed, unchanged', () => {
  assert.equal(
    createMergePatch({ a: 1, b: { c: 1, d: 2 }, e: [1], f: 'x', g: null }, { a: 2, b: { c: 1 }, e: [1], h: true, g: null }),
    { a: 2, b: { d: null }, f: null, h: true },
  );
});

test('lists of maps match by content, not key order; any difference replaces the whole list', () => {
  const current = { l: [{ a: 1, b: 2 }] };
  assert.equal(createThreeWayJSONMergePatch({}, { l: [{ b: 2, a: 1 }] }, current), {});
  assert.equal(createThreeWayJSONMergePatch({}, { l: [{ a: 1, b: 2 }, { c: 3 }] }, current), { l: [{ a: 1, b: 2 }, { c: 3 }] });
  assert.equal(createThreeWayJSONMergePatch({}, { l: [{ a: 1 }] }, current), { l: [{ a: 1 }] });
});

test('an explicit null in the manifest deletes the live field even if never applied before', () => {
  assert.equal(createThreeWayJSONMergePatch({}, { spec: { paused: null } }, { spec: { paused: true, replicas: 3 } }), { spec: { paused: null } });
});

test('a field dropped from the manifest is nulled even when the live object lost it already', () => {
  assert.equal(createThreeWayJSONMergePatch({ a: 1, b: 1 }, { a: 1 }, { a: 1 }), { b: null });
});

test('an explicit empty map in the manifest is sent as a value', () => {
  assert.equal(createThreeWayJSONMergePatch({}, { m: {} }, {}), { m: {} });
  // The live map already exists: nothing to send.
  assert.equal(createThreeWayJSONMergePatch({}, { m: {} }, { m: { x: 1 } }), {});
});

test('deletions and an explicitly emptied map combine as Go merges them', () => {
  // modified empties m; the deletion of m.x survives next to the {} of the additions.
  assert.equal(createThreeWayJSONMergePatch({ m: { x: 1 } }, { m: {} }, { n: 1 }), { m: { x: null } });
});

test('null map entries inside a list are pruned on the way in; null elements stay', () => {
  assert.equal(createThreeWayJSONMergePatch({}, { l: [{ a: null, b: 1 }, null] }, {}), { l: [{ b: 1 }, null] });
});

test('numbers compare as JSON numbers', () => {
  assert.equal(createThreeWayJSONMergePatch({ n: 1 }, { n: 1.0 }, { n: 1 }), {});
  assert.equal(createThreeWayJSONMergePatch({ n: 1 }, { n: 1.5 }, { n: 1 }), { n: 1.5 });
});

test('kubectl apply of a changed ManifestWork: new annotation, whole manifests list, dropped label nulled, server fields kept', () => {
  const manifests = (replicas: number) => [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'frontend', namespace: 'default' }, spec: { replicas } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'frontend', namespace: 'default' }, spec: { ports: [{ port: 80 }] } },
  ];
  const manifest = (replicas: number, labels: Obj) => ({
    apiVersion: 'work.open-cluster-management.io/v1', kind: 'ManifestWork',
    metadata: { name: 'mw', namespace: 'cluster1', labels },
    spec: { workload: { manifests: manifests(replicas) } },
  });
  const LA = 'kubectl.kubernetes.io/last-applied-configuration';
  const withAnnotation = (m: Obj): Obj => {
    const o = structuredClone(m) as Obj & { metadata: Obj };
    o.metadata.annotations = {};
    (o.metadata.annotations as Obj)[LA] = `${JSON.stringify(o)}\n`;
    return o;
  };
  const original = withAnnotation(manifest(3, { app: 'guestbook', tier: 'frontend' }));
  const current = {
    ...structuredClone(original),
    metadata: { ...(original.metadata as Obj), uid: 'u', resourceVersion: '7', generation: 1, labels: { app: 'guestbook', tier: 'frontend', owner: 'ops' } },
    status: { conditions: [{ type: 'Applied', status: 'True' }] },
  };
  const lastApplied = JSON.parse(((original.metadata as Obj).annotations as Obj)[LA] as string) as Obj;
  const modified = withAnnotation(manifest(4, { app: 'guestbook' }));
  const patch = createThreeWayJSONMergePatch(lastApplied, modified, current);
  assert.equal(patch, {
    metadata: { annotations: { [LA]: ((modified.metadata as Obj).annotations as Obj)[LA] }, labels: { tier: null } },
    spec: { workload: { manifests: manifests(4) } },
  });
  const result = applyMergePatch(current, patch) as Obj;
  assert.equal((result.metadata as Obj).labels, { app: 'guestbook', owner: 'ops' });
  assert.equal((result.metadata as Obj).resourceVersion, '7');
  assert.equal(result.status, current.status);
  assert.equal(result.spec, modified.spec);
});

// Captured from `kubectl apply -f mw.json -v=9` (kubectl v1.32.4) against kemu: the second apply
// of this ManifestWork, with one annotation changed in a manifest and the label tier dropped.
const KUBECTL_PATCH = "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"apiVersion\\\":\\\"work.open-cluster-management.io/v1\\\",\\\"kind\\\":\\\"ManifestWork\\\",\\\"metadata\\\":{\\\"annotations\\\":{},\\\"labels\\\":{\\\"app\\\":\\\"g\\\"},\\\"name\\\":\\\"mw\\\",\\\"namespace\\\":\\\"default\\\"},\\\"spec\\\":{\\\"workload\\\":{\\\"manifests\\\":[{\\\"apiVersion\\\":\\\"apps/v1\\\",\\\"kind\\\":\\\"Deployment\\\",\\\"metadata\\\":{\\\"annotations\\\":{\\\"r\\\":\\\"2\\\"},\\\"name\\\":\\\"frontend\\\",\\\"namespace\\\":\\\"g1\\\"},\\\"spec\\\":{\\\"replicas\\\":3,\\\"selector\\\":{\\\"matchLabels\\\":{\\\"app\\\":\\\"g\\\"}},\\\"template\\\":{\\\"metadata\\\":{\\\"labels\\\":{\\\"app\\\":\\\"g\\\"}},\\\"spec\\\":{\\\"containers\\\":[{\\\"env\\\":[{\\\"name\\\":\\\"A\\\",\\\"value\\\":\\\"dns\\\"}],\\\"image\\\":\\\"x:v5\\\",\\\"name\\\":\\\"php\\\"}]}}}},{\\\"apiVersion\\\":\\\"v1\\\",\\\"kind\\\":\\\"Service\\\",\\\"metadata\\\":{\\\"name\\\":\\\"frontend\\\",\\\"namespace\\\":\\\"g1\\\"},\\\"spec\\\":{\\\"ports\\\":[{\\\"port\\\":80}]}}]}}}\\n\"},\"labels\":{\"tier\":null}},\"spec\":{\"workload\":{\"manifests\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{\"r\":\"2\"},\"name\":\"frontend\",\"namespace\":\"g1\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"g\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"g\"}},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"A\",\"value\":\"dns\"}],\"image\":\"x:v5\",\"name\":\"php\"}]}}}},{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"frontend\",\"namespace\":\"g1\"},\"spec\":{\"ports\":[{\"port\":80}]}}]}}}";

test('the patch is byte for byte the one kubectl 1.32 sends for a changed ManifestWork', () => {
  const LA = 'kubectl.kubernetes.io/last-applied-configuration';
  const work = (round: string, labels: Obj): Obj => ({
    apiVersion: 'work.open-cluster-management.io/v1', kind: 'ManifestWork', metadata: { name: 'mw', namespace: 'default', labels },
    spec: { workload: { manifests: [
      {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'frontend', namespace: 'g1', annotations: { r: round } },
        spec: { replicas: 3, selector: { matchLabels: { app: 'g' } }, template: { metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'php', image: 'x:v5', env: [{ name: 'A', value: 'dns' }] }] } } },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'frontend', namespace: 'g1' }, spec: { ports: [{ port: 80 }] } },
    ] } },
  });
  // kubectl's GetModifiedConfiguration: annotations {} in the annotation's own text, Go JSON, "\n".
  const withLastApplied = (m: Obj): Obj & { metadata: Obj } => {
    const o = structuredClone(m) as Obj & { metadata: Obj };
    o.metadata.annotations = {};
    o.metadata.annotations = { [LA]: `${goJSON(o)}\n` };
    return o;
  };
  const first = withLastApplied(work('1', { app: 'g', tier: 'f' }));
  const current = { ...first, metadata: { ...first.metadata, uid: '59e4f344-77be-40a3-9c7c-cd39e39c693e', generation: 1, creationTimestamp: '2026-11-23T12:07:51Z', resourceVersion: '109' } };
  const original = JSON.parse((first.metadata.annotations as Record<string, string>)[LA]) as Obj;
  const patch = createThreeWayJSONMergePatch(original, withLastApplied(work('2', { app: 'g' })), current);
  assert.is(JSON.stringify(patch), KUBECTL_PATCH);
});

test.run();
