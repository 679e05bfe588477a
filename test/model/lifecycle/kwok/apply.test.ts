import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyStage, finalizerOps, loadStages, planStage, sequentialAddresses, type Stage, type StageContext, type StageOutcome,
} from '../../../../model/lifecycle/kwok/index.js';
import type { KubeObject } from '../../../../model/object.js';
import { isStatus, type Status } from '../../../../model/status.js';

const ctx: StageContext = { now: Date.parse('2026-03-01T08:00:00.750Z'), addresses: sequentialAddresses() };

function stage(spec: string, kind = 'Pod'): Stage {
  const s = loadStages(`apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata: {name: t}\nspec:\n  resourceRef: {kind: ${kind}}\n  selector: {}\n${spec}`);
  if (isStatus(s)) throw new Error(s.message);
  return s[0];
}

function apply(s: Stage, obj: KubeObject): StageOutcome {
  const out = applyStage(s, obj, ctx);
  if (isStatus(out)) throw new Error(out.message);
  return out;
}

function pod(meta: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...meta }, spec: { containers: [{ name: 'c', image: 'i' }] }, status };
}

test('finalizer operations as kwok computes them', () => {
  const f = (add: string[], remove: string[] = [], empty = false) => ({ add, remove, empty });
  assert.equal(finalizerOps([], f(['a', 'b'])), [{ op: 'add', path: '/metadata/finalizers', value: ['a', 'b'] }]);
  assert.equal(finalizerOps(['a'], f(['a', 'b'])), [{ op: 'add', path: '/metadata/finalizers/-', value: 'b' }]);
  assert.equal(finalizerOps(['a', 'b', 'c'], f([], ['a', 'c'])), [{ op: 'remove', path: '/metadata/finalizers/2' }, { op: 'remove', path: '/metadata/finalizers/0' }]);
  // Removing every finalizer, or `empty`, drops the field (and re-adds any `add` as a new list).
  assert.equal(finalizerOps(['a'], f(['z'], ['a'])), [{ op: 'remove', path: '/metadata/finalizers' }, { op: 'add', path: '/metadata/finalizers', value: ['z'] }]);
  assert.equal(finalizerOps(['a', 'b'], f([], [], true)), [{ op: 'remove', path: '/metadata/finalizers' }]);
  assert.equal(finalizerOps([], f([], [], true)), []);
});

test('finalizers, then delete; nothing after the delete but events', () => {
  const s = stage(`  steps:
  - finalizers: {empty: true}
    delete: true
    patch: {root: status, subresource: status, type: merge, template: 'phase: Skipped'}
  - event: {type: Normal, reason: Gone, message: bye}
    patch: {root: status, subresource: status, type: merge, template: 'phase: Never'}
`);
  const out = apply(s, pod({ finalizers: ['x', 'y'], deletionTimestamp: '2026-03-01T08:00:00Z' }));
  assert.equal(out.actions, [
    { kind: 'patch', type: 'application/json-patch+json', subresource: '', data: [{ op: 'remove', path: '/metadata/finalizers' }] },
    { kind: 'delete' },
    { kind: 'event', type: 'Normal', reason: 'Gone', message: 'bye' },
  ]);
  assert.ok(out.deleted);
  assert.is(out.object.metadata.finalizers, undefined);
  assert.equal(out.events, [{ type: 'Normal', reason: 'Gone', message: 'bye' }]);
});

test('adding finalizers patches metadata through a JSON patch', () => {
  const out = apply(stage('  next:\n    finalizers: {add: [{value: kwok.x-k8s.io/fake}]}\n'), pod({ finalizers: ['other'] }));
  assert.equal(out.object.metadata.finalizers, ['other', 'kwok.x-k8s.io/fake']);
  assert.ok(out.changed);
});

test('a patch without a type is a strategic merge for Pods: conditions merge by type', () => {
  const s = stage("  next:\n    patches:\n    - {root: status, subresource: status, template: 'conditions: [{type: Ready, status: \"True\"}]'}\n");
  const before = pod({}, { conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False' }] });
  const out = apply(s, before);
  assert.equal(out.actions[0], { kind: 'patch', type: 'application/strategic-merge-patch+json', subresource: 'status', data: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } });
  assert.equal((out.object.status as { conditions: unknown }).conditions, [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }]);
});

test('a typeless patch on a custom resource is a merge patch; json patches are rooted', () => {
  const cr: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } };
  const s = loadStages(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: w}
spec:
  resourceRef: {apiGroup: example.com/v1, kind: Widget}
  selector: {}
  next:
    patches:
    - {root: status, template: 'ready: true'}
    - {type: json, root: spec, template: '[{op: replace, path: /size, value: {{ .spec.size }}0}]'}
`);
  if (isStatus(s)) throw new Error(s.message);
  const out = apply(s[0], cr);
  assert.equal(out.actions.map((a) => (a.kind === 'patch' ? a.type : a.kind)), ['application/merge-patch+json', 'application/json-patch+json']);
  assert.equal(out.object, { ...cr, spec: { size: 10 }, status: { ready: true } });
});

test('through the status subresource only .status changes', () => {
  const s = stage(`  next:
    patches:
    - subresource: status
      type: merge
      template: |
        metadata: {labels: {hacked: "yes"}}
        status: {phase: Running}
`);
  const out = apply(s, pod({ labels: { app: 'a' } }));
  assert.equal(out.object.metadata.labels, { app: 'a' });
  assert.is((out.object.status as { phase: string }).phase, 'Running');
});

test('Now is the context time at whole seconds, as the apiserver stores it; re-applying the same status is no change', () => {
  const s = stage("  next:\n    statusTemplate: 'startTime: {{ Now | Quote }}'\n");
  const out = apply(s, pod());
  assert.equal(out.object.status, { startTime: '2026-03-01T08:00:00Z' });
  assert.not.ok(apply(s, out.object).changed);
});

test('PodIP, NodeIP and hostNetwork: addresses are stable per pod and per node', () => {
  const s = stage(`  next:
    statusTemplate: |
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) .metadata.name .metadata.namespace | Quote }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      again: {{ PodIP | Quote }}
`);
  const mk = (name: string, hostNetwork = false): KubeObject => ({ ...pod({ name }), spec: { nodeName: 'n1', hostNetwork, containers: [] } });
  const first = apply(s, mk('a')).object.status;
  assert.equal(first, { podIP: '10.0.0.1', hostIP: '172.16.0.1', again: '10.0.0.1' });
  assert.equal(apply(s, mk('b')).object.status, { podIP: '10.0.0.2', hostIP: '172.16.0.1', again: '10.0.0.2' });
  assert.equal(apply(s, mk('host', true)).object.status, { podIP: '172.16.0.1', hostIP: '172.16.0.1', again: '10.0.0.3' });
});

test('a template that fails at run time, or renders something that is not YAML, is a 422 naming the stage', () => {
  const fails = (spec: string, obj: KubeObject): Status => {
    const out = planStage(stage(spec), obj, ctx);
    if (!isStatus(out)) throw new Error('planned');
    return out;
  };
  const ranged = fails("  next:\n    statusTemplate: '{{ range .metadata.name }}{{ end }}'\n", pod());
  assert.is(ranged.code, 422);
  assert.match(ranged.message, 'stage "t": template: range can\'t iterate over p');
  assert.match(fails("  next:\n    statusTemplate: 'a: [b'\n", pod()).message, 'stage "t": the rendered template is not YAML');
  const json = fails("  next:\n    patches: [{type: json, template: 'a: b'}]\n", pod());
  assert.match(json.message, 'must render a list of operations');
});

test.run();
