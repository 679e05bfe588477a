import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readdirSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig } from '../../server/kubeconfig.js';
import { ensureTlsMaterial } from '../../server/tls.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kemu-kubeconfig-'));
  dirs.push(d);
  return d;
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Kubeconfig {
  apiVersion: string;
  kind: string;
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace: string } }[];
  'current-context': string;
}

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('one cluster and context per kemu cluster; hub at the bare URL', () => {
  const text = renderKubeconfig({
    serverUrl: 'https://127.0.0.1:6443', clusters: ['hub', 'spoke-1', 'spoke-2'], caCertPem: CA, token: 'tok',
  });
  const kc = parse(text) as Kubeconfig;
  assert.is(kc.apiVersion, 'v1');
  assert.is(kc.kind, 'Config');
  assert.equal(kc.clusters.map((c) => [c.name, c.cluster.server]), [
    ['hub', 'https://127.0.0.1:6443'],
    ['spoke-1', 'https://127.0.0.1:6443/clusters/spoke-1'],
    ['spoke-2', 'https://127.0.0.1:6443/clusters/spoke-2'],
  ]);
  for (const c of kc.clusters) {
    assert.is(Buffer.from(c.cluster['certificate-authority-data'], 'base64').toString('utf8'), CA);
  }
  assert.equal(kc.users, [{ name: 'kemu-admin', user: { token: 'tok' } }]);
  assert.equal(kc.contexts.map((c) => c.name), ['hub', 'spoke-1', 'spoke-2']);
  for (const c of kc.contexts) {
    assert.equal(c.context, { cluster: c.name, user: 'kemu-admin', namespace: 'default' });
  }
  assert.is(kc['current-context'], 'hub');
});

test('current-context: explicit, else hub, else first; trailing slash in server URL', () => {
  const base = { serverUrl: 'https://127.0.0.1:6443/', caCertPem: CA, token: 't' };
  const a = parse(renderKubeconfig({ ...base, clusters: ['a', 'b'] })) as Kubeconfig;
  assert.is(a['current-context'], 'a');
  assert.is(a.clusters[1].cluster.server, 'https://127.0.0.1:6443/clusters/b');
  const b = parse(renderKubeconfig({ ...base, clusters: ['a', 'hub'] })) as Kubeconfig;
  assert.is(b['current-context'], 'hub');
  assert.is(b.clusters[1].cluster.server, 'https://127.0.0.1:6443');
  const c = parse(renderKubeconfig({ ...base, clusters: ['a', 'hub'], current: 'a' })) as Kubeconfig;
  assert.is(c['current-context'], 'a');
  assert.throws(() => renderKubeconfig({ ...base, clusters: ['a'], current: 'zzz' }));
  assert.throws(() => renderKubeconfig({ ...base, clusters: [] }));
});

test('writeKubeconfig creates parents, mode 0600, atomic replace', async () => {
  const dir = tempDir();
  const path = join(dir, 'a', 'b', 'kubeconfig');
  await writeKubeconfig(path, 'one\n');
  assert.is(statSync(path).mode & 0o777, 0o600);
  await writeKubeconfig(path, 'two\n');
  assert.is(await fs.readFile(path, 'utf8'), 'two\n');
  assert.equal(readdirSync(join(dir, 'a', 'b')), ['kubeconfig']);
});

function kubectl(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, {
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_PROXY: '*', no_proxy: '*' },
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const haveKubectl = existsSync('/usr/bin/kubectl');

test('kubectl (Go TLS) accepts the certificate and sends the token', async () => {
  if (!haveKubectl) {
    console.warn('kubectl not found; skipping');
    return;
  }
  const dir = tempDir();
  const m = await ensureTlsMaterial(join(dir, 'data'), []);
  const seen: { url?: string; auth?: string }[] = [];
  const server = https.createServer({ cert: m.certPem, key: m.keyPem }, (req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (path.endsWith('/version')) {
      res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0', platform: path }));
      return;
    }
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const kcPath = join(dir, 'kubeconfig');
    await writeKubeconfig(kcPath, renderKubeconfig({
      serverUrl: `https://127.0.0.1:${port}`, clusters: ['hub', 'spoke-1'], caCertPem: m.caCertPem, token: 'sekret',
    }));
    const hub = await kubectl(['--kubeconfig', kcPath, 'get', '--raw', '/x'], dir);
    assert.is(hub.code, 0, hub.stderr);
    assert.equal(JSON.parse(hub.stdout), { path: '/x' });
    // Not `get --raw`: kubectl sends --raw paths as a RequestURI, which drops the server URL's
    // path, whereas ordinary requests (here /version via discovery) keep the /clusters prefix.
    const spoke = await kubectl(['--kubeconfig', kcPath, '--context', 'spoke-1', 'version', '-o', 'json'], dir);
    assert.is(spoke.code, 0, spoke.stderr);
    const version = JSON.parse(spoke.stdout) as { serverVersion: { platform: string } };
    assert.is(version.serverVersion.platform, '/clusters/spoke-1/version');
    assert.ok(seen.length >= 2);
    for (const s of seen) assert.is(s.auth, 'Bearer sekret');

    // And Go rejects it when the CA does not match, so the success above is meaningful.
    const other = await ensureTlsMaterial(join(dir, 'other'), []);
    await writeKubeconfig(kcPath, renderKubeconfig({
      serverUrl: `https://127.0.0.1:${port}`, clusters: ['hub'], caCertPem: other.caCertPem, token: 'sekret',
    }));
    const bad = await kubectl(['--kubeconfig', kcPath, 'get', '--raw', '/x'], dir);
    assert.is.not(bad.code, 0);
    assert.match(bad.stderr, /x509|certificate/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test.run();
