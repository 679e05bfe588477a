import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileJq, runJq, type JqQuery } from '../../../../model/lifecycle/kwok/jq.js';
import { loadStages, matchingStages, stageMatches, type Stage } from '../../../../model/lifecycle/kwok/index.js';
import type { KubeObject } from '../../../../model/object.js';
import { isStatus } from '../../../../model/status.js';

function jq(src: string): JqQuery {
  const q = compileJq(src);
  if ('error' in q) throw new Error(q.error);
  return q;
}

function stage(selector: string, ref = 'apiGroup: v1\n    kind: Pod'): Stage {
  const s = loadStages(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: s}
spec:
  resourceRef:
    ${ref}
  selector:
${selector.replace(/^/gm, '    ')}
  next: {delete: true}
`);
  if (isStatus(s)) throw new Error(s.message);
  return s[0];
}

function pod(over: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] }, ...over };
}

const readyCondition = '.status.conditions.[] | select( .type == "Ready" ) | .status';

test('jq subset: paths, iteration, select, string index, null propagation, errors', () => {
  const obj = { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'X', status: 'False' }] }, metadata: { annotations: { 'a/b': 'v' } } };
  assert.equal(runJq(jq(readyCondition), obj), ['True']);
  assert.equal(runJq(jq('.status.conditions[].type'), obj), ['Ready', 'X']);
  assert.equal(runJq(jq('.metadata.annotations["a/b"]'), obj), ['v']);
  assert.equal(runJq(jq('.metadata.labels["x"]'), obj), [null]);
  assert.equal(runJq(jq('.status.conditions[1].status'), obj), ['False']);
  assert.equal(runJq(jq('.'), 5), [5]);
  assert.equal(runJq(jq('.status.conditions.[] | select(.type != "Ready") | .type'), obj), ['X']);
  // Iterating null is a jq error; kwok then treats the query as yielding nothing.
  assert.is(runJq(jq('.status.containerStatuses.[].state'), obj), undefined);
  assert.is(runJq(jq('.metadata.annotations.x.y'), { metadata: { annotations: { x: 'str' } } }), undefined);
});

test('jq subset: unsupported syntax is refused at compile time', () => {
  for (const src of ['.a | length', '.a // "x"', '[.a]', '.a and .b', '.a |']) {
    const q = compileJq(src);
    assert.ok('error' in q, src);
  }
});

test('In / NotIn / Exists / DoesNotExist on present, missing and null values', () => {
  const phase = (op: string, values = '') => stage(`matchExpressions:\n- key: .status.phase\n  operator: ${op}${values}`);
  const pending = pod({ status: { phase: 'Pending' } });
  const none = pod();
  assert.ok(stageMatches(phase('In', '\n  values: [Pending, Running]'), pending));
  assert.not.ok(stageMatches(phase('In', '\n  values: [Running]'), pending));
  assert.not.ok(stageMatches(phase('In', '\n  values: [Pending]'), none));
  assert.ok(stageMatches(phase('NotIn', '\n  values: [Running]'), pending));
  assert.ok(stageMatches(phase('NotIn', '\n  values: [Running]'), none));
  assert.ok(stageMatches(phase('Exists'), pending));
  assert.not.ok(stageMatches(phase('Exists'), none));
  assert.ok(stageMatches(phase('DoesNotExist'), none));
  assert.ok(stageMatches(phase('DoesNotExist'), pod({ status: { phase: null } })));
});

test('condition selectors: NotIn True matches pods without conditions, In True does not', () => {
  const notReady = stage(`matchExpressions:\n- key: '${readyCondition}'\n  operator: NotIn\n  values: ['True']`);
  const ready = stage(`matchExpressions:\n- key: '${readyCondition}'\n  operator: In\n  values: ['True']`);
  const withReady = pod({ status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  assert.ok(stageMatches(notReady, pod()));
  assert.not.ok(stageMatches(notReady, withReady));
  assert.ok(stageMatches(ready, withReady));
  assert.not.ok(stageMatches(ready, pod({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })));
});

test('ownerReferences.[].kind In Job matches when any owner is a Job', () => {
  const job = stage("matchExpressions:\n- key: '.metadata.ownerReferences.[].kind'\n  operator: In\n  values: [Job]");
  const owned = (...kinds: string[]) => pod({ metadata: { name: 'p', ownerReferences: kinds.map((kind) => ({ apiVersion: 'v1', kind, name: 'o', uid: 'u' })) } });
  assert.ok(stageMatches(job, owned('ReplicaSet', 'Job')));
  assert.not.ok(stageMatches(job, owned('ReplicaSet')));
  assert.not.ok(stageMatches(job, pod()));
});

test('booleans match as "true"/"false"; numbers never match (kwok sees JSON numbers as float64)', () => {
  const hostNet = stage("matchExpressions:\n- key: .spec.hostNetwork\n  operator: In\n  values: ['true']");
  assert.ok(stageMatches(hostNet, pod({ spec: { hostNetwork: true } })));
  assert.not.ok(stageMatches(hostNet, pod({ spec: { hostNetwork: false } })));
  const prio = stage("matchExpressions:\n- key: .spec.priority\n  operator: In\n  values: ['5']");
  assert.not.ok(stageMatches(prio, pod({ spec: { priority: 5 } })));
});

test('matchLabels and matchAnnotations need every pair, and are ANDed with expressions', () => {
  const s = stage('matchLabels: {app: web}\nmatchAnnotations: {"kwok.x-k8s.io/fast": "yes"}\nmatchExpressions:\n- key: .metadata.deletionTimestamp\n  operator: DoesNotExist');
  const meta = { name: 'p', labels: { app: 'web', extra: 'x' }, annotations: { 'kwok.x-k8s.io/fast': 'yes' } };
  assert.ok(stageMatches(s, pod({ metadata: meta })));
  assert.not.ok(stageMatches(s, pod({ metadata: { ...meta, labels: { app: 'db' } } })));
  assert.not.ok(stageMatches(s, pod({ metadata: { ...meta, annotations: {} } })));
  assert.not.ok(stageMatches(s, pod({ metadata: { ...meta, deletionTimestamp: '2006-01-02T15:04:05Z' } })));
});

test('resourceRef: apiVersion and kind must both match; an empty selector matches all, a missing one nothing', () => {
  const any = stage('{}');
  assert.ok(stageMatches(any, pod()));
  assert.not.ok(stageMatches(any, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }));
  const dep = stage('{}', 'apiGroup: apps/v1\n    kind: Deployment');
  assert.ok(stageMatches(dep, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }));
  const noSelector = loadStages('apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata: {name: s}\nspec:\n  resourceRef: {kind: Pod}\n  next: {delete: true}\n');
  if (isStatus(noSelector)) throw new Error(noSelector.message);
  assert.is(noSelector[0].resourceRef.apiGroup, 'v1');
  assert.equal(matchingStages(noSelector, pod()), []);
});

test.run();
