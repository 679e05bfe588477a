import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapConfiguration } from '../../../model/flowcontrol/bootstrap.js';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import type { Admission, RequestDigest } from '../../../model/flowcontrol/types.js';
import { level, nonResourceRequest, resourceRequest, schemaForUsers, user, VirtualClock } from './helpers.js';

function bootstrapped(): FlowController {
  const fc = new FlowController({ clock: new VirtualClock() });
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  fc.setConfiguration(flowSchemas, priorityLevels);
  return fc;
}

/** "flow schema -> priority level" of an admitted request (and finishes it). */
function classify(fc: FlowController, rd: RequestDigest): string {
  const a = fc.begin(rd) as Admission;
  assert.ok(a.admitted, `${rd.user.name} ${rd.verb} ${rd.resource || rd.path} was not admitted`);
  if (a.admitted) a.finish();
  return `${a.flowSchema?.name} -> ${a.priorityLevel?.name}`;
}

const node = user('system:node:node-1', 'system:nodes');
const kcm = user('system:kube-controller-manager');
const ordinary = user('alice', 'developers');

test('system:masters is exempt', () => {
  assert.is(classify(bootstrapped(), resourceRequest(user('admin', 'system:masters'), 'delete', 'pods')), 'exempt -> exempt');
});

test('a kube-system service account goes to kube-system-service-accounts', () => {
  const sa = user('system:serviceaccount:kube-system:deployment-controller', 'system:serviceaccounts', 'system:serviceaccounts:kube-system');
  assert.is(classify(bootstrapped(), resourceRequest(sa, 'list', 'replicasets', { apiGroup: 'apps' })), 'kube-system-service-accounts -> workload-high');
  // ...except for leader election, which has its own level.
  assert.is(classify(bootstrapped(), resourceRequest(sa, 'update', 'leases', { apiGroup: 'coordination.k8s.io', namespace: 'kube-system' })),
    'system-leader-election -> leader-election');
  assert.is(classify(bootstrapped(), resourceRequest(sa, 'get', 'configmaps', { namespace: 'kube-system' })), 'workload-leader-election -> leader-election');
});

test('another namespace\'s service account goes to service-accounts', () => {
  const sa = user('system:serviceaccount:team-a:builder', 'system:serviceaccounts', 'system:serviceaccounts:team-a');
  assert.is(classify(bootstrapped(), resourceRequest(sa, 'get', 'pods')), 'service-accounts -> workload-low');
});

test('a node goes to system-nodes, its status and lease to system-node-high', () => {
  const fc = bootstrapped();
  assert.is(classify(fc, resourceRequest(node, 'list', 'pods', { namespace: '' })), 'system-nodes -> system');
  assert.is(classify(fc, resourceRequest(node, 'patch', 'nodes', { namespace: '', subresource: 'status', name: 'node-1' })), 'system-node-high -> node-high');
  assert.is(classify(fc, resourceRequest(node, 'update', 'leases', { apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease' })), 'system-node-high -> node-high');
  // nodes/status matches; pods/status does not match the node-high rule.
  assert.is(classify(fc, resourceRequest(node, 'patch', 'pods', { subresource: 'status' })), 'system-nodes -> system');
});

test('an ordinary user goes to global-default', () => {
  assert.is(classify(bootstrapped(), resourceRequest(ordinary, 'create', 'configmaps')), 'global-default -> global-default');
});

test('unauthenticated requests go to global-default, which covers system:unauthenticated too', () => {
  const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  assert.is(classify(bootstrapped(), nonResourceRequest(anonymous, 'get', '/version')), 'global-default -> global-default');
});

test('without the suggested objects, everyone but system:masters lands in catch-all', () => {
  const fc = new FlowController({ clock: new VirtualClock() });
  assert.is(classify(fc, resourceRequest(ordinary, 'get', 'pods')), 'catch-all -> catch-all');
  assert.is(classify(fc, nonResourceRequest({ name: 'system:anonymous', groups: ['system:unauthenticated'] }, 'get', '/api')), 'catch-all -> catch-all');
  // A digest in neither system:authenticated nor system:unauthenticated falls back to catch-all.
  assert.is(classify(fc, resourceRequest({ name: 'odd', groups: [] }, 'get', 'pods')), 'catch-all -> catch-all');
});

test('probes are exempt, including paths under them', () => {
  const fc = bootstrapped();
  assert.is(classify(fc, nonResourceRequest(ordinary, 'get', '/readyz')), 'probes -> exempt');
  assert.is(classify(fc, nonResourceRequest(ordinary, 'get', '/healthz/etcd')), 'probes -> exempt');
  assert.is(classify(fc, nonResourceRequest(ordinary, 'get', '/healthzz')), 'global-default -> global-default');
  assert.is(classify(fc, nonResourceRequest(ordinary, 'post', '/healthz')), 'global-default -> global-default');
});

test('the controller manager: endpoints to endpoint-controller, leases to leader election, the rest to its own schema', () => {
  const fc = bootstrapped();
  assert.is(classify(fc, resourceRequest(kcm, 'update', 'endpoints')), 'endpoint-controller -> workload-high');
  assert.is(classify(fc, resourceRequest(kcm, 'get', 'leases', { apiGroup: 'coordination.k8s.io', namespace: 'kube-system' })), 'system-leader-election -> leader-election');
  assert.is(classify(fc, resourceRequest(kcm, 'list', 'endpoints')), 'kube-controller-manager -> workload-high');
});

test('resource rules: clusterScope, namespaces, subresources, apiGroups and nonResourceURLs with /*', () => {
  const fc = new FlowController({ clock: new VirtualClock() });
  const u = user('bob');
  const rule = (name: string, precedence: number, rules: object) => ({
    metadata: { name, uid: `uid-${name}` },
    spec: { priorityLevelConfiguration: { name: 'target' }, matchingPrecedence: precedence, rules: [{ subjects: [{ kind: 'User' as const, user: { name: 'bob' } }], ...rules }] },
  });
  fc.setConfiguration([
    rule('pods-status-in-ns1', 10, { resourceRules: [{ verbs: ['patch'], apiGroups: [''], resources: ['pods/status'], namespaces: ['ns1'] }] }),
    rule('apps-cluster', 20, { resourceRules: [{ verbs: ['*'], apiGroups: ['apps'], resources: ['*'], clusterScope: true, namespaces: [] }] }),
    rule('metrics-tree', 30, { nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/metrics/*'] }] }),
  ], [level('target', 10, { queues: 4, handSize: 2, queueLengthLimit: 10 })]);
  assert.is(classify(fc, resourceRequest(u, 'patch', 'pods', { subresource: 'status', namespace: 'ns1' })), 'pods-status-in-ns1 -> target');
  assert.is(classify(fc, resourceRequest(u, 'patch', 'pods', { subresource: 'status', namespace: 'ns2' })), 'catch-all -> catch-all');
  assert.is(classify(fc, resourceRequest(u, 'patch', 'pods', { namespace: 'ns1' })), 'catch-all -> catch-all');
  assert.is(classify(fc, resourceRequest(u, 'list', 'deployments', { apiGroup: 'apps', namespace: '' })), 'apps-cluster -> target');
  assert.is(classify(fc, resourceRequest(u, 'list', 'deployments', { apiGroup: 'apps', namespace: 'ns1' })), 'catch-all -> catch-all');
  assert.is(classify(fc, nonResourceRequest(u, 'get', '/metrics/slis')), 'metrics-tree -> target');
  // `/metrics/*` covers what is under /metrics, not /metrics itself (rule.go).
  assert.is(classify(fc, nonResourceRequest(u, 'get', '/metrics')), 'catch-all -> catch-all');
});

test('equal precedence is broken by name; a schema naming a missing level is dangling and ignored', () => {
  const fc = new FlowController({ clock: new VirtualClock() });
  const updates = fc.setConfiguration([
    schemaForUsers('zz', 'target', 500, ['carol']),
    schemaForUsers('aa', 'target', 500, ['carol']),
    schemaForUsers('dangling', 'nowhere', 100, ['carol']),
  ], [level('target', 10, { queues: 4, handSize: 2, queueLengthLimit: 10 })]);
  assert.is(classify(fc, resourceRequest(user('carol'), 'get', 'pods')), 'aa -> target');
  const dangling = updates.find((u) => u.name === 'dangling')?.condition;
  assert.equal([dangling?.status, dangling?.reason, dangling?.message], ['True', 'NotFound',
    'This FlowSchema references the PriorityLevelConfiguration object named "nowhere" but there is no such object']);
});

test('a level with an inconsistent spec is ignored and its schemas dangle', () => {
  const fc = new FlowController({ clock: new VirtualClock() });
  const broken = { metadata: { name: 'broken' }, spec: { type: 'Limited' as const } };
  const updates = fc.setConfiguration([schemaForUsers('to-broken', 'broken', 100, ['dave'])], [broken]);
  assert.is(updates[0].condition.status, 'True');
  assert.is(classify(fc, resourceRequest(user('dave'), 'get', 'pods')), 'catch-all -> catch-all');
});

test('admissions carry the uids of the stored objects for the X-Kubernetes-PF headers', () => {
  const fc = new FlowController({ clock: new VirtualClock() });
  fc.setConfiguration([schemaForUsers('mine', 'target', 100, ['erin'])], [level('target', 10, { queues: 4, handSize: 2, queueLengthLimit: 10 })]);
  const a = fc.begin(resourceRequest(user('erin'), 'get', 'pods')) as Admission;
  assert.equal([a.flowSchema, a.priorityLevel], [{ name: 'mine', uid: 'uid-fs-mine' }, { name: 'target', uid: 'uid-pl-target' }]);
});

test('long-running requests other than watches bypass classification', () => {
  const fc = bootstrapped();
  const exec = fc.begin(resourceRequest(ordinary, 'create', 'pods', { subresource: 'exec', name: 'p' })) as Admission;
  assert.equal([exec.admitted, exec.flowSchema], [true, undefined]);
  const watch = fc.begin(resourceRequest(ordinary, 'watch', 'pods')) as Admission;
  assert.is(watch.flowSchema?.name, 'global-default');
});

test.run();
