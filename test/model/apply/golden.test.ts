// managedFields and apply answers against recorded kube-apiserver output (test/golden/apply).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyConfiguration, recordUpdate } from '../../../model/apply/index.js';
import { repoRoot } from '../../../model/fixtures.js';
import type { KubeObject } from '../../../model/object.js';
import { builtinSchema } from '../../../model/schema/builtin.js';
import { isStatus } from '../../../model/status.js';

interface Write {
  readonly op: 'create' | 'update' | 'apply';
  readonly manager: string;
  readonly time: string;
  readonly object: KubeObject;
  readonly managedFields?: unknown[];
  readonly status?: Record<string, unknown>;
}

interface Golden {
  readonly why: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly resetFields: string[][];
  readonly writes: Write[];
}

const dir = join(repoRoot(), 'test', 'golden', 'apply');

for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const g = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Golden;
  test(`golden ${file}: ${g.why}`, () => {
    const [group, version] = g.apiVersion.includes('/') ? g.apiVersion.split('/') : ['', g.apiVersion];
    const schema = builtinSchema(group, version, g.kind);
    assert.ok(schema);
    let live: KubeObject | undefined;
    for (const [i, w] of g.writes.entries()) {
      const opts = { manager: w.manager, apiVersion: g.apiVersion, kind: g.kind, schema, now: Date.parse(w.time), resetFields: g.resetFields };
      const out = w.op === 'apply'
        ? applyConfiguration(live, w.object, { ...opts, force: false })
        : recordUpdate(w.op === 'create' ? undefined : live, w.object, opts);
      if (w.status) {
        assert.ok(isStatus(out), `write ${i} should fail`);
        assert.equal(JSON.stringify(out), JSON.stringify(w.status), `write ${i}`);
        continue;
      }
      assert.not.ok(isStatus(out), `write ${i}: ${isStatus(out) ? out.message : ''}`);
      if (isStatus(out)) return;
      // Byte order matters: the apiserver serializes entries and fieldsV1 keys in this order.
      if (w.managedFields) assert.is(JSON.stringify(out.metadata.managedFields), JSON.stringify(w.managedFields), `write ${i}`);
      live = out;
    }
  });
}

test.run();
