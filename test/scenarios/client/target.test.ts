// Targets: kemu's generated kubeconfig reaches the hub and a spoke; hand-written kubeconfigs map
// contexts to cluster names, read files relative to themselves, and fail clearly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { RestClient, Transport } from '../../../scenarios/client/rest.js';
import { fromKemu, fromKubeconfig } from '../../../scenarios/client/target.js';

let ts: TestServer;
let dir: string;

test.before(async () => {
  ts = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'kemu-target-'));
});

test.after(async () => {
  await ts.close();
  await rm(dir, { recursive: true, force: true });
});

function kubeconfig(contexts: string[], current: string | undefined, user: Record<string, unknown> = { token: 't' }, cluster: Record<string, unknown> = {}): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: contexts.map((name) => ({ name: `c-${name}`, cluster: { server: `https://example.test/${name}`, ...cluster } })),
    users: [{ name: 'u', user }],
    contexts: contexts.map((name) => ({ name, context: { cluster: `c-${name}`, user: 'u' } })),
    ...(current !== undefined ? { 'current-context': current } : {}),
  });
}

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

test('kemu kubeconfig: hub and spoke-1 are reachable, the spoke under its prefix', async () => {
  const target = fromKubeconfig(ts.kubeconfig);
  assert.equal(target.kind, 'kubeconfig');
  assert.equal(target.clusters()[0], 'hub');
  assert.ok(target.clusters().includes('spoke-1'));
  assert.equal(target.connection('hub').baseUrl, ts.server.url.replace(/\/$/, ''));
  assert.equal(target.connection('spoke-1').baseUrl, `${ts.server.url.replace(/\/$/, '')}/clusters/spoke-1`);
  assert.equal(target.connection('hub').token, ts.server.adminToken);
  assert.equal(target.connection('hub').ca, ts.server.caCertPem);

  const transport = new Transport();
  try {
    for (const cluster of ['hub', 'spoke-1']) {
      const client = new RestClient({ connection: target.connection(cluster), transport, qps: 0 });
      const r = await client.request({ verb: 'get', resource: 'namespaces', method: 'GET', path: '/api/v1/namespaces/default' });
      assert.equal(r.status, 200, cluster);
      assert.equal((r.body as { metadata: { name: string } }).metadata.name, 'default');
    }
    // A ConfigMap made in the spoke is not in the hub: the prefix picks the cluster.
    const spoke = new RestClient({ connection: target.connection('spoke-1'), transport, qps: 0 });
    const hub = new RestClient({ connection: target.connection('hub'), transport, qps: 0 });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'only-in-spoke' } };
    assert.equal((await spoke.request({ verb: 'create', resource: 'configmaps', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: cm })).status, 201);
    assert.equal((await hub.request({ verb: 'get', resource: 'configmaps', method: 'GET', path: '/api/v1/namespaces/default/configmaps/only-in-spoke' })).status, 404);
  } finally {
    await transport.close();
  }
});

test('fromKemu: spokes under /clusters/<name>, unknown clusters named in the error', () => {
  const target = fromKemu('https://127.0.0.1:6443/', 'CA', 'tok', ['spoke-2', 'hub']);
  assert.equal(target.kind, 'url');
  assert.equal(target.clusters(), ['hub', 'spoke-2']);
  assert.equal(target.connection('hub').baseUrl, 'https://127.0.0.1:6443');
  assert.equal(target.connection('spoke-2').baseUrl, 'https://127.0.0.1:6443/clusters/spoke-2');
  assert.throws(() => target.connection('spoke-9'), /no cluster "spoke-9" \(have: hub, spoke-2\)/);
});

test('kubeconfig without a hub context: current-context becomes hub, or hubContext', async () => {
  const path = await write('two.yaml', kubeconfig(['a', 'b'], 'a'));
  const t = fromKubeconfig(path);
  assert.equal(t.clusters(), ['hub', 'b']);
  assert.equal(t.connection('hub').baseUrl, 'https://example.test/a');
  assert.equal(t.connection('hub').cluster, 'hub');
  assert.throws(() => t.connection('a'), /no cluster "a"/);
  assert.equal(fromKubeconfig(path, { hubContext: 'b' }).clusters(), ['hub', 'a']);

  const named = await write('named.yaml', kubeconfig(['hub', 'x'], 'x'));
  assert.equal(fromKubeconfig(named).clusters(), ['hub', 'x']);
  assert.equal(fromKubeconfig(named).connection('hub').baseUrl, 'https://example.test/hub');

  const noCurrent = await write('nocurrent.yaml', kubeconfig(['a', 'b'], undefined));
  assert.equal(fromKubeconfig(noCurrent).clusters(), ['a', 'b']);
});

test('kubeconfig: tokenFile, CA and client certificate files relative to the kubeconfig, insecure flag', async () => {
  await writeFile(join(dir, 'token'), 'from-file\n');
  await writeFile(join(dir, 'ca.pem'), 'CA PEM');
  await writeFile(join(dir, 'cert.pem'), 'CERT');
  const path = await write('files.yaml', kubeconfig(['a'], 'a',
    { tokenFile: 'token', 'client-certificate': 'cert.pem', 'client-key-data': Buffer.from('KEY').toString('base64') },
    { 'certificate-authority': 'ca.pem', 'insecure-skip-tls-verify': true }));
  const c = fromKubeconfig(path).connection('hub');
  assert.equal(c.token, 'from-file');
  assert.equal(c.ca, 'CA PEM');
  assert.equal(c.clientCert, 'CERT');
  assert.equal(c.clientKey, 'KEY');
  assert.equal(c.insecureSkipTLSVerify, true);
});

test('kubeconfig errors name the file and what is missing', async () => {
  assert.throws(() => fromKubeconfig(join(dir, 'absent.yaml')), /kubeconfig .*absent\.yaml: ENOENT/);
  assert.throws(() => fromKubeconfig(join(dir, 'two.yaml'), { hubContext: 'zzz' }), /hubContext "zzz" is not a context \(have: a, b\)/);
  const badCurrent = await write('badcurrent.yaml', kubeconfig(['a'], 'gone'));
  assert.throws(() => fromKubeconfig(badCurrent), /current-context "gone" is not a context/);
  const noServer = await write('noserver.yaml', kubeconfig(['a'], 'a', { token: 't' }, { server: undefined }));
  assert.throws(() => fromKubeconfig(noServer), /cluster "c-a" has no server/);
  const noUser = await write('nouser.yaml', kubeconfig(['a'], 'a').replace('user: u', 'user: nobody'));
  assert.throws(() => fromKubeconfig(noUser), /context "a": no user entry "nobody"/);
  const noTokenFile = await write('notokenfile.yaml', kubeconfig(['a'], 'a', { tokenFile: 'missing-token' }));
  assert.throws(() => fromKubeconfig(noTokenFile), /user "u": cannot read tokenFile .*missing-token/);
  const exec = await write('exec.yaml', kubeconfig(['a'], 'a', { exec: { command: 'aws' } }));
  assert.throws(() => fromKubeconfig(exec), /exec and auth-provider credentials are not supported/);
  const keyless = await write('keyless.yaml', kubeconfig(['a'], 'a', { 'client-certificate-data': 'Q0VSVA==' }));
  assert.throws(() => fromKubeconfig(keyless), /needs its key/);
  const empty = await write('empty.yaml', 'apiVersion: v1\nkind: Config\n');
  assert.throws(() => fromKubeconfig(empty), /no contexts/);
});

test.run();
