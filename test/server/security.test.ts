// Nobody gets in uninvited: kemu binds loopback unless told otherwise; it has no way to serve
// without TLS or without bearer-token authentication, so a bind to other interfaces is always
// both; missing or wrong tokens get 401; the admin API wants system:masters; the CA key, tokens,
// kubeconfig and store are the owner's alone; no token reaches the log.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request } from 'node:https';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { spawnChildServer, type ChildServer } from '../helpers/child-server.js';
import { httpRequest, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const dirs: string[] = [];
const children: ChildServer[] = [];
test.after(async () => {
  for (const c of children) await c.stop('SIGKILL', 5_000);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function dir(prefix: string): Promise<string> {
  const d = await tempDir(prefix);
  dirs.push(d);
  return d;
}

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** The local IPv4 addresses listening on `port`, from /proc/net/tcp (Linux). */
async function listeners(port: number): Promise<string[] | undefined> {
  const text = await readFile('/proc/net/tcp', 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (!local || state !== '0A') continue;
    const [hexIp, hexPort] = local.split(':');
    if (parseInt(hexPort, 16) !== port) continue;
    out.push((hexIp.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)).join('.'));
  }
  return out;
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('without --host kemu listens on 127.0.0.1 only', async () => {
  const child = await spawnChildServer({ dataDir: await dir('kemu-sec-default-'), host: null, extraArgs: ['--controllers', 'namespace'] });
  children.push(child);
  const url = new URL(child.url);
  assert.is(url.hostname, '127.0.0.1');
  const port = Number(url.port);
  const bound = await listeners(port);
  if (bound) assert.equal(bound, ['127.0.0.1'], 'the only listening socket is on loopback');
  const external = externalAddress();
  if (external) assert.ok(await refused(external, port), `nothing answers on ${external}:${port}`);
  assert.is((await child.req('GET', '/version')).status, 200);
  await child.stop('SIGTERM');
});

test('bound to every interface, kemu still serves only TLS and only to bearer tokens', async () => {
  const external = externalAddress();
  const child = await spawnChildServer({ dataDir: await dir('kemu-sec-any-'), host: '0.0.0.0', extraArgs: ['--controllers', 'namespace'] });
  children.push(child);
  const port = Number(new URL(child.url).port);
  const host = external ?? '127.0.0.1';
  // Plain HTTP gets no HTTP answer: the listener speaks TLS only.
  const plain = await new Promise<string>((resolve) => {
    const r = httpGet({ host, port, path: '/version' }, (res) => resolve(`HTTP ${res.statusCode}`));
    r.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    r.setTimeout(5_000, () => r.destroy(new Error('timeout')));
  });
  assert.not.match(plain, /^HTTP/, `plain HTTP got an answer: ${plain}`);
  // Over TLS (the chain checked against kemu's CA; the certificate names the bind address, not this one).
  const tlsReq = (token: string | undefined, path: string) => new Promise<number>((resolve, reject) => {
    const r = request({ host, port, path, ca: child.caCertPem, checkServerIdentity: () => undefined, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end();
  });
  assert.is(await tlsReq(undefined, '/api/v1/namespaces'), 401);
  assert.is(await tlsReq('guessed', '/api/v1/namespaces'), 401);
  assert.is(await tlsReq(child.token, '/api/v1/namespaces'), 200);
  await child.stop('SIGTERM');
});

test('missing, wrong or malformed credentials get 401 on every kind of endpoint; only /version and health are public', async () => {
  const t = await startTestServer({ spokes: 1, controllers: 'namespace' });
  try {
    const paths = ['/api/v1/namespaces', '/clusters/spoke-1/api/v1/namespaces', '/apis', '/api', '/openapi/v2', '/metrics', '/kemu/v1/clusters',
      '/api/v1/namespaces/default/configmaps?watch=true', '/debug/api_priority_and_fairness/dump_priority_levels', '/readyz/etcd'];
    const headers: (Record<string, string> | undefined)[] = [undefined, { Authorization: 'Bearer not-a-token' }, { Authorization: `Basic ${Buffer.from(`admin:${t.server.adminToken}`).toString('base64')}` },
      { Authorization: `Bearer ${t.server.adminToken.slice(0, -1)}` }, { Authorization: `Bearer ${t.server.adminToken}x` }, { Authorization: 'Bearer' }];
    for (const p of paths) {
      for (const h of headers) {
        const r = await httpRequest(t.server.url, t.server.caCertPem, undefined, 'GET', p, undefined, h ?? {});
        assert.is(r.status, 401, `${p} with ${JSON.stringify(h)}`);
        assert.equal(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      }
    }
    for (const p of ['/version', '/healthz', '/livez', '/readyz']) {
      assert.is((await httpRequest(t.server.url, t.server.caCertPem, undefined, 'GET', p)).status, 200, `${p} is public`);
    }
    // A WebSocket watch with a wrong token in the bearer subprotocol.
    const bad = Buffer.from('wrong').toString('base64url');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.server.url.replace('https', 'wss')}/api/v1/namespaces?watch=true`, [`base64url.bearer.authorization.k8s.io.${bad}`], { ca: t.server.caCertPem });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    assert.is(status, 401);
  } finally {
    await t.close();
  }
});

test('the admin API refuses a user outside system:masters', async () => {
  const d = await dir('kemu-sec-admin-');
  await writeFile(join(d, 'tokens.csv'), 'alice-token,alice,1001,"dev,ops"\nroot-token,root,0,system:masters\n');
  const t = await startTestServer({ dataDir: d, spokes: 1, controllers: 'namespace', tokensFile: join(d, 'tokens.csv') });
  try {
    const as = (token: string, method: string, path: string, body?: unknown) => httpRequest(t.server.url, t.server.caCertPem, token, method, path, body);
    const cases: [string, string, unknown?][] = [
      ['GET', '/kemu/v1/clusters'], ['POST', '/kemu/v1/clusters', { name: 'sneaky' }], ['DELETE', '/kemu/v1/clusters/spoke-1'],
      ['GET', '/kemu/v1/clusters/hub'], ['GET', '/kemu/v1/clusters/hub/controllers'], ['PUT', '/kemu/v1/clusters/hub/controllers', { controllers: '-*' }],
      ['GET', '/kemu/v1/faults'], ['PUT', '/kemu/v1/faults', { rules: [{ name: 'x', match: {}, action: { type: 'internalError' } }] }],
    ];
    for (const [method, path, body] of cases) {
      const r = await as('alice-token', method, path, body);
      assert.is(r.status, 403, `${method} ${path}: ${r.text}`);
      const s = r.json<{ kind: string; reason: string; message: string }>();
      assert.is(s.kind, 'Status');
      assert.is(s.reason, 'Forbidden');
      assert.match(s.message, /User "alice" cannot manage (clusters|faults)/);
    }
    // Alice may still use the clusters' APIs, as every authenticated user may.
    assert.is((await as('alice-token', 'GET', '/api/v1/namespaces')).status, 200);
    // Nothing changed; the admin token and a system:masters user of the tokens file manage.
    const names = (await as(t.server.adminToken, 'GET', '/kemu/v1/clusters')).json<{ items: { name: string }[] }>().items.map((c) => c.name);
    assert.equal(names, ['hub', 'spoke-1']);
    assert.equal((await as('root-token', 'GET', '/kemu/v1/faults')).json(), { rules: [] });
    assert.is((await as('root-token', 'POST', '/kemu/v1/clusters', { name: 'allowed' })).status, 201);
  } finally {
    await t.close();
  }
});

test('the CA key, tokens, kubeconfig and store are 0600 in a 0700 data dir, and looser modes are narrowed at start', async () => {
  const d = await dir('kemu-sec-modes-');
  const data = join(d, 'data');
  // An existing data dir that others may read, with a store made readable to them.
  await mkdir(data, { mode: 0o755 });
  await chmod(data, 0o755);
  const mode = (p: string) => statSync(p).mode & 0o777;
  const check = () => {
    assert.is(mode(data), 0o700, 'data dir');
    assert.is(mode(join(data, 'pki')), 0o700, 'pki');
    for (const f of ['pki/ca.key', 'pki/server.key', 'pki/server.crt', 'admin-token', 'kubeconfig', 'serving.json', 'store.mdb', 'store.mdb-lock']) {
      assert.is(mode(join(data, f)), 0o600, f);
    }
    // The CA certificate is public by nature: clients are given it.
    assert.is(mode(join(data, 'pki/ca.crt')), 0o644, 'ca.crt');
  };
  let t: TestServer = await startTestServer({ dataDir: data, spokes: 0, controllers: 'namespace', kubeconfigPath: join(data, 'kubeconfig') });
  check();
  await t.close({ keepData: true });
  for (const f of ['store.mdb', 'store.mdb-lock']) await chmod(join(data, f), 0o644);
  await chmod(data, 0o755);
  t = await startTestServer({ dataDir: data, spokes: 0, controllers: 'namespace', kubeconfigPath: join(data, 'kubeconfig') });
  check();
  await t.close({ keepData: true });
});

test('the structured log has request ids and no token, even at debug level; Audit-Id is echoed', async () => {
  const d = await dir('kemu-sec-log-');
  const secrets = { alice: 'alice-secret-token-7f3c', wrong: 'wrong-secret-token-9d1e', ws: 'ws-secret-token-2b8a' };
  await writeFile(join(d, 'tokens.csv'), `${secrets.alice},alice,1001\n`);
  const child = await spawnChildServer({ dataDir: join(d, 'data'), extraArgs: ['--controllers', 'namespace', '--log-level', 'debug', '--tokens-file', join(d, 'tokens.csv')] });
  children.push(child);
  const given = await child.req('GET', '/api/v1/namespaces', undefined, { 'Audit-ID': 'client-chosen-id-1' });
  assert.is(given.headers['audit-id'], 'client-chosen-id-1', 'a client\'s Audit-ID is kept');
  const made = await child.req('GET', '/api/v1/namespaces');
  const madeId = String(made.headers['audit-id']);
  assert.match(madeId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'otherwise a UUID');
  const denied = await httpRequest(child.url, child.caCertPem, secrets.wrong, 'GET', '/api/v1/namespaces');
  assert.is(denied.status, 401);
  assert.ok(denied.headers['audit-id'], 'a refused request has an Audit-Id too');
  assert.is((await httpRequest(child.url, child.caCertPem, secrets.alice, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'logged' } })).status, 201);
  await new Promise<void>((resolve) => {
    const ws = new WebSocket(`${child.url.replace('https', 'wss')}/api/v1/namespaces?watch=true`, [`base64url.bearer.authorization.k8s.io.${Buffer.from(secrets.ws).toString('base64url')}`], { ca: child.caCertPem });
    ws.on('unexpected-response', () => resolve());
    ws.on('error', () => resolve());
  });
  const exit = await child.stop('SIGTERM');
  assert.is(exit.code, 0);
  const log = child.output();
  const lines = log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; auditID?: string; code?: number });
  const requests = lines.filter((l) => l.msg === 'request');
  assert.ok(requests.some((l) => l.auditID === madeId && l.code === 200), 'the request line carries the Audit-Id the client saw');
  assert.ok(requests.some((l) => l.auditID === 'client-chosen-id-1'), 'and the client\'s own');
  assert.ok(requests.some((l) => l.code === 401), '401s are logged');
  for (const s of [child.token, ...Object.values(secrets), Buffer.from(secrets.ws).toString('base64url')]) {
    assert.not.ok(log.includes(s), `a token appears in the log: ${s.slice(0, 6)}…`);
  }
  assert.ok(lines.some((l) => l.msg === 'serving') && lines.some((l) => l.msg === 'stopped'), 'start and stop are logged');
});

test.run();
