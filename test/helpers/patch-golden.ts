// The server the PATCH golden tests share: controllers off (the goldens are about what PATCH
// stores, not what a deployment controller adds), their namespace, and the Gadget CRD of the
// custom-resource cases (a namespaced kind with a structural schema), served before tests run.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import type { ServerOptions } from '../../server/app.js';
import { startTestServer, type TestServer } from './server.js';
import { waitUntilAsync } from './wait-until.js';

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'patch', 'http');
export const NAMESPACE = 'patch-golden';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export async function startPatchGoldenServer(opts: Partial<ServerOptions> = {}): Promise<TestServer> {
  const t = await startTestServer({ spokes: 0, controllers: 'namespace', ...opts });
  const ns = await t.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  assert.is(ns.status, 201, ns.text);
  const crd = await t.req('POST', CRD_PATH, JSON.parse(readFileSync(join(GOLDEN_DIR, 'crd.json'), 'utf8')));
  assert.is(crd.status, 201, crd.text);
  await waitUntilAsync('the Gadget CRD to be served', async () => (await t.req('GET', `/apis/golden.example.com/v1/namespaces/${NAMESPACE}/gadgets`)).status === 200, 2_000, 10);
  return t;
}
