import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpRequest, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

let ts: TestServer;

test.before(async () => {
  const dir = await tempDir('kemu-tokens-');
  const file = join(dir, 'tokens.csv');
  await writeFile(file, '# token,user,uid,groups\nalice-token,alice,1001,"dev,ops"\nbob-token,bob,1002\n');
  ts = await startTestServer({ dataDir: dir, tokensFile: file });
});
test.after(async () => {
  await ts.close();
});

const as = (token: string | undefined, method: string, path: string, body?: unknown) =>
  httpRequest(ts.server.url, ts.server.caCertPem, token, method, path, body);

test('a --tokens-file user is who SelfSubjectReview says, with system:authenticated', async () => {
  const res = await as('alice-token', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: {} });
  assert.is(res.status, 201);
  const ui = res.json<{ status: { userInfo: { username: string; uid: string; groups: string[] } } }>().status.userInfo;
  assert.equal(ui, { username: 'alice', uid: '1001', groups: ['dev', 'ops', 'system:authenticated'] });
});

test('every authenticated user may write; no or wrong credentials are 401 Unauthorized', async () => {
  const created = await as('bob-token', 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'bobs' } });
  assert.is(created.status, 201);
  for (const token of [undefined, 'nobody']) {
    const denied = await as(token, 'GET', '/api/v1/namespaces/default/configmaps');
    assert.is(denied.status, 401);
    assert.equal(denied.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }
});

test('/version and health endpoints need no token', async () => {
  const v = await as(undefined, 'GET', '/version');
  assert.is(v.status, 200);
  assert.is(v.json<{ minor: string }>().minor, '32');
  const h = await as(undefined, 'GET', '/readyz?verbose');
  assert.is(h.status, 200);
  assert.match(h.text, /readyz check passed/);
});

test.run();
