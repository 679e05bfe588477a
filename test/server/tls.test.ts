import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, promises as fs, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTlsMaterial, ipToBytes, type TlsMaterial } from '../../server/tls.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kemu-tls-'));
  dirs.push(d);
  return d;
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const mode = (p: string): number => statSync(p).mode & 0o777;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

test('first start creates CA and server cert with private modes', async () => {
  const dir = tempDir();
  const m = await ensureTlsMaterial(dir, []);
  const pki = join(dir, 'pki');
  assert.is(mode(pki), 0o700);
  assert.is(mode(join(pki, 'ca.key')), 0o600);
  assert.is(mode(join(pki, 'server.key')), 0o600);
  assert.is(mode(join(pki, 'server.crt')), 0o600);
  assert.is(await fs.readFile(join(pki, 'ca.crt'), 'utf8'), m.caCertPem);
  assert.is(await fs.readFile(join(pki, 'server.crt'), 'utf8'), m.certPem);
  assert.is(await fs.readFile(join(pki, 'server.key'), 'utf8'), m.keyPem);
});

test('CA is a 10-year kemu-ca CA; server cert is signed by it with the right SANs and usages', async () => {
  const m = await ensureTlsMaterial(tempDir(), ['kemu.example', '10.1.2.3', '[fd00::7]']);
  const ca = new X509Certificate(m.caCertPem);
  const cert = new X509Certificate(m.certPem);
  assert.ok(ca.ca);
  assert.is(ca.subject, 'CN=kemu-ca');
  const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
  assert.ok(years > 9.9 && years < 10.1, `CA validity ${years} years`);
  assert.not.ok(cert.ca);
  assert.ok(cert.checkIssued(ca));
  assert.ok(cert.verify(ca.publicKey));
  for (const ip of ['127.0.0.1', '::1', '10.1.2.3', 'fd00::7']) assert.is(cert.checkIP(ip), ip);
  assert.is(cert.checkIP('10.1.2.4'), undefined);
  assert.is(cert.checkHost('localhost'), 'localhost');
  assert.is(cert.checkHost('kemu.example'), 'kemu.example');
  // IPs must be IP SANs, not DNS SANs (Go only matches IP literals against IP SANs).
  assert.not.match(cert.subjectAltName ?? '', /DNS:127\.0\.0\.1/);
  assert.ok(cert.keyUsage?.includes(SERVER_AUTH));
  // Positive serial: the top bit of the first byte is clear.
  assert.ok(parseInt(cert.serialNumber.slice(0, 2), 16) < 0x80);
  assert.ok(parseInt(ca.serialNumber.slice(0, 2), 16) < 0x80);
  assert.match(cert.toLegacyObject().fingerprint256, /:/);
});

test('CA and server cert are reused across calls', async () => {
  const dir = tempDir();
  const a = await ensureTlsMaterial(dir, ['kemu.example']);
  const b = await ensureTlsMaterial(dir, ['kemu.example']);
  assert.is(b.caCertPem, a.caCertPem);
  assert.is(b.certPem, a.certPem);
  assert.is(b.keyPem, a.keyPem);
  // A subset of the covered hosts needs no new certificate either.
  const c = await ensureTlsMaterial(dir, []);
  assert.is(c.certPem, a.certPem);
});

test('server cert is re-issued, CA kept, for new hosts, a missing file or a mismatched key', async () => {
  const dir = tempDir();
  const pki = join(dir, 'pki');
  const a = await ensureTlsMaterial(dir, []);
  const caKey = await fs.readFile(join(pki, 'ca.key'));

  const b = await ensureTlsMaterial(dir, ['192.168.9.9', 'Other.Example']);
  assert.is(b.caCertPem, a.caCertPem);
  assert.is.not(b.certPem, a.certPem);
  const cert = new X509Certificate(b.certPem);
  assert.is(cert.checkIP('192.168.9.9'), '192.168.9.9');
  assert.is(cert.checkHost('other.example'), 'other.example');

  await fs.rm(join(pki, 'server.crt'));
  const c = await ensureTlsMaterial(dir, []);
  assert.is(c.caCertPem, a.caCertPem);
  assert.ok(new X509Certificate(c.certPem).verify(new X509Certificate(c.caCertPem).publicKey));

  // The CA key as the server key: the pair no longer matches, so a fresh pair is issued.
  await fs.writeFile(join(pki, 'server.key'), caKey);
  const d = await ensureTlsMaterial(dir, []);
  assert.is.not(d.certPem, c.certPem);
  assert.is.not(d.keyPem, caKey.toString());
  assert.is((await fs.readFile(join(pki, 'ca.key'))).toString(), caKey.toString());
});

test('a new CA invalidates the old server cert', async () => {
  const dir = tempDir();
  const pki = join(dir, 'pki');
  const a = await ensureTlsMaterial(dir, []);
  await fs.rm(join(pki, 'ca.crt'));
  await fs.rm(join(pki, 'ca.key'));
  const b = await ensureTlsMaterial(dir, []);
  assert.is.not(b.caCertPem, a.caCertPem);
  assert.is.not(b.certPem, a.certPem);
  assert.ok(new X509Certificate(b.certPem).checkIssued(new X509Certificate(b.caCertPem)));
});

test('a corrupt CA is an error, not silently replaced', async () => {
  const dir = tempDir();
  await ensureTlsMaterial(dir, []);
  await fs.writeFile(join(dir, 'pki', 'ca.crt'), 'garbage');
  try {
    await ensureTlsMaterial(dir, []);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.match((err as Error).message, /unusable CA/);
  }
});

async function handshake(m: TlsMaterial, listenHost: string, urlHost: string): Promise<string> {
  const server = https.createServer({ cert: m.certPem, key: m.keyPem }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, resolve);
  });
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      https.get(`https://${urlHost}:${port}/`, { ca: m.caCertPem }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('real TLS handshake with default server identity checks', async () => {
  const m = await ensureTlsMaterial(tempDir(), []);
  assert.is(await handshake(m, '127.0.0.1', '127.0.0.1'), '{"ok":true}');
  assert.is(await handshake(m, '127.0.0.1', 'localhost'), '{"ok":true}');
  let v6 = true;
  try {
    await handshake(m, '::1', '[::1]');
  } catch (err) {
    // Hosts without IPv6 loopback cannot listen on ::1; anything else is a real failure.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw err;
    v6 = false;
  }
  if (v6) assert.is(await handshake(m, '::1', '[::1]'), '{"ok":true}');
});

test('handshake fails against a different CA', async () => {
  const m = await ensureTlsMaterial(tempDir(), []);
  const other = await ensureTlsMaterial(tempDir(), []);
  try {
    await handshake({ ...m, caCertPem: other.caCertPem }, '127.0.0.1', '127.0.0.1');
    assert.unreachable('should have failed');
  } catch (err) {
    assert.match(String((err as Error).message), /certificate|signature/i);
  }
});

test('ipToBytes', () => {
  assert.is(ipToBytes('127.0.0.1')?.toString('hex'), '7f000001');
  assert.is(ipToBytes('::1')?.toString('hex'), '00000000000000000000000000000001');
  assert.is(ipToBytes('fe80::1%eth0')?.toString('hex'), 'fe800000000000000000000000000001');
  assert.is(ipToBytes('::ffff:10.0.0.1')?.toString('hex'), '00000000000000000000ffff0a000001');
  assert.is(ipToBytes('2001:db8:0:0:1:0:0:1')?.toString('hex'), '20010db8000000000001000000000001');
  assert.is(ipToBytes('::')?.toString('hex'), '00000000000000000000000000000000');
  assert.is(ipToBytes('localhost'), undefined);
  assert.is(ipToBytes('1.2.3'), undefined);
});

test.run();
