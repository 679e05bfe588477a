// `kemu serve --shards N`: virtual clusters share nothing, so kemu scales out by giving each of N
// processes a contiguous slice of the spokes. The parent forks the shards, waits for each to report
// its URL over IPC, writes one kubeconfig whose contexts point at the owning shard, and supervises.
import { fork, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { HUB } from '../model/clusters.js';
import { ensureAdminToken } from '../server/authn.js';
import { clusterServerUrl, renderKubeconfig, writeKubeconfig } from '../server/kubeconfig.js';
import { ensureTlsMaterial, writeFileAtomic } from '../server/tls.js';

/** Spokes `spoke-(offset+1)` … `spoke-(offset+count)`: an even, contiguous split by index. */
export function shardSlice(shard: number, shards: number, spokes: number): { offset: number; count: number } {
  const offset = Math.floor((shard * spokes) / shards);
  return { offset, count: Math.floor(((shard + 1) * spokes) / shards) - offset };
}

/** What a forked shard tells its parent once it listens. */
interface ShardReady {
  readonly kind: 'kemu-shard-serving';
  readonly url: string;
  readonly clusters: readonly string[];
}

function isShardReady(m: unknown): m is ShardReady {
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'kemu-shard-serving';
}

/**
 * In a shard forked by `serveShards`, reports the URL and clusters to the parent and returns true;
 * false when not forked (run by hand or as a StatefulSet pod).
 */
export function reportToParent(url: string, clusters: readonly string[]): boolean {
  if (!process.send || !process.connected) return false;
  const msg: ShardReady = { kind: 'kemu-shard-serving', url, clusters };
  // Once sent, the channel must not keep a stopped shard alive; 'disconnect' still fires.
  process.send(msg, () => process.channel?.unref());
  return true;
}

export interface ShardsOptions {
  readonly shards: number;
  readonly host: string;
  /** 0: every shard on an ephemeral port; else shard K on port + K. */
  readonly port: number;
  readonly dataDir: string;
  readonly spokes: number;
  readonly kubeconfigPath: string;
  /** The serve flags as given; the shard's own flags are appended and win (parseArgs keeps the last). */
  readonly serveArgs: readonly string[];
}

interface Shard {
  readonly index: number;
  readonly proc: ChildProcess;
  readonly ready: Promise<ShardReady>;
  readonly exited: Promise<number>;
}

/** Runs the shards until a signal stops them (0) or one of them dies (1). */
export async function serveShards(opts: ShardsOptions): Promise<number> {
  const credentials = await sharedCredentials(opts.dataDir, opts.host);
  const shards: Shard[] = [];
  for (let k = 0; k < opts.shards; k++) {
    const dir = join(opts.dataDir, `shard-${k}`);
    await seedCredentials(dir, credentials);
    const args = [
      'serve', ...opts.serveArgs, '--shard', String(k), '--shards', String(opts.shards), '--spokes', String(opts.spokes),
      '--port', String(opts.port === 0 ? 0 : opts.port + k), '--data-dir', dir, '--kubeconfig', join(dir, 'kubeconfig'),
    ];
    // The same entry and execArgv, so this works under tsx and from dist alike. Detached: a Ctrl-C
    // reaches the parent alone, which stops the shards once rather than racing the terminal.
    const proc = fork(process.argv[1], args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
    const exited = new Promise<number>((done) => proc.once('exit', (code) => done(code ?? 1)));
    const ready = new Promise<ShardReady>((resolve, reject) => {
      proc.on('message', (m) => { if (isShardReady(m)) resolve(m); });
      void exited.then((code) => reject(new Error(`shard ${k} exited (${code}) before serving`)));
    });
    shards.push({ index: k, proc, ready, exited });
  }
  let stopping = false;
  // Once only: a second SIGTERM would kill a shard that is still draining.
  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    for (const s of shards) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGTERM');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  try {
    let reports: ShardReady[];
    try {
      reports = await Promise.all(shards.map((s) => s.ready));
    } catch (err) {
      stopAll();
      await Promise.all(shards.map((s) => s.exited));
      process.stderr.write(`kemu: ${(err as Error).message}\n`);
      return 1;
    }
    const contexts = await writeShardedKubeconfig(opts.kubeconfigPath, reports, credentials);
    process.stdout.write(`kemu serving ${contexts} clusters at ${reports[0].url} kubeconfig=${opts.kubeconfigPath} shards=${opts.shards}\n`);
    for (const [k, r] of reports.entries()) {
      const { offset, count } = shardSlice(k, opts.shards, opts.spokes);
      const owned = count === 0 ? 'no spokes' : `spoke-${offset + 1}..spoke-${offset + count}`;
      process.stdout.write(`  shard ${k} at ${r.url} pid=${shards[k].proc.pid ?? 0}: ${owned}${k === 0 ? ' and the hub' : ''}\n`);
    }
    // The first shard to exit ends the run: on a signal all do; otherwise it died and the rest are stopped.
    const first = await Promise.race(shards.map((s) => s.exited.then((code) => ({ shard: s.index, code }))));
    const failed = !stopping;
    if (failed) process.stderr.write(`kemu: shard ${first.shard} exited (${first.code}); stopping the others\n`);
    stopAll();
    const codes = await Promise.all(shards.map((s) => s.exited));
    process.stdout.write('kemu stopped\n');
    return failed || codes.some((c) => c !== 0) ? 1 : 0;
  } finally {
    process.off('SIGINT', stopAll);
    process.off('SIGTERM', stopAll);
  }
}

interface Credentials {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly token: string;
}

// One CA and one admin token for all shards, so a single kubeconfig reaches every one of them.
async function sharedCredentials(dataDir: string, host: string): Promise<Credentials> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const [tls, token] = await Promise.all([ensureTlsMaterial(dataDir, [host]), ensureAdminToken(dataDir)]);
  return { caCertPem: tls.caCertPem, caKeyPem: await readFile(join(dataDir, 'pki', 'ca.key'), 'utf8'), token };
}

// A shard issues its own serving certificate from the CA it finds in its data dir (re-issuing one
// signed by another CA), and keeps the token it finds there.
async function seedCredentials(dir: string, c: Credentials): Promise<void> {
  await mkdir(join(dir, 'pki'), { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await writeFileAtomic(join(dir, 'pki', 'ca.key'), c.caKeyPem, 0o600);
  await writeFileAtomic(join(dir, 'pki', 'ca.crt'), c.caCertPem, 0o644);
  await writeFileAtomic(join(dir, 'admin-token'), `${c.token}\n`, 0o600);
}

interface KubeconfigDoc {
  clusters: { name: string; cluster: { server: string } }[];
}

/** The hub from shard 0, every spoke from the shard that owns it; returns the number of contexts. */
async function writeShardedKubeconfig(path: string, reports: readonly ShardReady[], c: Credentials): Promise<number> {
  const urlOf = new Map<string, string>([[HUB, reports[0].url]]);
  for (const r of reports) for (const name of r.clusters) if (name !== HUB) urlOf.set(name, r.url);
  const doc = parse(renderKubeconfig({ serverUrl: reports[0].url, clusters: [...urlOf.keys()], caCertPem: c.caCertPem, token: c.token })) as KubeconfigDoc;
  for (const entry of doc.clusters) entry.cluster.server = clusterServerUrl(urlOf.get(entry.name) ?? reports[0].url, entry.name);
  await writeKubeconfig(path, stringify(doc, { lineWidth: 0 }));
  return urlOf.size;
}
