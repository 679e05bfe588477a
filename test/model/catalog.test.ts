import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadBuiltinCatalog, StaticCatalog } from '../../model/catalog.js';
import { fixturesDir } from '../../model/fixtures.js';

const catalog = loadBuiltinCatalog();

test('fixturesDir finds the repo fixtures', () => {
  assert.ok(existsSync(join(fixturesDir(), 'resources.json')));
});

test('loaded once', () => {
  assert.is(loadBuiltinCatalog(), catalog);
});

test('core group first, then the /apis order, autoscaling v2 preferred', () => {
  const groups = catalog.groups();
  assert.equal(groups[0], { name: '', versions: ['v1'] });
  assert.is(groups[1].name, 'apiregistration.k8s.io');
  assert.is(groups[2].name, 'apps');
  assert.equal(groups.find((g) => g.name === 'autoscaling')?.versions, ['v2', 'v1']);
  assert.is(groups.length, 20);
});

test('pods', () => {
  const pods = catalog.lookup('', 'v1', 'pods');
  assert.ok(pods);
  assert.is(pods.kind, 'Pod');
  assert.is(pods.listKind, 'PodList');
  assert.is(pods.singularName, 'pod');
  assert.is(pods.namespaced, true);
  assert.equal(pods.shortNames, ['po']);
  assert.equal(pods.categories, ['all']);
  assert.equal(pods.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  assert.is(pods.storageVersionHash, 'xPOwRZ+Yhw8=');
  const subs = Object.fromEntries(pods.subresources.map((s) => [s.name, s]));
  assert.equal(Object.keys(subs), ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log',
    'portforward', 'proxy', 'status']);
  assert.equal(subs.exec.verbs, ['create', 'get']);
  assert.is(subs.exec.kind, 'PodExecOptions');
  assert.equal(subs.proxy.verbs, ['create', 'delete', 'get', 'patch', 'update']);
  assert.equal([subs.eviction.group, subs.eviction.version, subs.eviction.kind], ['policy', 'v1', 'Eviction']);
  assert.equal(subs.log.verbs, ['get']);
});

test('deployments', () => {
  const d = catalog.lookup('apps', 'v1', 'deployments');
  assert.ok(d);
  assert.equal(d.shortNames, ['deploy']);
  assert.equal(d.categories, ['all']);
  assert.is(d.storageVersionHash, '8aSe+NMegvE=');
  const scale = d.subresources.find((s) => s.name === 'scale');
  assert.equal(scale, { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
});

test('customresourcedefinitions', () => {
  const crd = catalog.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  assert.ok(crd);
  assert.equal(crd.shortNames, ['crd', 'crds']);
  assert.equal(crd.categories, ['api-extensions']);
  assert.is(crd.namespaced, false);
});

test('HPA in autoscaling v2 and v1, both with the v2 storage hash', () => {
  const v2 = catalog.lookup('autoscaling', 'v2', 'horizontalpodautoscalers');
  const v1 = catalog.lookup('autoscaling', 'v1', 'horizontalpodautoscalers');
  assert.ok(v2 && v1);
  assert.equal(v1.shortNames, ['hpa']);
  assert.is(v1.storageVersionHash, 'qwQve8ut294=');
  assert.is(v2.storageVersionHash, 'qwQve8ut294=');
});

test('never-stored resources have no storageVersionHash', () => {
  for (const [g, r] of [['', 'bindings'], ['', 'componentstatuses'], ['authentication.k8s.io', 'tokenreviews'],
    ['authorization.k8s.io', 'subjectaccessreviews'], ['authentication.k8s.io', 'selfsubjectreviews']]) {
    const t = catalog.lookup(g, 'v1', r);
    assert.ok(t, r);
    assert.is(t.storageVersionHash, undefined, r);
  }
  assert.equal(catalog.lookup('', 'v1', 'bindings')?.verbs, ['create']);
});

test('events.k8s.io events share the core storage version', () => {
  assert.is(catalog.lookup('events.k8s.io', 'v1', 'events')?.storageVersionHash, 'r2yiGXH7wu8=');
});

test('namespaces: no deletecollection, finalize is update-only', () => {
  const ns = catalog.lookup('', 'v1', 'namespaces');
  assert.ok(ns);
  assert.not.ok(ns.verbs.includes('deletecollection'));
  assert.equal(ns.subresources.find((s) => s.name === 'finalize')?.verbs, ['update']);
});

test('pods/resize is not served without its alpha gate', () => {
  assert.not.ok(catalog.lookup('', 'v1', 'pods')?.subresources.some((s) => s.name === 'resize'));
});

test('resourcesOf is sorted; unknown lookups are undefined', () => {
  const names = catalog.resourcesOf('apps', 'v1').map((r) => r.resource);
  assert.equal(names, ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']);
  assert.equal(catalog.resourcesOf('apps', 'v1beta1'), []);
  assert.is(catalog.lookup('apps', 'v1', 'nope'), undefined);
  assert.is(catalog.lookup('nope', 'v1', 'pods'), undefined);
});

test('StaticCatalog rejects resources of unlisted group-versions', () => {
  assert.throws(() => new StaticCatalog({ groups: [], resources: [catalog.lookup('', 'v1', 'pods')!] }));
});

test.run();
