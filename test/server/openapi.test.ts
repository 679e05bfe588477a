import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { loadBuiltinCatalog } from '../../model/catalog.js';
import { OverlayCatalog } from '../../model/crd/catalogs.js';
import { resourceTypesOf } from '../../model/crd/resource-types.js';
import type { KubeObject } from '../../model/object.js';
import { OpenAPIDocuments } from '../../server/openapi.js';

const docs = new OpenAPIDocuments();
const none = new URLSearchParams();

function sha512(b: Buffer | string): string {
  return createHash('sha512').update(b).digest('hex').toUpperCase();
}

test('v3 index lists every served group-version with its hash', () => {
  const a = docs.respond('/openapi/v3', none, undefined, undefined)!;
  assert.is(a.statusCode, 200);
  assert.is(a.headers['Content-Type'], 'application/json');
  const index = JSON.parse(a.body.toString()) as { paths: Record<string, { serverRelativeURL: string }> };
  const keys = Object.keys(index.paths);
  assert.is(keys.length, 21);
  assert.equal(keys, [...keys].sort());
  assert.ok(keys.includes('api/v1') && keys.includes('apis/apps/v1') && keys.includes('apis/autoscaling/v2'));
  assert.not.ok(keys.includes('apis/resource.k8s.io/v1beta1'));
  const apps = docs.respond('/openapi/v3/apis/apps/v1', none, 'application/json', undefined)!;
  assert.is(index.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${sha512(apps.body)}`);
  assert.match(index.paths['api/v1'].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
});

test('v3 document with the current hash is immutable', () => {
  const plain = docs.respond('/openapi/v3/apis/apps/v1', none, undefined, undefined)!;
  const hash = sha512(plain.body);
  assert.is(plain.headers['ETag'], `"${hash}"`);
  assert.is(plain.headers['Cache-Control'], undefined);
  const doc = JSON.parse(plain.body.toString());
  assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments']);
  const a = docs.respond('/openapi/v3/apis/apps/v1', new URLSearchParams({ hash }), 'application/json', undefined)!;
  assert.is(a.statusCode, 200);
  assert.is(a.headers['Cache-Control'], 'public, immutable');
  assert.is(a.headers['Vary'], 'Accept');
  assert.ok(Date.parse(a.headers['Expires']) > Date.now() + 360 * 24 * 3600 * 1000);
  assert.ok(a.body.equals(plain.body));
});

test('v3 document with a stale hash redirects to the current URL', () => {
  const a = docs.respond('/openapi/v3/api/v1', new URLSearchParams({ hash: 'ABC' }), undefined, undefined)!;
  assert.is(a.statusCode, 301);
  const current = sha512(docs.respond('/openapi/v3/api/v1', none, undefined, undefined)!.body);
  assert.is(a.headers['Location'], `/openapi/v3/api/v1?hash=${current}`);
  const prefixed = docs.respond('/openapi/v3/api/v1', new URLSearchParams({ hash: 'ABC' }), undefined, undefined, '/clusters/c1')!;
  assert.is(prefixed.headers['Location'], `/clusters/c1/openapi/v3/api/v1?hash=${current}`);
});

test('pods/resize is not published for a stock cluster', () => {
  const doc = JSON.parse(docs.respond('/openapi/v3/api/v1', none, undefined, undefined)!.body.toString());
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']);
  assert.is(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/resize'], undefined);
});

test('index URLs carry the cluster prefix', () => {
  const a = docs.respond('/openapi/v3', none, undefined, undefined, '/clusters/c1')!;
  const index = JSON.parse(a.body.toString());
  assert.match(index.paths['apis/apps/v1'].serverRelativeURL, /^\/clusters\/c1\/openapi\/v3\/apis\/apps\/v1\?hash=/);
});

test('If-None-Match gives 304 on v2, v3 and the index', () => {
  for (const p of ['/openapi/v2', '/openapi/v3', '/openapi/v3/apis/batch/v1']) {
    const a = docs.respond(p, none, 'application/json', undefined)!;
    assert.is(a.statusCode, 200, p);
    assert.match(a.headers['ETag'], /^"[0-9A-F]{128}"$/);
    const b = docs.respond(p, none, 'application/json', a.headers['ETag'])!;
    assert.is(b.statusCode, 304, p);
    assert.is(b.body.length, 0);
  }
});

test('v2 is the served swagger, compact', () => {
  const a = docs.respond('/openapi/v2', none, undefined, undefined)!;
  assert.is(a.headers['Content-Type'], 'application/json');
  const s = JSON.parse(a.body.toString());
  assert.is(s.swagger, '2.0');
  assert.ok(s.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']);
  assert.not.ok(Object.keys(s.paths).some((p) => p.includes('v1alpha')));
  assert.ok(s.definitions['io.k8s.api.apps.v1.Deployment']);
  assert.not.ok(a.body.includes('\n  '));
});

test('protobuf-only Accept is 406; unknown paths are not answered', () => {
  assert.is(docs.respond('/openapi/v2', none, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', undefined)!.statusCode, 406);
  assert.is(docs.respond('/openapi/v3/apis/nope/v1', none, undefined, undefined), undefined);
  assert.is(docs.respond('/api/v1', none, undefined, undefined), undefined);
});

test('a cluster with CRDs lists their group-versions; PATCH takes no strategic merge patch', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
    },
  };
  const catalog = new OverlayCatalog(loadBuiltinCatalog(), resourceTypesOf(crd as KubeObject));
  const local = new OpenAPIDocuments();
  const index = JSON.parse(local.respond('/openapi/v3', none, undefined, undefined, '/clusters/c1', catalog)!.body.toString());
  assert.match(index.paths['apis/example.com/v1'].serverRelativeURL, /^\/clusters\/c1\/openapi\/v3\/apis\/example.com\/v1\?hash=/);
  assert.ok(index.paths['api/v1']);
  const doc = JSON.parse(local.respond('/openapi/v3/apis/example.com/v1', none, undefined, undefined, '', catalog)!.body.toString());
  const widget = doc.components.schemas['com.example.v1.Widget'];
  assert.equal(widget['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  assert.is(widget.properties.spec.properties.size.type, 'integer');
  const patch = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
  assert.equal(Object.keys(patch.requestBody.content), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
  assert.ok(patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
  assert.ok(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status']);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  // The built-in catalog has no such document.
  assert.is(local.respond('/openapi/v3/apis/example.com/v1', none, undefined, undefined), undefined);
});

test.run();
