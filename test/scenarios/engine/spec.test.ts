// The scenario file checks: every mistake is reported with its line, column and field before
// anything runs; the built-in scenarios load; --set and --scale apply.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileExpr } from '../../../scenarios/engine/expr.js';
import { listScenarios, resolveScenario } from '../../../scenarios/engine/builtin.js';
import { loadScenario, ScenarioError } from '../../../scenarios/engine/spec.js';
import { compileTemplate } from '../../../scenarios/engine/template.js';
import { tempDir } from '../../helpers/server.js';

let dir = '';
test.before(async () => { dir = await tempDir('kemu-spec-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

async function errorOf(yamlText: string, sets: Record<string, string> = {}): Promise<string> {
  const file = join(dir, `s-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, yamlText);
  try {
    await loadScenario(file, sets);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.replaceAll(file, 'FILE');
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const GOOD = `name: t
description: d
params:
  n: { value: 200, scaled: true }
  ns: demo
steps:
  - name: one
    phases:
      - name: cms
        action: create
        count: "{{n}}"
        namespace: "{{ns}}"
        template: { apiVersion: v1, kind: ConfigMap, metadata: { name: "cm-{{i}}" } }
`;

test('a typo in a field name is reported with line, column, path and a suggestion', async () => {
  const msg = await errorOf(GOOD.replace('        action: create', '        acton: create'));
  assert.match(msg, 'FILE:10:9: steps[0].phases[0].acton: unknown field "acton" (did you mean "action"?)');
  assert.match(msg, 'steps[0].phases[0]: missing required field "action"');
});

test('a wrong enum value, a wrong type and an unknown parameter name each get their line', async () => {
  const msg = await errorOf(GOOD.replace('action: create', 'action: creat').replace('"{{n}}"', '"{{nn}}"').replace('  - name: one', '  - name: [one]'));
  assert.match(msg, 'FILE:10:17: steps[0].phases[0].action: "creat" is not one of create, apply, patch, delete, wait, run (did you mean "create"?)');
  assert.match(msg, 'FILE:11:16: steps[0].phases[0].count: unknown name "nn" in "nn" (did you mean "n"?)');
  assert.match(msg, 'FILE:7:11: steps[0].name: expected a string');
});

test('YAML syntax errors and unknown server options are reported before anything runs', async () => {
  assert.match(await errorOf('name: t\ndescription: [unclosed\n'), /FILE:\d+:\d+: /);
  assert.match(await errorOf(`${GOOD}server:\n  maxInflight: 3\n`), 'FILE:15:3: server.maxInflight: unknown field "maxInflight"');
});

test('template expressions and --set names are checked', async () => {
  assert.match(await errorOf(GOOD.replace('cm-{{i}}', 'cm-{{j}}')), 'template uses unknown name "j" in "{{j}}"');
  assert.match(await errorOf(GOOD, { m: '3' }), '--set m: no such parameter; this scenario has n, ns');
});

test('--set overrides at scale 1 and --scale multiplies the scaled parameters', async () => {
  const file = join(dir, 'good.yaml');
  await writeFile(file, GOOD);
  const a = await loadScenario(file, {}, 0.01);
  assert.is(a.params.n.value, 2);
  assert.is(a.params.ns.value, 'demo');
  const b = await loadScenario(file, { n: '1000', ns: 'other' }, 0.5);
  assert.is(b.params.n.value, 500);
  assert.is(b.params.ns.value, 'other');
  const tiny = await loadScenario(file, {}, 0.0001);
  assert.is(tiny.params.n.value, 1, 'a scaled count never drops to 0');
});

test('expressions: arithmetic, precedence, comparisons over objects, functions', () => {
  const p = (n: string) => ({ i: 7, n: 3 } as Record<string, number>)[n];
  assert.is(compileExpr('i % n + 1')(p), 2);
  assert.is(compileExpr('floor(i / n) * 2')(p), 4);
  assert.is(compileExpr('pad(i, 4)')(p), '0007');
  assert.is(compileExpr('i - 1')(p), 6);
  const obj = { status: { phase: 'Running', readyReplicas: 2 }, spec: { replicas: 2 } } as unknown as Record<string, never>;
  assert.is(compileExpr("status.phase == 'Running' && status.readyReplicas == spec.replicas")((k) => obj[k]), true);
  assert.is(compileExpr('status.readyReplicas >= 3 || missing.field == null')((k) => obj[k]), true);
  assert.throws(() => compileExpr('i +'), /unexpected end/);
  assert.throws(() => compileExpr('exec(1)'), /unknown function exec/);
});

test('templates keep the type of a whole-string expression and interpolate the rest', () => {
  const t = compileTemplate({ metadata: { name: 'vm-{{i}}-x' }, spec: { replicas: '{{ n * 2 }}', on: '{{ i > 5 }}' } });
  assert.equal(t((k) => ({ i: 7, n: 3 } as Record<string, number>)[k]), { metadata: { name: 'vm-7-x' }, spec: { replicas: 6, on: true } });
});

test('the built-in scenarios load and are listed with a description', async () => {
  const list = await listScenarios();
  assert.equal(list.map((s) => s.name), ['apf-load', 'hive-syncsets', 'kubevirt-density', 'maestro-manifestworks']);
  for (const s of list) {
    assert.ok(s.description.length > 40, s.name);
    const spec = await loadScenario(resolveScenario(s.name), {}, 0.01);
    assert.ok(spec.steps.length >= 2, s.name);
  }
});

test.run();
