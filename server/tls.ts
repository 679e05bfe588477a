// Self-managed PKI for the HTTPS listener. The CA is created once and kept, so kubeconfigs
// written earlier (which embed the CA) stay valid across restarts; the serving certificate
// is cheap to re-issue and is re-issued whenever it stops fitting the listen addresses.

import { X509Certificate, createPublicKey, generateKeyPair, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface TlsMaterial {
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const CA_CN = 'kemu-ca';
const SERVER_CN = 'kemu-apiserver';
const CA_VALIDITY_DAYS = 3650;
const SERVER_VALIDITY_DAYS = 365;
// Re-issue well before expiry so a long-running kemu never serves an expired certificate
// right after a restart.
const SERVER_RENEW_BEFORE_DAYS = 30;
// Tolerate clocks that are slightly behind ours (containers, VMs).
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const RSA_BITS = 2048;

const DEFAULT_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Returns the CA and a serving certificate/key for the given host names and IPs
 * (plus loopback and `localhost`), creating or re-issuing them under `<dataDir>/pki`.
 */
export async function ensureTlsMaterial(dataDir: string, hosts: readonly string[]): Promise<TlsMaterial> {
  const pki = join(dataDir, 'pki');
  await fs.mkdir(pki, { recursive: true, mode: 0o700 });
  // mkdir's mode is subject to umask and ignored for an existing directory.
  await fs.chmod(pki, 0o700);

  const ca = await ensureCa(pki);
  const wanted = normalizeHosts([...DEFAULT_HOSTS, ...hosts]);

  const certPath = join(pki, 'server.crt');
  const keyPath = join(pki, 'server.key');
  const existingCert = await readIfExists(certPath);
  const existingKey = await readIfExists(keyPath);
  if (existingCert !== undefined && existingKey !== undefined &&
      serverCertUsable(existingCert, existingKey, ca.certPem, wanted)) {
    return { caCertPem: ca.certPem, certPem: existingCert, keyPem: existingKey };
  }

  const { certPem, keyPem } = await issueServerCert(ca, wanted);
  // Key first: a crash between the two writes then leaves a mismatched pair, which the
  // public-key check in serverCertUsable detects and repairs on the next start.
  await writeFileAtomic(keyPath, keyPem, 0o600);
  await writeFileAtomic(certPath, certPem, 0o600);
  return { caCertPem: ca.certPem, certPem, keyPem };
}

interface CaPair {
  readonly certPem: string;
  readonly keyPem: string;
}

async function ensureCa(pki: string): Promise<CaPair> {
  const certPath = join(pki, 'ca.crt');
  const keyPath = join(pki, 'ca.key');
  const certPem = await readIfExists(certPath);
  const keyPem = await readIfExists(keyPath);
  if (certPem !== undefined && keyPem !== undefined) {
    // A corrupt CA is not silently replaced: that would invalidate every kubeconfig handed out.
    try {
      const cert = new X509Certificate(certPem);
      if (!samePublicKey(cert, keyPem)) throw new Error('key does not match certificate');
    } catch (err) {
      throw new Error(`unusable CA in ${pki}: ${(err as Error).message}; remove ca.crt and ca.key to regenerate`);
    }
    return { certPem, keyPem };
  }

  const { publicKey, privateKey } = await newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = randomSerial();
  setValidity(cert, CA_VALIDITY_DAYS);
  const name = [{ name: 'commonName', value: CA_CN }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const pair = { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
  return pair;
}

async function issueServerCert(ca: CaPair, hosts: NormalizedHosts): Promise<{ certPem: string; keyPem: string }> {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const { publicKey, privateKey } = await newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = randomSerial();
  setValidity(cert, SERVER_VALIDITY_DAYS);
  cert.setSubject([{ name: 'commonName', value: SERVER_CN }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...hosts.dns.map((value) => ({ type: 2, value })),
    ...hosts.ips.map((ip) => ({ type: 7, value: ip.bytes })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    // forge's `keyIdentifier: true` would use this certificate's own key, not the issuer's.
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}

function serverCertUsable(certPem: string, keyPem: string, caCertPem: string, hosts: NormalizedHosts): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caCertPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (!samePublicKey(cert, keyPem)) return false;
    const now = Date.now();
    if (Date.parse(cert.validFrom) > now) return false;
    if (Date.parse(cert.validTo) - now < SERVER_RENEW_BEFORE_DAYS * DAY_MS) return false;
    const present = sanOf(certPem);
    return hosts.dns.every((d) => present.dns.has(d)) && hosts.ips.every((ip) => present.ips.has(ip.key));
  } catch {
    return false;
  }
}

function samePublicKey(cert: X509Certificate, keyPem: string): boolean {
  const fromKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCert);
}

interface ForgeAltName {
  readonly type: number;
  readonly value: string;
}

// Compared on exact entries (not X509Certificate#checkHost) so a wildcard SAN does not
// count as covering a host that was asked for by name.
function sanOf(certPem: string): { dns: Set<string>; ips: Set<string> } {
  const cert = forge.pki.certificateFromPem(certPem);
  const ext = cert.getExtension('subjectAltName') as { altNames?: ForgeAltName[] } | undefined;
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const n of ext?.altNames ?? []) {
    if (n.type === 2) dns.add(n.value.toLowerCase());
    else if (n.type === 7) ips.add(Buffer.from(n.value, 'binary').toString('hex'));
  }
  return { dns, ips };
}

interface NormalizedHosts {
  readonly dns: readonly string[];
  // `bytes` is a forge binary string; `key` is its hex form, used for comparisons.
  readonly ips: readonly { readonly bytes: string; readonly key: string }[];
}

function normalizeHosts(hosts: readonly string[]): NormalizedHosts {
  const dns = new Set<string>();
  const ips = new Map<string, string>();
  for (const raw of hosts) {
    let h = raw.trim();
    if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
    if (!h) continue;
    const bytes = ipToBytes(h);
    if (bytes) ips.set(bytes.toString('hex'), bytes.toString('binary'));
    else dns.add(h.toLowerCase());
  }
  return {
    dns: [...dns],
    ips: [...ips].map(([key, bytes]) => ({ key, bytes })),
  };
}

/** Network-order bytes of an IPv4/IPv6 literal, or undefined for anything else. */
export function ipToBytes(address: string): Buffer | undefined {
  const ip = address.replace(/%.*$/, ''); // zone ids are not part of the address
  const family = isIP(ip);
  if (family === 4) return Buffer.from(ip.split('.').map((p) => Number(p)));
  if (family !== 6) return undefined;
  let head = ip;
  const tail: number[] = [];
  // An embedded dotted quad (::ffff:1.2.3.4) supplies the last 32 bits.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map((p) => Number(p));
    tail.push((a << 8) | b, (c << 8) | d);
    head = ip.slice(0, ip.length - v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  const gap = head.indexOf('::');
  if (gap >= 0) {
    const left = parse(head.slice(0, gap));
    const right = parse(head.slice(gap + 2));
    const fill = 8 - tail.length - left.length - right.length;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
  } else {
    groups = [...parse(head), ...tail];
  }
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

async function newRsaKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  return generateKeyPairAsync('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

// Go (x509negativeserial) rejects negative serials, and DER wants a minimal encoding, so the
// top byte is forced into 0x40..0x7f: positive, non-zero, no padding byte needed.
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x3f) | 0x40;
  return b.toString('hex');
}

function setValidity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes via a temp file + rename so readers never see a half-written file. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.writeFile(tmp, data, { mode, flag: 'wx' });
    // writeFile's mode is filtered by umask; make it exact.
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
