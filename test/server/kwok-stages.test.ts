// --kwok-stages: Stage files replace the bundled lifecycle rules of the kinds they cover; the
// other kinds keep theirs (here nodes still become Ready by node/fast).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestServer, tempDir } from '../helpers/server.js';

const STAGE = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-straight-to-succeeded
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.status.phase'
      operator: 'In'
      values: ['Pending']
  next:
    statusTemplate: |
      phase: Succeeded
      reason: ByCustomStage
`;

test('a custom Pod stage replaces pod/fast; nodes keep node/fast', async () => {
  const dir = await tempDir('kemu-stages-');
  const file = join(dir, 'pods.yaml');
  await writeFile(file, STAGE);
  const ts = await startTestServer({ spokes: 0, kwokStages: [file] });
  try {
    const created = await ts.req('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    assert.is(created.status, 201);
    let status: { phase?: string; reason?: string } = {};
    for (let i = 0; i < 100 && status.phase !== 'Succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await ts.req('GET', '/api/v1/namespaces/default/pods/p')).json<{ status: typeof status }>().status;
    }
    assert.equal(status, { ...status, phase: 'Succeeded', reason: 'ByCustomStage' });
    const node = (await ts.req('GET', '/api/v1/nodes/kwok-node-0')).json<{ status: { conditions?: { type: string; status: string }[] } }>();
    assert.ok(node.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  } finally {
    await ts.close();
  }
});

test.run();
