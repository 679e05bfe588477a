// The pieces of replay without a server: cluster mapping, bodies, patch types and the log reader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanBody, patchContentType } from '../../../scenarios/replay/bodies.js';
import { clusterMap, parseClusterMap } from '../../../scenarios/replay/clusters.js';
import { readLog, type ReplayLog } from '../../../scenarios/replay/read.js';
import { tempDir } from '../../helpers/server.js';

const LOG = join(import.meta.dirname, 'fixtures', 'audit.log');

let dir = '';
test.before(async () => { dir = await tempDir('kemu-replay-units-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

test('--map-clusters: names, globs, fold everything, first rule wins, bad specs named', () => {
  const rules = parseClusterMap('hub=hub,spoke-1=cluster-a,spoke-*=c-*');
  assert.ok(Array.isArray(rules));
  const map = clusterMap(rules as Exclude<typeof rules, string>);
  assert.equal(['hub', 'spoke-1', 'spoke-7', 'other'].map(map), ['hub', 'cluster-a', 'c-7', 'other']);
  const fold = parseClusterMap('*=hub');
  assert.equal(['spoke-3', 'hub'].map(clusterMap(fold as Exclude<typeof fold, string>)), ['hub', 'hub']);
  assert.equal(parseClusterMap(undefined), []);
  assert.match(String(parseClusterMap('hub')), 'is not FROM=TO');
  assert.match(String(parseClusterMap('hub=c-*')), 'needs one in the source');
  assert.match(String(parseClusterMap('*a*=b')), 'at most one *');
});

test('bodies lose the first server\'s bookkeeping; patch types are guessed from the body', () => {
  const body = { kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '9', uid: 'u', creationTimestamp: 't', generation: 2, managedFields: [], labels: { x: 'y' } }, data: { k: 'v' } };
  assert.equal(cleanBody(body), { kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } });
  assert.is(body.metadata.resourceVersion, '9', 'the input is not changed');
  assert.equal(cleanBody({ kind: 'DeleteOptions', propagationPolicy: 'Foreground', preconditions: { uid: 'u' } }), { kind: 'DeleteOptions', propagationPolicy: 'Foreground' });
  assert.equal(cleanBody([{ op: 'test', path: '/metadata/resourceVersion', value: '3' }, { op: 'add', path: '/data/a', value: 'b' }]), [{ op: 'add', path: '/data/a', value: 'b' }]);
  assert.is(patchContentType([{ op: 'add' }], {}, true), 'application/json-patch+json');
  assert.is(patchContentType({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, { fieldManager: 'kubectl' }, true), 'application/apply-patch+yaml');
  assert.is(patchContentType({ spec: { replicas: 2 } }, { fieldManager: 'kubectl-patch' }, true), 'application/strategic-merge-patch+json');
  assert.is(patchContentType({ spec: { replicas: 2 } }, {}, false), 'application/merge-patch+json');
});

test('the reader: stages folded by auditID, order by receive time, --include-failed, --include-control-plane', async () => {
  const log = await readLog(LOG) as ReplayLog;
  assert.is(log.logged, 16);
  assert.is(log.requests.length, 11);
  assert.equal(log.requests.map((r) => r.verb).slice(0, 4), ['create', 'create', 'create', 'create']);
  assert.ok(log.requests.every((r, i) => i === 0 || r.atMs >= log.requests[i - 1].atMs));
  const ns = log.requests[0];
  assert.equal([ns.cluster, ns.path, ns.query, ns.recordedCode, ns.barrier, ns.namespace], ['hub', '/api/v1/namespaces', { fieldManager: 'kubectl-create', fieldValidation: 'Strict' }, 201, true, 'shop']);
  assert.is(Math.round((ns.recordedMs ?? 0) * 1000), 9000);
  const update = log.requests.find((r) => r.verb === 'update');
  assert.equal((update?.body as { metadata: unknown }).metadata, { name: 'app-config', namespace: 'shop' });
  const list = log.requests.find((r) => r.verb === 'list');
  assert.equal(list?.query, { limit: '500' });
  assert.is(list?.objectKey, '');
  const more = await readLog(LOG, { includeFailed: true, includeControlPlane: true }) as ReplayLog;
  assert.is(more.requests.length, 13);
  assert.equal(more.skipped, { watch: 1, 'non-resource': 1, 'no request body': 1 });
});

test('the reader: a bad line is named by its number; a missing file by its path', async () => {
  const bad = join(dir, 'bad.log');
  await writeFile(bad, '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","requestReceivedTimestamp":"2025-01-01T00:00:00.000001Z"}\n\n{not json\n');
  assert.match((await readLog(bad) as { error: string }).error, `${bad}:3: not JSON`);
  await writeFile(bad, '{"kind":"Pod","apiVersion":"v1"}\n');
  assert.match((await readLog(bad) as { error: string }).error, ':1: not an audit.k8s.io Event');
  await writeFile(bad, '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","requestReceivedTimestamp":"yesterday"}\n');
  assert.match((await readLog(bad) as { error: string }).error, ':1: requestReceivedTimestamp "yesterday"');
  assert.match((await readLog(join(dir, 'nope.log')) as { error: string }).error, 'cannot read');
});

test.run();
