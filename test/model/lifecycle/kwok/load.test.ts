import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundledStages, loadStageFiles, loadStages, type Stage } from '../../../../model/lifecycle/kwok/index.js';
import { isStatus, type Status } from '../../../../model/status.js';

const HEAD = 'apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata: {name: bad}\n';

function ok(input: Parameters<typeof loadStages>[0]): Stage[] {
  const s = loadStages(input);
  if (isStatus(s)) throw new Error(s.message);
  return s;
}

function fails(text: string): Status {
  const s = loadStages(text);
  if (!isStatus(s)) throw new Error('loaded');
  return s;
}

test('the shipped sets load; the fast bundle follows its kustomization to three directories', () => {
  const fast = bundledStages('fast');
  if (isStatus(fast)) throw new Error(fast.message);
  assert.equal(fast.map((s) => s.name), ['node-initialize', 'node-heartbeat-with-lease', 'pod-ready', 'pod-complete', 'pod-delete']);
  const general = bundledStages('pod/general');
  if (isStatus(general)) throw new Error(general.message);
  assert.is(general.length, 6);
  const ready = general.find((s) => s.name === 'pod-ready');
  assert.equal(ready?.delay?.durationMilliseconds, 1000);
  assert.is(ready?.delay?.durationFrom?.expression, '.metadata.annotations["pod-ready.stage.kwok.x-k8s.io/delay"]');
  assert.is(ready?.weight, 1);
});

test('spec.next becomes one step: event, finalizers, delete and the statusTemplate as a merge patch of status', () => {
  const [s] = ok(`${HEAD}spec:
  resourceRef: {kind: Pod}
  selector: {}
  next:
    event: {type: Normal, reason: R, message: M}
    finalizers: {add: [{value: a}], remove: [{value: b}]}
    statusTemplate: 'phase: Running'
    patches:
    - {type: json, root: metadata, template: '[]'}
  immediateNextStage: true
`);
  assert.is(s.steps.length, 2);
  assert.equal(s.steps[0].event, { type: 'Normal', reason: 'R', message: 'M' });
  assert.equal(s.steps[0].finalizers, { add: ['a'], remove: ['b'], empty: false });
  assert.equal([s.steps[0].patch?.type, s.steps[0].patch?.root, s.steps[0].patch?.subresource], ['merge', 'status', 'status']);
  assert.equal([s.steps[1].patch?.type, s.steps[1].patch?.root], ['json', 'metadata']);
  assert.ok(s.immediateNextStage);
});

test('spec.steps and the jq form of selectors and expressions are accepted', () => {
  const [s] = ok(`${HEAD}spec:
  resourceRef: {kind: Pod}
  selector:
    matchExpressions:
    - jq: {key: .status.phase, operator: In, values: [Running]}
  weightFrom: {jq: {expression: '.metadata.annotations.w'}}
  steps:
  - event: {type: Normal, reason: R}
  - delete: true
`);
  assert.is(s.selector?.matchExpressions[0].key, '.status.phase');
  assert.is(s.weightFrom?.expression, '.metadata.annotations.w');
  assert.equal(s.steps.map((x) => x.delete), [false, true]);
});

test('multiple documents, blank documents and JSON', () => {
  const two = ok(`${HEAD}spec: {resourceRef: {kind: Pod}, selector: {}}\n---\n---\n${HEAD.replace('bad', 'other')}spec: {resourceRef: {kind: Node}, selector: {}}\n`);
  assert.equal(two.map((s) => s.resourceRef.kind), ['Pod', 'Node']);
  assert.is(ok(JSON.stringify({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name: 'j' }, spec: { resourceRef: { kind: 'Pod' } } }))[0].name, 'j');
});

test('every problem of a Stage is one 422 naming each field', () => {
  const st = fails(`${HEAD}spec:
  resourceRef: {apiGroup: v1}
  selecter: {}
  selector:
    matchExpressions:
    - {key: .status.phase, operator: Equals, values: [x]}
    - {key: .status.phase, operator: In}
    - {key: .status.phase, operator: Exists, values: [x]}
    - {key: '.status | length', operator: Exists}
    - {cel: {expression: 'true'}}
  delay: {durationMilliseconds: -1, jitterDurationFrom: {}}
  next:
    statusTemplate: '{{ if .x }}'
    patches: [{template: '{{ Sprig }}', type: apply}]
`);
  assert.is(st.code, 422);
  assert.is(st.reason, 'Invalid');
  assert.match(st.message, /^Stage\.kwok\.x-k8s\.io "bad" is invalid: \[/);
  const fields = (st.details?.causes ?? []).map((c) => c.field);
  assert.equal(fields, [
    'spec.selecter', 'spec.resourceRef.kind', 'spec.selector.matchExpressions[0].operator', 'spec.selector.matchExpressions[1].values',
    'spec.selector.matchExpressions[2].values', 'spec.selector.matchExpressions[3].key', 'spec.selector.matchExpressions[4].cel',
    'spec.delay.durationMilliseconds', 'spec.delay.jitterDurationFrom.jq', 'spec.next.statusTemplate', 'spec.next.patches[0].type',
    'spec.next.patches[0].template',
  ]);
  assert.match(st.message, "spec.selector.matchExpressions[0].operator: Unsupported value: \"Equals\": supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\"");
  assert.match(st.message, "for 'in', 'notin' operators, values set can't be empty");
  assert.match(st.message, 'CEL selectors are not supported by kemu');
  assert.match(st.message, 'template: line 1: unexpected EOF: {{if}} without {{end}}');
  assert.match(st.message, 'function "Sprig" not defined');
});

test('kind, apiVersion and name are checked; other documents are not Stages', () => {
  const st = fails('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n');
  assert.match(st.message, 'apiVersion: Unsupported value: "kustomize.config.k8s.io/v1beta1"');
  assert.match(st.message, 'kind: Unsupported value: "Kustomization"');
  assert.match(st.message, 'metadata.name: Required value');
  assert.match(st.message, 'spec: Required value');
});

test('several bad Stages are reported together; bad YAML is a 400; names must be unique', () => {
  const st = fails(`${HEAD}spec: {resourceRef: {}}\n---\n${HEAD.replace('bad', 'worse')}spec: {resourceRef: {kind: Pod}, weight: x}\n`);
  assert.match(st.message, /"bad" is invalid.*; .*"worse" is invalid/);
  assert.is(st.details?.causes?.length, 2);
  const yaml = loadStages([{ name: 'f.yaml', text: 'a: [' }]);
  assert.ok(isStatus(yaml) && yaml.code === 400 && yaml.message.startsWith('f.yaml: document 1:'));
  const dup = fails(`${HEAD}spec: {resourceRef: {kind: Pod}}\n---\n${HEAD}spec: {resourceRef: {kind: Pod}}\n`);
  assert.match(dup.message, 'metadata.name: Duplicate value: "bad"');
});

test('files: a directory without kustomization contributes its YAML files; errors name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kwok-stages-'));
  writeFileSync(join(dir, 'a.yaml'), `${HEAD.replace('bad', 'a')}spec: {resourceRef: {kind: Pod}, selector: {}}\n`);
  writeFileSync(join(dir, 'notes.md'), 'not a stage');
  const stages = loadStageFiles([dir]);
  if (isStatus(stages)) throw new Error(stages.message);
  assert.equal(stages.map((s) => s.name), ['a']);
  writeFileSync(join(dir, 'b.yaml'), `${HEAD}spec: {resourceRef: {kind: Pod}, delay: {durationMilliseconds: 1.5}}\n`);
  const bad = loadStageFiles([dir]);
  assert.ok(isStatus(bad));
  assert.match((bad as Status).message, /^b\.yaml: Stage\.kwok\.x-k8s\.io "bad" is invalid/);
  assert.ok(isStatus(loadStageFiles([join(dir, 'missing')])));
});

test.run();
