// Server-side apply: merging, ownership, conflicts, force and pruning, as kube-apiserver 1.32.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../model/object.js';
import { isStatus, type Status } from '../../../model/status.js';
import { apply, applied, body, cm, configMaps, deployments, entries, owners, services, update, type Target } from './helpers.js';

function failed(r: KubeObject | Status): Status {
  if (!isStatus(r)) assert.unreachable('apply should have failed');
  return r as Status;
}

test('apply to nothing creates the object, owned by the applier with an Apply entry', () => {
  const o = applied(configMaps, undefined, cm({ a: '1' }, { metadata: { name: 'c', labels: { app: 'x' } } }), { manager: 'kubectl' });
  assert.equal(body(o), cm({ a: '1' }, { metadata: { name: 'c', labels: { app: 'x' } } }));
  assert.equal(entries(o), [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2024-05-01T12:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
  }]);
});

test('appliers of the same value share the field; each owns what it applied', () => {
  let o = applied(configMaps, undefined, cm({ a: '1', b: '2' }), { manager: 'alpha' });
  o = applied(configMaps, o, cm({ a: '1', c: '3' }), { manager: 'beta', at: 1 });
  assert.equal((o.data as object), { a: '1', b: '2', c: '3' });
  assert.equal(owners(o), { 'alpha Apply': ['.data.a', '.data.b'], 'beta Apply': ['.data.a', '.data.c'] });
});

test('changing a field another applier owns is a conflict: 409 with one cause per field', () => {
  const o = applied(configMaps, undefined, cm({ a: '1', b: '2' }), { manager: 'alpha' });
  const s = failed(apply(configMaps, o, cm({ a: '9' }), { manager: 'beta', at: 1 }));
  assert.equal(s.toJSON(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Apply failed with 1 conflict: conflict with "alpha": .data.a', reason: 'Conflict',
    details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alpha"', field: '.data.a' }] }, code: 409,
  });
});

test('several conflicts with one manager are listed under one heading, with the manager\'s version for updaters', () => {
  const o = update(configMaps, undefined, cm({ a: '1', b: '2' }), { manager: 'kubectl-client-side-apply' });
  const s = failed(apply(configMaps, o, cm({ a: '9', b: '8' }), { manager: 'kubectl', at: 1 }));
  assert.is(s.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .data.a\n- .data.b');
  assert.equal(s.details?.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.a' },
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.b' },
  ]);
});

test('conflicts with several managers are grouped per manager, managers sorted', () => {
  let o = update(configMaps, undefined, cm({ a: '1' }), { manager: 'beta' });
  o = applied(configMaps, o, cm({ b: '2' }), { manager: 'alpha', at: 1 });
  const s = failed(apply(configMaps, o, cm({ a: '9', b: '9' }), { manager: 'gamma', at: 2 }));
  assert.is(s.message, 'Apply failed with 2 conflicts: conflicts with "alpha":\n- .data.b\nconflicts with "beta" using v1:\n- .data.a');
});

test('force takes the conflicting fields away from their owners', () => {
  let o = update(configMaps, undefined, cm({ a: '1', b: '2' }), { manager: 'old' });
  o = applied(configMaps, o, cm({ a: '9' }), { manager: 'new', at: 1, force: true });
  assert.equal(o.data, { a: '9', b: '2' });
  assert.equal(owners(o), { 'new Apply': ['.data.a'], 'old Update': ['.data', '.data.b'] });
});

test('a field the applier drops from its configuration is removed', () => {
  let o = applied(configMaps, undefined, cm({ a: '1', b: '2' }, { metadata: { name: 'c', labels: { x: 'y' } } }), { manager: 'kubectl' });
  o = applied(configMaps, o, cm({ a: '1' }), { manager: 'kubectl', at: 1 });
  assert.equal(body(o), cm({ a: '1' }, { metadata: { name: 'c', namespace: 'default' } }));
  assert.equal(owners(o), { 'kubectl Apply': ['.data.a'] });
});

test('a dropped field stays when another applier owns it too', () => {
  let o = applied(configMaps, undefined, cm({ a: '1', b: '2' }), { manager: 'alpha' });
  o = applied(configMaps, o, cm({ b: '2' }), { manager: 'beta', at: 1 });
  o = applied(configMaps, o, cm({ a: '1' }), { manager: 'alpha', at: 2 });
  assert.equal(o.data, { a: '1', b: '2' });
  assert.equal(owners(o), { 'alpha Apply': ['.data.a'], 'beta Apply': ['.data.b'] });
});

test('a dropped field stays when an updater changed it since', () => {
  const cfg = (replicas?: number): Record<string, unknown> => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: 'web' } } },
  });
  let o = applied(deployments, undefined, cfg(2), { manager: 'kubectl' });
  o = update(deployments, o, { ...o, spec: { ...(o.spec as object), replicas: 5 } }, { manager: 'kube-controller-manager', at: 1 });
  assert.equal(owners(o), { 'kubectl Apply': ['.spec.selector'], 'kube-controller-manager Update': ['.spec.replicas'] });
  const s = failed(apply(deployments, o, cfg(2), { manager: 'kubectl', at: 2 }));
  assert.is(s.message, 'Apply failed with 1 conflict: conflict with "kube-controller-manager" using apps/v1: .spec.replicas');
  o = applied(deployments, o, cfg(), { manager: 'kubectl', at: 2 });
  assert.is((o.spec as { replicas: number }).replicas, 5);
});

function deployment(containers: Record<string, unknown>[]): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } },
  };
}

const containersOf = (o: KubeObject): unknown => (o.spec as { template: { spec: { containers: unknown } } }).template.spec.containers;

test('containers merge by name: applied items follow the applied order, a dropped container goes', () => {
  let o = applied(deployments, undefined, deployment([{ name: 'web', image: 'nginx' }, { name: 'side', image: 'busybox' }]), { manager: 'kubectl' });
  assert.equal(owners(o)['kubectl Apply'].filter((p) => p.includes('containers')), [
    '.spec.template.spec.containers[name="side"]', '.spec.template.spec.containers[name="web"]',
    '.spec.template.spec.containers[name="side"].image', '.spec.template.spec.containers[name="side"].name',
    '.spec.template.spec.containers[name="web"].image', '.spec.template.spec.containers[name="web"].name',
  ]);
  o = applied(deployments, o, deployment([{ name: 'init', image: 'alpine' }, { name: 'web', image: 'nginx:2' }]), { manager: 'kubectl', at: 1 });
  assert.equal(containersOf(o), [{ name: 'init', image: 'alpine' }, { name: 'web', image: 'nginx:2' }]);
});

test('a container another applier also applied survives when the first drops it', () => {
  let o = applied(deployments, undefined, deployment([{ name: 'web', image: 'nginx' }, { name: 'side', image: 'busybox' }]), { manager: 'alpha' });
  o = applied(deployments, o, deployment([{ name: 'side', image: 'busybox' }]), { manager: 'beta', at: 1 });
  o = applied(deployments, o, deployment([{ name: 'web', image: 'nginx' }]), { manager: 'alpha', at: 2 });
  assert.equal(containersOf(o), [{ name: 'web', image: 'nginx' }, { name: 'side', image: 'busybox' }]);
  assert.not.ok(owners(o)['alpha Apply'].some((p) => p.includes('side')));
});

test('fields the applier adds inside another manager\'s container merge into it', () => {
  let o = applied(deployments, undefined, deployment([{ name: 'web', image: 'nginx' }]), { manager: 'alpha' });
  o = applied(deployments, o, deployment([{ name: 'web', env: [{ name: 'A', value: '1' }] }]), { manager: 'beta', at: 1 });
  assert.equal(containersOf(o), [{ name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }] }]);
  assert.ok(owners(o)['beta Apply'].includes('.spec.template.spec.containers[name="web"].env[name="A"].value'));
});

test('Service ports are keyed by port and protocol, a missing protocol taking its default TCP', () => {
  const svc = (ports: Record<string, unknown>[]): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports } });
  let o = applied(services, undefined, svc([{ port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP' }]), { manager: 'kubectl' });
  assert.equal(entries(o)[0].fieldsV1, { 'f:spec': { 'f:ports': {
    'k:{"port":53,"protocol":"UDP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} },
    'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} },
  } } });
  o = applied(services, o, svc([{ port: 80, protocol: 'TCP', targetPort: 9090 }]), { manager: 'kubectl', at: 1 });
  assert.equal((o.spec as { ports: unknown }).ports, [{ port: 80, targetPort: 9090, protocol: 'TCP' }]);
});

test('set lists (finalizers) merge as sets, each value owned separately', () => {
  const withFinalizers = (fin: string[]): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: fin } });
  let o = applied(configMaps, undefined, withFinalizers(['a.io/x']), { manager: 'alpha' });
  o = applied(configMaps, o, withFinalizers(['b.io/y']), { manager: 'beta', at: 1 });
  assert.equal(o.metadata.finalizers, ['a.io/x', 'b.io/y']);
  assert.equal(owners(o)['beta Apply'], ['.metadata.finalizers[="b.io/y"]']);
});

test('atomic lists are replaced whole and owned as one field', () => {
  const args = (a: string[]): Record<string, unknown> => deployment([{ name: 'web', args: a }]);
  let o = applied(deployments, undefined, args(['a', 'b']), { manager: 'kubectl' });
  o = applied(deployments, o, args(['c']), { manager: 'kubectl', at: 1 });
  assert.equal(containersOf(o), [{ name: 'web', args: ['c'] }]);
  assert.ok(owners(o)['kubectl Apply'].includes('.spec.template.spec.containers[name="web"].args'));
});

test('first apply to an object nobody tracked: before-first-apply owns what was there', () => {
  const legacy = cm({ a: '1' });
  let o = applied(configMaps, legacy, cm({ a: '1', b: '2' }), { manager: 'kubectl' });
  assert.equal(owners(o), { 'kubectl Apply': ['.data.a', '.data.b'], 'before-first-apply Update': ['.data', '.data.a'] });
  const s = failed(apply(configMaps, legacy, cm({ a: '2' }), { manager: 'kubectl' }));
  assert.is(s.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a');
  o = applied(configMaps, o, cm({ b: '2' }), { manager: 'kubectl', at: 1 });
  assert.equal(o.data, { a: '1', b: '2' });
});

test('an apply that changes nothing keeps the applier\'s time', () => {
  let o = applied(configMaps, undefined, cm({ a: '1' }), { manager: 'kubectl' });
  o = applied(configMaps, o, cm({ a: '1' }), { manager: 'kubectl', at: 60 });
  assert.is(entries(o)[0].time, '2024-05-01T12:00:00Z');
  o = applied(configMaps, o, cm({ a: '2' }), { manager: 'kubectl', at: 61 });
  assert.is(entries(o)[0].time, '2024-05-01T12:01:01Z');
});

test('status is not owned through the main resource of a type with a status subresource', () => {
  const cfg = { ...deployment([{ name: 'web', image: 'nginx' }]), status: { replicas: 3 } };
  const o = applied(deployments, undefined, cfg, { manager: 'kubectl' });
  assert.not.ok(owners(o)['kubectl Apply'].some((p) => p.startsWith('.status')));
});

test('status subresource: only status is owned, entries carry the subresource, conflicts name it', () => {
  const status: Target = { ...deployments, subresource: 'status', resetFields: [['spec'], ['metadata']] };
  let o = applied(deployments, undefined, deployment([{ name: 'web', image: 'nginx' }]), { manager: 'kubectl' });
  o = update(status, o, { ...o, status: { replicas: 1 } }, { manager: 'kube-controller-manager', at: 1 });
  assert.equal(owners(o)['kube-controller-manager Update/status'], ['.status.replicas']);
  const s = failed(apply(status, o, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 2 } }, { manager: 'tester', at: 2 }));
  assert.is(s.message, 'Apply failed with 1 conflict: conflict with "kube-controller-manager" with subresource "status" using apps/v1: .status.replicas');
  o = applied(status, o, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { x: 'y' } }, spec: { paused: true }, status: { replicas: 2 } }, { manager: 'tester', at: 2, force: true });
  assert.equal(owners(o)['tester Apply/status'], ['.status.replicas']);
  assert.equal(entries(o).find((e) => e.manager === 'tester')?.subresource, 'status');
});

test('kubectl moving from client-side apply: fields its last-applied annotation still matches do not conflict', () => {
  const annotation = '{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}\n';
  const live = update(configMaps, undefined, cm({ a: '1' }, { metadata: { name: 'c', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': annotation } } }), { manager: 'kubectl-client-side-apply' });
  const cfg = cm({ a: '2' });
  assert.is(failed(apply(configMaps, live, cfg, { manager: 'helm', at: 1 })).code, 409);
  const o = applied(configMaps, live, cfg, { manager: 'kubectl', at: 1 });
  assert.equal(o.data, { a: '2' });
  assert.equal(owners(o)['kubectl Apply'], ['.data.a']);
  // The annotation follows what kubectl applied last.
  assert.is(o.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
    '{"apiVersion":"v1","data":{"a":"2"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}\n');
});

test('an applied object of another kind or version is a 400', () => {
  const s = failed(apply(configMaps, undefined, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c' } }, { manager: 'kubectl' }));
  assert.equal([s.code, s.reason, s.message], [400, 'BadRequest', 'invalid object type: /v1, Kind=Secret']);
  assert.is(failed(apply(deployments, undefined, { apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'w' } }, { manager: 'k' })).message,
    'invalid object type: apps/v1beta1, Kind=Deployment');
  assert.is(failed(apply(configMaps, undefined, { metadata: { name: 'c' } }, { manager: 'k' })).message, 'invalid object type: /, Kind=');
});

test('managedFields in an applied configuration are refused', () => {
  const s = failed(apply(configMaps, undefined, cm({}, { metadata: { name: 'c', managedFields: [] } }), { manager: 'kubectl' }));
  assert.equal([s.code, s.message], [400, 'metadata.managedFields must be nil']);
});

test('an applied configuration that does not fit the schema fails as the typed conversion does (500)', () => {
  let s = failed(apply(configMaps, undefined, cm({}, { spec: { x: 1 } }), { manager: 'kubectl' }));
  assert.equal([s.code, s.reason, s.message], [500, '', 'failed to create typed patch object (default/c; /v1, Kind=ConfigMap): .spec: field not declared in schema']);
  s = failed(apply(configMaps, undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { a: 5 } }, { manager: 'kubectl' }));
  assert.is(s.message, 'failed to create typed patch object (ns/c; /v1, Kind=ConfigMap): .data.a: expected string, got &value.valueUnstructured{Value:5}');
  s = failed(apply(deployments, undefined, deployment([{ name: 'a' }, { name: 'a', image: 'x' }]), { manager: 'kubectl' }));
  assert.is(s.message, 'failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]');
});

test.run();
