import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapConfiguration } from '../../../model/flowcontrol/bootstrap.js';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import { dumpPriorityLevels } from '../../../model/flowcontrol/debug.js';
import { VirtualClock } from './helpers.js';

const golden = (name: string): string => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'golden', name), 'utf8');

function bootstrapped(): FlowController {
  const fc = new FlowController({ clock: new VirtualClock() });
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  fc.setConfiguration(flowSchemas, priorityLevels);
  return fc;
}

test('bootstrap objects equal the 1.32 golden (source in golden/SOURCE.txt)', () => {
  assert.equal(JSON.parse(JSON.stringify(bootstrapConfiguration())), JSON.parse(golden('bootstrap-v1.32.json')));
});

test('bootstrap flow schemas: priority level, precedence and distinguisher as kubectl get shows them', () => {
  const rows = bootstrapConfiguration().flowSchemas.map((fs) =>
    `${fs.metadata.name} ${fs.spec.priorityLevelConfiguration.name} ${fs.spec.matchingPrecedence} ${fs.spec.distinguisherMethod?.type ?? '<none>'}`);
  assert.equal(rows.sort(), [
    'catch-all catch-all 10000 ByUser',
    'endpoint-controller workload-high 150 ByUser',
    'exempt exempt 1 <none>',
    'global-default global-default 9900 ByUser',
    'kube-controller-manager workload-high 800 ByNamespace',
    'kube-scheduler workload-high 800 ByNamespace',
    'kube-system-service-accounts workload-high 900 ByNamespace',
    'probes exempt 2 <none>',
    'service-accounts workload-low 9000 ByUser',
    'system-leader-election leader-election 100 ByUser',
    'system-node-high node-high 400 ByUser',
    'system-nodes system 500 ByUser',
    'workload-leader-election leader-election 200 ByUser',
  ]);
  for (const o of [...bootstrapConfiguration().flowSchemas, ...bootstrapConfiguration().priorityLevels]) {
    assert.equal(o.metadata.annotations, { 'apf.kubernetes.io/autoupdate-spec': 'true' }, o.metadata.name);
    assert.is(o.metadata.uid, undefined);
  }
});

test('600 seats split by shares: nominal, lower and upper limits and max seats of 1.32', () => {
  const fc = bootstrapped();
  const limits = Object.fromEntries([...fc.priorityLevels()].map((l) => [l.name, [l.nominalCL, l.minCL, l.maxCL, l.maxSeats]]));
  // NominalCL = ceil(600 * shares / 245); lower = nominal - round(nominal * lendable%);
  // upper = nominal + 600 (no borrowingLimitPercent); maxSeats = max(1, min(ceil(0.15 nominal), nominal / handSize)).
  assert.equal(limits, {
    'catch-all': [13, 13, 613, 0],
    exempt: [0, 0, 600, 0],
    'global-default': [49, 24, 649, 8],
    'leader-election': [25, 25, 625, 4],
    'node-high': [98, 73, 698, 15],
    system: [74, 50, 674, 12],
    'workload-high': [98, 49, 698, 15],
    'workload-low': [245, 24, 845, 37],
  });
});

test('configuration reports every bootstrap schema as not dangling', () => {
  const fc = new FlowController({ clock: new VirtualClock() });
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  const updates = fc.setConfiguration(flowSchemas, priorityLevels);
  assert.is(updates.length, 13);
  const probes = updates.find((u) => u.name === 'probes');
  assert.equal(probes?.condition, {
    type: 'Dangling', status: 'False', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'Found',
    message: 'This FlowSchema references the PriorityLevelConfiguration object named "exempt" and it exists',
  });
});

test('dump_priority_levels of an idle bootstrapped server', () => {
  assert.fixture(dumpPriorityLevels(bootstrapped().priorityLevels()), golden('dump-priority-levels-idle.txt'));
});

test.run();
