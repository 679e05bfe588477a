import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRequestInfo } from '../../server/requestinfo.js';

const q = (s = '') => new URLSearchParams(s);
const pick = (method: string, path: string, query = '') => {
  const i = parseRequestInfo(method, path, q(query));
  return { cluster: i.cluster, verb: i.verb, group: i.apiGroup, version: i.apiVersion, ns: i.namespace, resource: i.resource, name: i.name, sub: i.subresource, res: i.isResourceRequest };
};

test('a bare path is the hub; /clusters/<name> selects a cluster and is stripped', () => {
  assert.equal(pick('GET', '/api/v1/namespaces/default/pods'), { cluster: 'hub', verb: 'list', group: '', version: 'v1', ns: 'default', resource: 'pods', name: '', sub: '', res: true });
  const i = parseRequestInfo('GET', '/clusters/spoke-7/apis/apps/v1/namespaces/x/deployments/web', q());
  assert.is(i.cluster, 'spoke-7');
  assert.is(i.kubePath, '/apis/apps/v1/namespaces/x/deployments/web');
  assert.is(i.clusterPrefix, '/clusters/spoke-7');
  assert.is(i.verb, 'get');
  assert.is(i.name, 'web');
});

test('verbs follow the method, name and watch parameter', () => {
  assert.is(pick('GET', '/api/v1/pods', 'watch=true').verb, 'watch');
  assert.is(pick('GET', '/api/v1/namespaces/d/pods/p', 'watch=1').verb, 'watch');
  assert.is(pick('GET', '/api/v1/watch/namespaces/d/pods').verb, 'watch');
  assert.is(pick('POST', '/api/v1/namespaces/d/pods').verb, 'create');
  assert.is(pick('PUT', '/api/v1/namespaces/d/pods/p').verb, 'update');
  assert.is(pick('PATCH', '/api/v1/namespaces/d/pods/p').verb, 'patch');
  assert.is(pick('DELETE', '/api/v1/namespaces/d/pods/p').verb, 'delete');
  assert.is(pick('DELETE', '/api/v1/namespaces/d/pods').verb, 'deletecollection');
});

test('namespaces as a resource, and their status and finalize subresources', () => {
  assert.equal(pick('GET', '/api/v1/namespaces/foo'), { cluster: 'hub', verb: 'get', group: '', version: 'v1', ns: 'foo', resource: 'namespaces', name: 'foo', sub: '', res: true });
  const f = pick('PUT', '/api/v1/namespaces/foo/finalize');
  assert.equal([f.resource, f.name, f.sub], ['namespaces', 'foo', 'finalize']);
  const s = pick('GET', '/apis/apps/v1/namespaces/d/deployments/web/status');
  assert.equal([s.resource, s.name, s.sub], ['deployments', 'web', 'status']);
});

test('discovery and other paths are not resource requests', () => {
  for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3', '/clusters/x/apis']) {
    assert.is(pick('GET', p).res, false, p);
  }
});

test.run();
