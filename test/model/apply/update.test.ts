// managedFields of non-apply writes (create, update, patch), as kube-apiserver 1.32 records them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordUpdate } from '../../../model/apply/index.js';
import type { KubeObject } from '../../../model/object.js';
import { applied, cm, configMaps, deployments, entries, owners, T0, update, type Target } from './helpers.js';

test('a create: the creator owns what it set, with `.` on maps that the empty object lacks', () => {
  const o = update(configMaps, undefined, cm({ a: '1' }, { metadata: { name: 'c', labels: { app: 'x' } } }), { manager: 'kubectl-create' });
  assert.equal(entries(o), [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2024-05-01T12:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
  }]);
});

test('an update gives the writer what it changed and takes it from the others', () => {
  let o = update(configMaps, undefined, cm({ a: '1', b: '2' }), { manager: 'alpha' });
  o = update(configMaps, o, cm({ a: '9', b: '2', c: '3' }), { manager: 'beta', at: 5 });
  assert.equal(owners(o), { 'alpha Update': ['.data', '.data.b'], 'beta Update': ['.data.a', '.data.c'] });
  assert.equal(entries(o).map((e) => e.time), ['2024-05-01T12:00:00Z', '2024-05-01T12:00:05Z']);
});

test('a removed field leaves every owner', () => {
  let o = applied(configMaps, undefined, cm({ a: '1', b: '2' }), { manager: 'kubectl' });
  o = update(configMaps, o, cm({ a: '1' }), { manager: 'editor', at: 1 });
  assert.equal(owners(o), { 'kubectl Apply': ['.data.a'] });
});

test('a manager\'s later update joins its entry and moves its time; an update that changes nothing does neither', () => {
  let o = update(configMaps, undefined, cm({ a: '1' }), { manager: 'alpha' });
  o = update(configMaps, o, cm({ a: '1', b: '2' }), { manager: 'alpha', at: 7 });
  assert.equal(owners(o), { 'alpha Update': ['.data', '.data.a', '.data.b'] });
  assert.is(entries(o)[0].time, '2024-05-01T12:00:07Z');
  o = update(configMaps, o, cm({ a: '1', b: '2' }), { manager: 'alpha', at: 60 });
  assert.is(entries(o)[0].time, '2024-05-01T12:00:07Z');
});

test('a write without a manager is recorded as `unknown`', () => {
  const o = update(configMaps, undefined, cm({ a: '1' }), { manager: '' });
  assert.is(entries(o)[0].manager, 'unknown');
});

test('an updater has one entry per apiVersion, an applier one whatever the version', () => {
  const v1beta: Target = { ...configMaps, apiVersion: 'v1beta1' };
  let o = update(configMaps, undefined, cm({ a: '1' }), { manager: 'ctl' });
  o = update(v1beta, o, cm({ a: '1', b: '2' }), { manager: 'ctl', at: 1 });
  assert.equal(entries(o).map((e) => `${e.manager} ${e.apiVersion}`), ['ctl v1', 'ctl v1beta1']);
});

test('beyond ten updaters the oldest merge into one `ancient-changes` entry per version', () => {
  let o: KubeObject | undefined;
  const data: Record<string, string> = {};
  for (let i = 0; i <= 10; i++) {
    data[`k${i}`] = String(i);
    o = update(configMaps, o, cm({ ...data }), { manager: `m${i}`, at: i });
  }
  const e = entries(o as KubeObject);
  assert.is(e.length, 10);
  assert.equal(e[0], {
    manager: 'ancient-changes', operation: 'Update', apiVersion: 'v1', time: '2024-05-01T12:00:01Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {} } },
  });
  assert.equal(e.slice(1).map((x) => x.manager), ['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
});

test('`managedFields: []` in an update resets tracking; an untracked object stays untracked on updates', () => {
  let o = update(configMaps, undefined, cm({ a: '1' }), { manager: 'alpha' });
  o = update(configMaps, o, cm({ a: '2' }, { metadata: { name: 'c', namespace: 'default', managedFields: [] } }), { manager: 'beta', at: 1 });
  assert.is(o.metadata.managedFields, undefined);
  o = update(configMaps, o, cm({ a: '3' }), { manager: 'gamma', at: 2 });
  assert.is(o.metadata.managedFields, undefined);
});

test('managedFields a client sends on an update are the starting point when valid, ignored when not', () => {
  let o = update(configMaps, undefined, cm({ a: '1' }), { manager: 'alpha' });
  o = update(configMaps, o, { ...o, data: { a: '1', b: '2' } }, { manager: 'beta', at: 1 });
  const betaOnly = entries(o).filter((e) => e.manager === 'beta');
  const edited = update(configMaps, o, { ...cm({ a: '1', b: '2' }), metadata: { ...o.metadata, managedFields: betaOnly } }, { manager: 'gamma', at: 2 });
  assert.equal(Object.keys(owners(edited)), ['beta Update']);
  const bogus = [{ manager: 'x', operation: 'Replace', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
  const kept = update(configMaps, o, { ...cm({ a: '1', b: '2' }), metadata: { ...o.metadata, managedFields: bogus } }, { manager: 'gamma', at: 2 });
  assert.equal(kept.metadata.managedFields, o.metadata.managedFields);
});

test('status subresource writes own status only, record the subresource and ignore managedFields in the body', () => {
  const status: Target = { ...deployments, subresource: 'status', resetFields: [['spec'], ['metadata']] };
  const spec = { selector: { matchLabels: { app: 'web' } }, replicas: 1 };
  let o = update(deployments, undefined, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec }, { manager: 'kubectl-create' });
  o = update(status, o, { ...o, metadata: { ...o.metadata, managedFields: [] }, spec: { ...spec, replicas: 3 }, status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] } },
    { manager: 'kube-controller-manager', at: 1 });
  assert.equal(owners(o), {
    'kubectl-create Update': ['.spec.replicas', '.spec.selector'],
    'kube-controller-manager Update/status': ['.status.conditions', '.status.replicas', '.status.conditions[type="Available"]', '.status.conditions[type="Available"].status', '.status.conditions[type="Available"].type'],
  });
});

test('status changes through the main resource are not owned when status is a reset field', () => {
  let o = update(deployments, undefined, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } }, { manager: 'a' });
  o = update(deployments, o, { ...o, status: { replicas: 4 } }, { manager: 'b', at: 1 });
  assert.equal(Object.keys(owners(o)), ['a Update']);
});

test('a 1 KB ConfigMap update costs well under a millisecond', () => {
  const data: Record<string, string> = {};
  for (let i = 0; i < 32; i++) data[`key-${i}`] = `value-${i}-${'x'.repeat(12)}`;
  let o = update(configMaps, undefined, cm(data), { manager: 'create' });
  const n = 500;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    o = recordUpdate(o, { ...o, data: { ...(o.data as Record<string, string>), 'key-3': String(i) } },
      { ...configMaps, manager: i % 2 ? 'a' : 'b', now: T0 + i * 1000 });
  }
  const perCall = (performance.now() - start) / n;
  assert.ok(perCall < 0.5, `${perCall.toFixed(3)} ms per update`);
});

test.run();
