// Strategic merge patch as kube-apiserver 1.32 applies it: every golden case in
// test/golden/patch/strategic (apart from the two- and three-way files), then the API's own
// promises (inputs untouched, odd bodies, error wire form).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { strategicMergePatch } from '../../../model/patch/strategic.js';
import { isStatus, type Status } from '../../../model/status.js';
import { goldenFiles, readGolden, schemaFor, type GoldenCase, type Obj } from './golden.js';

interface ApplyCase extends GoldenCase {
  readonly original: Obj;
  readonly patch: unknown;
  readonly expected?: Obj;
  readonly status?: { code: number; reason: string; message: string; details?: Obj };
}

const APPLY_FILES = goldenFiles().filter((f) => f !== 'three-way.json' && f !== 'two-way.json');

for (const file of APPLY_FILES) {
  const g = readGolden<ApplyCase>(file);
  for (const c of g.cases) {
    test(`${file}: ${c.name}`, () => {
      const got = strategicMergePatch(c.original, c.patch, schemaFor(c.type ?? g.type));
      if (c.status) {
        if (!isStatus(got)) throw new Error(`expected a ${c.status.code}, got ${JSON.stringify(got)}`);
        const wire = got.toJSON();
        assert.is(got.code, c.status.code);
        assert.is(wire.reason ?? '', c.status.reason);
        assert.is(got.message, c.status.message);
        if (c.status.details) assert.equal(wire.details, c.status.details);
        return;
      }
      if (isStatus(got)) throw new Error(`unexpected ${got.code}: ${got.message}`);
      assert.equal(got, c.expected);
    });
  }
}

test('golden files cover every apply group the brief names', () => {
  assert.equal(APPLY_FILES, ['deployment.json', 'errors.json', 'metadata.json', 'pdb.json', 'pod.json', 'service.json', 'upstream.json']);
});

const deployment = schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' });
const live: Obj = {
  metadata: { name: 'd', labels: { app: 'web' } },
  spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } },
};

function status(r: Obj | Status): Status {
  if (!isStatus(r)) throw new Error(`expected a Status, got ${JSON.stringify(r)}`);
  return r;
}

test('neither the object nor the patch is changed', () => {
  const original = structuredClone(live);
  const patch = {
    metadata: { labels: { app: null, tier: 'x' } },
    spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }],
      containers: [{ name: 'a', $patch: 'delete' }, { name: 'c', image: 'c:1' }],
    } } },
  };
  const before = structuredClone(patch);
  const got = strategicMergePatch(original, patch, deployment);
  assert.not.ok(isStatus(got));
  assert.equal(original, live);
  assert.equal(patch, before);
});

test('the patched object shares nothing with the patch', () => {
  const patch = { spec: { template: { spec: { containers: [{ name: 'c', image: 'c:1' }] } } } };
  const got = strategicMergePatch(live, patch, deployment) as Obj;
  patch.spec.template.spec.containers[0].image = 'changed';
  const containers = ((got.spec as Obj).template as Obj).spec as { containers: { name: string; image: string }[] };
  assert.is(containers.containers.find((c) => c.name === 'c')?.image, 'c:1');
});

test('a null body changes nothing, as the decoder leaves the map empty', () => {
  assert.equal(strategicMergePatch(live, null, deployment), live);
});

test('scalar bodies get the decoder error for their JSON type', () => {
  assert.is(status(strategicMergePatch(live, 'x', deployment)).message, 'json: cannot unmarshal string into Go value of type map[string]interface {}');
  assert.is(status(strategicMergePatch(live, 3, deployment)).message, 'json: cannot unmarshal number into Go value of type map[string]interface {}');
  assert.is(status(strategicMergePatch(live, true, deployment)).message, 'json: cannot unmarshal bool into Go value of type map[string]interface {}');
});

test('errors that are not mergepatch sentinels go out as 500 without a reason', () => {
  const s = status(strategicMergePatch(live, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deployment));
  assert.equal(s.toJSON(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'map: map[image:x] does not contain declared merge key: name', code: 500,
  });
});

test('a non-string directive prints the way Go formats it with %s', () => {
  const s = status(strategicMergePatch(live, { metadata: { labels: { $patch: 1, a: null } } }, deployment));
  assert.is(s.message, 'unknown patch type: %!s(int64=1) in map: map[$patch:1 a:<nil>]');
});

test('$retainKeys works on any map, not only retainKeys fields', () => {
  const got = strategicMergePatch(live, { metadata: { labels: { $retainKeys: ['tier'], tier: 'x' } } }, deployment) as Obj;
  assert.equal((got.metadata as Obj).labels, { tier: 'x' });
});

test('a deletion list of null removes the whole list', () => {
  const got = strategicMergePatch({ metadata: { finalizers: ['a'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': null } }, deployment) as Obj;
  assert.equal(got.metadata, {});
});

test.run();
