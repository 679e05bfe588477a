// kwok's own stage test (kustomize/stage/stage_test.go) replayed: for every
// fixtures/kwok-stages/stage/*/*/testdata/*.input.yaml, the stages of that directory that could
// apply, with their delay range, weight and steps, must equal the .output.yaml kwok checks in.
//
// Normalization, the same kwok's test applies: time is fixed at 2006-01-02T15:04:05Z, and the
// functions whose results depend on the environment (Now, Version, NodeIP, NodeName, NodePort,
// PodIP and the …With forms) are replaced by placeholders naming the call, e.g.
// `<PodIPWith("node", false, "", "pod-create", "")>`; the plural forms return two, `<0 of …>` and
// `<1 of …>`. The only conversion is units: kwok prints delays in nanoseconds, kemu uses ms.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import {
  bundledStageDir, delayRange, loadStageFiles, planStage, possibleStages, sequentialAddresses, weightOf, type StageAction,
  type StageContext,
} from '../../../../model/lifecycle/kwok/index.js';
import type { KubeObject } from '../../../../model/object.js';
import { isStatus } from '../../../../model/status.js';

const NOW = Date.parse('2006-01-02T15:04:05Z');

// fmt.Sprintf("%#v") of the argument types these functions take.
function goSharpV(a: unknown): string {
  return typeof a === 'string' ? JSON.stringify(a) : String(a);
}

function placeholder(name: string): (...args: unknown[]) => string {
  return (...args) => (args.length ? `<${name}(${args.map(goSharpV).join(', ')})>` : `<${name}>`);
}

function placeholders(name: string): (...args: unknown[]) => string[] {
  return (...args) => [0, 1].map((i) => `<${i} of ${name}(${args.map(goSharpV).join(', ')})>`);
}

const ctx: StageContext = {
  now: NOW,
  addresses: sequentialAddresses(),
  funcs: {
    Now: placeholder('Now'), Version: placeholder('Version'), NodeIP: placeholder('NodeIP'), NodeName: placeholder('NodeName'),
    NodePort: placeholder('NodePort'), PodIP: placeholder('PodIP'), NodeIPWith: placeholder('NodeIPWith'), PodIPWith: placeholder('PodIPWith'),
    NodeIPsWith: placeholders('NodeIPsWith'), PodIPsWith: placeholders('PodIPsWith'),
  },
};

function format(a: StageAction): Record<string, unknown> {
  if (a.kind !== 'patch') return { ...a };
  return { kind: 'patch', type: a.type, ...(a.subresource ? { subresource: a.subresource } : {}), data: a.data };
}

function run(dir: string, input: KubeObject): Record<string, unknown> {
  const stages = loadStageFiles([dir]);
  if (isStatus(stages)) throw new Error(stages.message);
  const mine = stages.filter((s) => s.resourceRef.apiGroup === input.apiVersion && s.resourceRef.kind === input.kind);
  const out = possibleStages(mine, input).map((stage) => {
    const delay = delayRange(stage, input, NOW);
    const actions = planStage(stage, input, ctx);
    if (isStatus(actions)) throw new Error(actions.message);
    return {
      stage: stage.name,
      ...(delay ? { delay: delay.map((ms) => ms * 1e6) } : {}),
      ...(weightOf(stage, input) !== undefined ? { weight: weightOf(stage, input) } : {}),
      next: actions.map(format),
    };
  });
  return { apiGroup: input.apiVersion, kind: input.kind, name: input.metadata.name, stages: out };
}

const root = bundledStageDir();
let cases = 0;
for (const kind of readdirSync(root).sort()) {
  for (const set of readdirSync(join(root, kind)).sort()) {
    const testdata = join(root, kind, set, 'testdata');
    let files: string[];
    try {
      files = readdirSync(testdata).filter((f) => f.endsWith('.input.yaml')).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      cases++;
      const name = `${kind}/${set}/${f.replace('.input.yaml', '')}`;
      test(`kwok golden ${name}`, () => {
        const input = parse(readFileSync(join(testdata, f), 'utf8')) as KubeObject;
        const expected: unknown = parse(readFileSync(join(testdata, f.replace('.input.yaml', '.output.yaml')), 'utf8'));
        assert.equal(run(join(root, kind, set), input), expected);
      });
    }
  }
}

test('every shipped testdata pair is replayed', () => {
  // node/fast 1, pod/fast 3, pod/general 7.
  assert.is(cases, 11);
});

test.run();
