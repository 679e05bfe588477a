import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBuiltinCatalog } from '../../model/catalog.js';
import { fixturesDir } from '../../model/fixtures.js';
import { aggregatedContentType, DiscoveryDocuments } from '../../server/discovery.js';

const CLIENT_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,'
  + 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

const docs = new DiscoveryDocuments(loadBuiltinCatalog(), '10.0.0.1:6443');

// Test-only: the documents are checked structurally, so untyped access keeps assertions short.
function json(body: Buffer): any {
  return JSON.parse(body.toString('utf8'));
}

test('/apis equals the real 1.32 APIGroupList byte for byte', () => {
  const expected = readFileSync(join(fixturesDir(), 'k8s', 'discovery', 'apis.json'));
  const a = docs.respond('/apis', 'application/json', undefined)!;
  assert.is(a.statusCode, 200);
  assert.is(a.headers['Content-Type'], 'application/json');
  assert.ok(a.body.equals(expected), a.body.toString());
  assert.ok(docs.respond('/apis/', undefined, undefined)!.body.equals(expected));
});

test('/api lists v1 with the server address', () => {
  const a = docs.respond('/api', undefined, undefined)!;
  assert.is(a.body.toString(),
    '{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"10.0.0.1:6443"}]}\n');
});

test('/apis/apps/v1 is an APIResourceList with subresources as name/sub', () => {
  const a = docs.respond('/apis/apps/v1', 'application/json', undefined)!;
  const list = json(a.body);
  assert.is(list.kind, 'APIResourceList');
  assert.is(list.apiVersion, 'v1');
  assert.is(list.groupVersion, 'apps/v1');
  const names = list.resources.map((r: { name: string }) => r.name);
  assert.equal(names.slice(0, 5), ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale']);
  assert.ok(a.body.toString().includes('{"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment",'
    + '"verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["deploy"],'
    + '"categories":["all"],"storageVersionHash":"8aSe+NMegvE="}'));
  assert.ok(a.body.toString().includes('{"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling",'
    + '"version":"v1","kind":"Scale","verbs":["get","patch","update"]}'));
});

test('/api/v1 has no apiVersion and lists pods/log', () => {
  const list = json(docs.respond('/api/v1', undefined, undefined)!.body);
  assert.is(list.apiVersion, undefined);
  assert.is(list.groupVersion, 'v1');
  const names: string[] = list.resources.map((r: { name: string }) => r.name);
  assert.ok(names.includes('pods/log'));
  assert.ok(names.indexOf('pods') < names.indexOf('pods/attach'));
  assert.ok(names.indexOf('pods/status') < names.indexOf('podtemplates'));
});

test('/apis/autoscaling is an APIGroup preferring v2', () => {
  const g = json(docs.respond('/apis/autoscaling', undefined, undefined)!.body);
  assert.equal(g, {
    kind: 'APIGroup', apiVersion: 'v1', name: 'autoscaling',
    versions: [{ groupVersion: 'autoscaling/v2', version: 'v2' }, { groupVersion: 'autoscaling/v1', version: 'v1' }],
    preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
  });
});

test('aggregated discovery v2 for the client-go Accept header', () => {
  const a = docs.respond('/apis', CLIENT_ACCEPT, undefined)!;
  assert.is(a.statusCode, 200);
  assert.is(a.headers['Content-Type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  assert.is(a.headers['Vary'], 'Accept');
  assert.is(a.headers['Cache-Control'], 'public');
  const text = a.body.toString().replace(/\n$/, '');
  assert.is(a.headers['ETag'], `"${createHash('sha512').update(text).digest('hex').toUpperCase()}"`);
  const list = json(a.body);
  assert.is(list.kind, 'APIGroupDiscoveryList');
  assert.is(list.apiVersion, 'apidiscovery.k8s.io/v2');
  const apps = list.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'apps');
  assert.equal(apps.metadata, { name: 'apps', creationTimestamp: null });
  const deploy = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
  assert.equal(deploy, {
    resource: 'deployments', responseKind: { group: '', version: '', kind: 'Deployment' }, scope: 'Namespaced',
    singularResource: 'deployment', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['deploy'], categories: ['all'],
    subresources: [
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
      { subresource: 'status', responseKind: { group: '', version: '', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
    ],
  });
  assert.equal(list.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'autoscaling')
    .versions.map((v: { version: string; freshness: string }) => `${v.version}:${v.freshness}`), ['v2:Current', 'v1:Current']);
});

test('aggregated /api has one unnamed item', () => {
  const a = docs.respond('/api', CLIENT_ACCEPT, undefined)!;
  const list = json(a.body);
  assert.is(list.items.length, 1);
  assert.equal(list.items[0].metadata, { creationTimestamp: null });
  const pods = list.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'pods');
  assert.equal(pods.shortNames, ['po']);
  assert.equal(pods.categories, ['all']);
});

test('If-None-Match with the current ETag gives 304', () => {
  const first = docs.respond('/apis', CLIENT_ACCEPT, undefined)!;
  const again = docs.respond('/apis', CLIENT_ACCEPT, first.headers['ETag'])!;
  assert.is(again.statusCode, 304);
  assert.is(again.body.length, 0);
  assert.is(again.headers['ETag'], first.headers['ETag']);
  assert.is(docs.respond('/apis', CLIENT_ACCEPT, '"stale"')!.statusCode, 200);
});

test('v2beta1 when asked for first; q-values reorder', () => {
  const beta = docs.respond('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList', undefined)!;
  assert.is(beta.headers['Content-Type'], aggregatedContentType('v2beta1'));
  assert.is(json(beta.body).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  const legacy = docs.respond('/apis',
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5,application/json', undefined)!;
  assert.is(legacy.headers['Content-Type'], 'application/json');
  assert.is(json(legacy.body).kind, 'APIGroupList');
});

test('protobuf is served when preferred (protobuf.test.ts checks its content); nothing acceptable is 406', () => {
  const a = docs.respond('/api/v1', 'application/vnd.kubernetes.protobuf,application/json', undefined)!;
  assert.is(a.headers['Content-Type'], 'application/vnd.kubernetes.protobuf');
  const b = docs.respond('/api/v1', 'application/vnd.kubernetes.protobuf;q=0.5,application/json', undefined)!;
  assert.is(b.headers['Content-Type'], 'application/json');
  const n = docs.respond('/apis', 'text/html', undefined)!;
  assert.is(n.statusCode, 406);
  assert.is(json(n.body).reason, 'NotAcceptable');
  assert.is(docs.respond('/api/v1', 'application/yaml', undefined)!.headers['Content-Type'], 'application/yaml');
});

test('aggregated Accept on a group-version path gets the legacy list', () => {
  const a = docs.respond('/apis/apps/v1', CLIENT_ACCEPT, undefined)!;
  assert.is(a.headers['Content-Type'], 'application/json');
  assert.is(json(a.body).kind, 'APIResourceList');
});

test('non-discovery paths are not answered', () => {
  assert.is(docs.respond('/apis/apps/v1/deployments', undefined, undefined), undefined);
  assert.is(docs.respond('/apis/nope', undefined, undefined), undefined);
  assert.is(docs.respond('/apis/apps/v2', undefined, undefined), undefined);
  assert.is(docs.respond('/healthz', undefined, undefined), undefined);
});

test.run();
