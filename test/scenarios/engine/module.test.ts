// A `run` phase: a TypeScript module next to the scenario file gets the run's clients and its
// templated settings, and its counts land in the report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../../scenarios/engine/main.js';
import { tempDir } from '../../helpers/server.js';

test('a run phase calls the module with its settings, on every cluster of the target', async () => {
  const dir = await tempDir('kemu-module-');
  try {
    const file = join(import.meta.dirname, 'fixtures', 'spread.yaml');
    const { report } = await runCommand({ scenario: file, scale: 1, sets: {}, out: join(dir, 'out'), progress: false });
    const phases = report.steps[0].phases;
    assert.equal(phases.map((p) => [p.name, p.action, p.succeeded, p.failed]), [['spread', 'run', 3, 0], ['seen', 'wait', 1, 0]]);
    assert.is(report.counters['spread requests'], 3);
    assert.is(report.requests.find((r) => r.verb === 'create')?.count, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
