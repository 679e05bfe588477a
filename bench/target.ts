// What a benchmark talks to: any Kubernetes API server reached through a kubeconfig (kemu, kind,
// k3s, a real control plane), or an embedded kemu in a child process, which is reached through
// the kubeconfig it writes, so both take the same path. Also the HTTP client the workloads share
// (undici pools, one per origin and TLS identity) for set-up, LISTs and other sequential calls.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client, Pool, WebSocket } from 'undici';
import { parse as parseYAML } from 'yaml';
import { type Child, memOf, spawnServer } from './common.js';

// ---------------------------------------------------------------------------------------------
// Kubeconfig.

/** TLS settings of one cluster and user, PEM as text so they can cross to child processes. */
export interface Tls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
}

/** One kubeconfig context: where its API is and how to authenticate. */
export interface Endpoint {
  readonly context: string;
  /** scheme://host:port */
  readonly origin: string;
  /** Path before every API path: '' for a plain server, `/clusters/<name>` for a kemu spoke. */
  readonly prefix: string;
  readonly tls: Tls;
  /** Accept and, with a token, Authorization. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface Kubeconfig {
  readonly current: Endpoint;
  /** Every other context that could be read, in file order. */
  readonly others: readonly Endpoint[];
  /** Contexts left out and why (exec or auth-provider credentials, no https server). */
  readonly unusable: readonly { context: string; reason: string }[];
}

type Doc = Record<string, unknown>;

function named(list: unknown, name: string, what: string): Doc {
  const hit = (Array.isArray(list) ? list as Doc[] : []).find((x) => x?.name === name);
  if (!hit) throw new Error(`kubeconfig: no ${what} named "${name}"`);
  return (hit[what] ?? {}) as Doc;
}

/**
 * Reads a kubeconfig's contexts: cluster server, CA (data or file), insecure-skip-tls-verify,
 * tls-server-name; user token (or tokenFile) or client certificate and key (data or file).
 * Exec and auth-provider credentials are not supported. Relative file paths are relative to the
 * kubeconfig, as client-go reads them. --context (or current-context) must be usable.
 */
export function loadKubeconfig(file: string, context?: string): Kubeconfig {
  const doc = (parseYAML(readFileSync(file, 'utf8')) ?? {}) as Doc;
  const currentName = context ?? doc['current-context'];
  if (typeof currentName !== 'string' || !currentName) throw new Error('kubeconfig: no current-context; pass --context');
  const text = (data: unknown, path: unknown): string | undefined =>
    typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8')
      : typeof path === 'string' ? readFileSync(resolve(dirname(file), path), 'utf8') : undefined;
  // kemu's own kubeconfig has one cluster entry per context with the same CA: one Tls object per
  // distinct CA keeps the pool key short.
  const tlsCache = new Map<string, Tls>();
  const endpoint = (name: string): Endpoint => {
    const ctx = named(doc.contexts, name, 'context');
    const cluster = named(doc.clusters, String(ctx.cluster), 'cluster');
    const user = ctx.user === undefined ? {} : named(doc.users, String(ctx.user), 'user');
    if (user.exec || user['auth-provider']) throw new Error('exec and auth-provider credentials are not supported; use a token or a client certificate');
    const server = String(cluster.server ?? '');
    if (!server.startsWith('https://')) throw new Error(`server "${server}" is not https`);
    const url = new URL(server);
    const token = typeof user.token === 'string' ? user.token
      : typeof user.tokenFile === 'string' ? readFileSync(resolve(dirname(file), user.tokenFile), 'utf8').trim() : undefined;
    const tls: Tls = {
      ca: text(cluster['certificate-authority-data'], cluster['certificate-authority']),
      cert: text(user['client-certificate-data'], user['client-certificate']),
      key: text(user['client-key-data'], user['client-key']),
      rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
      ...(typeof cluster['tls-server-name'] === 'string' ? { servername: cluster['tls-server-name'] } : {}),
    };
    const tlsKey = JSON.stringify(tls);
    if (!tlsCache.has(tlsKey)) tlsCache.set(tlsKey, tls);
    return {
      context: name, origin: url.origin, prefix: url.pathname.replace(/\/+$/, ''), tls: tlsCache.get(tlsKey) ?? tls,
      headers: { accept: 'application/json', 'user-agent': 'kemu-bench', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    };
  };
  let current: Endpoint;
  try {
    current = endpoint(currentName);
  } catch (err) {
    throw new Error(`kubeconfig context "${currentName}": ${(err as Error).message}`);
  }
  const others: Endpoint[] = [];
  const unusable: { context: string; reason: string }[] = [];
  for (const c of Array.isArray(doc.contexts) ? doc.contexts as Doc[] : []) {
    const name = String(c?.name ?? '');
    if (!name || name === currentName) continue;
    try {
      others.push(endpoint(name));
    } catch (err) {
      unusable.push({ context: name, reason: (err as Error).message });
    }
  }
  return { current, others, unusable };
}

// ---------------------------------------------------------------------------------------------
// HTTP.

export interface Reply { status: number; body: Buffer; ms: number }
export interface Drained { status: number; bytes: number; ms: number; ttfbMs: number }

const poolKey = (ep: Endpoint) => `${ep.origin}|${JSON.stringify(ep.tls)}`;
const connectOptions = (tls: Tls) => ({
  ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized,
  ...(tls.servername ? { servername: tls.servername } : {}),
});

/** Keep-alive pools per origin and TLS identity; paths are API paths, the endpoint's prefix is added. */
export class Http {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly connections = 64) {}

  private pool(ep: Endpoint): Pool {
    const key = poolKey(ep);
    let p = this.pools.get(key);
    if (!p) this.pools.set(key, p = new Pool(ep.origin, { connections: this.connections, connect: connectOptions(ep.tls) }));
    return p;
  }

  async call(ep: Endpoint, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Reply> {
    const t0 = performance.now();
    const r = await this.pool(ep).request({
      method, path: ep.prefix + path, body,
      headers: body === undefined ? ep.headers : { ...ep.headers, 'content-type': contentType },
    });
    const buf = Buffer.from(await r.body.arrayBuffer());
    return { status: r.statusCode, body: buf, ms: performance.now() - t0 };
  }

  /** A request whose answer is counted, not kept (big LISTs). */
  async drain(ep: Endpoint, path: string): Promise<Drained> {
    const t0 = performance.now();
    const r = await this.pool(ep).request({ method: 'GET', path: ep.prefix + path, headers: ep.headers });
    const ttfbMs = performance.now() - t0;
    let bytes = 0;
    for await (const chunk of r.body) bytes += (chunk as Buffer).length;
    return { status: r.statusCode, bytes, ms: performance.now() - t0, ttfbMs };
  }

  /** call() that throws unless the status is one of `want`. */
  async must(ep: Endpoint, want: readonly number[], method: string, path: string, body?: string, contentType?: string): Promise<Reply> {
    const r = await this.call(ep, method, path, body, contentType);
    if (!want.includes(r.status)) throw new Error(`${method} ${ep.prefix}${path}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    return r;
  }

  async json<T>(ep: Endpoint, method: string, path: string, body?: string): Promise<T> {
    return JSON.parse((await this.must(ep, [200, 201], method, path, body)).body.toString('utf8')) as T;
  }

  /**
   * A watch on its own connection: `onData` gets the raw chunks; resolves once the response
   * headers are in (rejects on a non-200), and `stop()` ends it.
   */
  async watch(ep: Endpoint, path: string, onData: (chunk: Buffer) => void): Promise<{ stop(): Promise<void> }> {
    const client = new Client(ep.origin, { connect: connectOptions(ep.tls), bodyTimeout: 0 });
    const r = await client.request({ method: 'GET', path: ep.prefix + path, headers: ep.headers });
    if (r.statusCode !== 200) {
      const text = await r.body.text();
      await client.destroy();
      throw new Error(`watch ${path}: ${r.statusCode} ${text.slice(0, 300)}`);
    }
    r.body.on('data', onData);
    r.body.on('error', () => undefined); // stop() destroys the socket under it
    return { stop: () => client.destroy() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
    this.pools.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Targets.

export interface ServerMemory {
  rssKB: number;
  /** Anonymous and file-backed parts (LMDB's map), when read from /proc. */
  anonKB: number | null;
  fileKB: number | null;
  source: 'proc' | 'metrics';
}

export interface Target {
  /** `embedded`, or the kubeconfig server's host: the result file's name part. */
  readonly label: string;
  readonly kind: 'embedded' | 'kubeconfig';
  readonly main: Endpoint;
  /** The other contexts (kemu's spokes). */
  readonly others: readonly Endpoint[];
  readonly http: Http;
  /** Whether the kemu admin API answers (clusters can be added). */
  readonly isKemu: boolean;
  /** Server memory now, null when unknown (a server other than the embedded one without process metrics). */
  memory(): Promise<ServerMemory | null>;
  /** The server process's CPU seconds so far, null unless embedded. */
  cpuSeconds(): Promise<number | null>;
  /**
   * A full garbage collection in the server, so a memory reading holds live data rather than
   * garbage waiting for the next GC; false when the target offers none (only an embedded kemu does).
   */
  collectGarbage(): Promise<boolean>;
  /** What the result file says about the target. */
  readonly describe: Readonly<Record<string, string | number | boolean | null>>;
  /** Closes the pools and, for an embedded kemu, stops it (then its CPU profile is written). */
  close(): Promise<void>;
}

/** utime + stime of a process in seconds (/proc/<pid>/stat, USER_HZ 100), null when unreadable. */
async function cpuSecondsOf(pid: number): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!text) return null;
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) || 0) + (Number(f[12]) || 0)) / 100;
}

/** process_resident_memory_bytes of /metrics (Go servers and prom-client's process collector), null if absent. */
async function scrapeRss(http: Http, ep: Endpoint): Promise<number | null> {
  const r = await http.call(ep, 'GET', '/metrics').catch(() => undefined);
  if (!r || r.status !== 200) return null;
  const m = /^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/m.exec(r.body.toString('utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

async function probeKemu(http: Http, ep: Endpoint): Promise<boolean> {
  const r = await http.call(ep, 'GET', '/kemu/v1/clusters').catch(() => undefined);
  return r?.status === 200;
}

const hostLabel = (origin: string) => new URL(origin).host.replace(/[^A-Za-z0-9.-]+/g, '-');

export async function kubeconfigTarget(file: string, context: string | undefined, connections: number): Promise<Target> {
  const kc = loadKubeconfig(file, context);
  const http = new Http(connections);
  const version = await http.must(kc.current, [200], 'GET', '/version');
  const isKemu = await probeKemu(http, kc.current);
  const metricsRss = (await scrapeRss(http, kc.current)) !== null;
  const gitVersion = (JSON.parse(version.body.toString('utf8')) as { gitVersion?: string }).gitVersion ?? null;
  return {
    label: hostLabel(kc.current.origin), kind: 'kubeconfig', main: kc.current, others: kc.others, http, isKemu,
    async memory() {
      if (!metricsRss) return null;
      const rssKB = await scrapeRss(http, kc.current);
      return rssKB === null ? null : { rssKB: Math.round(rssKB), anonKB: null, fileKB: null, source: 'metrics' };
    },
    cpuSeconds: async () => null,
    collectGarbage: async () => false,
    describe: {
      kind: 'kubeconfig', kubeconfig: resolve(file), context: kc.current.context, server: kc.current.origin + kc.current.prefix,
      gitVersion, isKemu, contexts: kc.others.length + 1, unusableContexts: kc.unusable.length,
      memorySource: metricsRss ? 'metrics (process_resident_memory_bytes)' : null,
    },
    close: () => http.close(),
  };
}

export interface EmbeddedOptions {
  readonly spokes: number;
  readonly connections: number;
  /** Directory for the server's --cpu-prof output; no profile when absent. */
  readonly cpuProfDir?: string;
  readonly extraArgs?: readonly string[];
}

/**
 * HeapProfiler.collectGarbage through the child's inspector (node --inspect): the one way to
 * make a server that exposes no GC of its own collect on demand. The session is opened on first
 * use and closed with the target.
 */
class InspectorGc {
  private ws?: WebSocket;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly url: string) {}

  async collect(): Promise<void> {
    if (!this.ready) {
      const ws = this.ws = new WebSocket(this.url);
      ws.onmessage = (ev) => {
        const id = (JSON.parse(String(ev.data)) as { id?: number }).id;
        if (id !== undefined) this.waiting.get(id)?.();
      };
      this.ready = new Promise((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error(`inspector ${this.url}: cannot connect`));
      });
    }
    await this.ready;
    const id = this.nextId++;
    const done = new Promise<void>((resolve) => this.waiting.set(id, resolve));
    this.ws?.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }));
    await done;
    this.waiting.delete(id);
  }

  close(): void {
    this.ws?.close();
  }
}

/**
 * kemu in a child process on 127.0.0.1, in a temp data dir removed at close. Its inspector
 * listens on a random loopback port for the length of the bench, for collectGarbage().
 */
export async function embeddedTarget(o: EmbeddedOptions): Promise<Target & { readonly child: Child }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kemu-bench-'));
  const nodeArgs = ['--inspect=127.0.0.1:0', ...(o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : [])];
  let child: Child;
  try {
    child = await spawnServer(dataDir, nodeArgs, ['--spokes', String(o.spokes), ...(o.extraArgs ?? [])]);
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const kc = loadKubeconfig(join(dataDir, 'kubeconfig'));
  const http = new Http(o.connections);
  const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(child.output())?.[1];
  const gc = inspector ? new InspectorGc(inspector) : undefined;
  return {
    label: 'embedded', kind: 'embedded', main: kc.current, others: kc.others, http, isKemu: true, child,
    async memory() {
      const m = await memOf(child.pid).catch(() => undefined);
      return m ? { rssKB: m.rssKB, anonKB: m.anonKB, fileKB: m.fileKB, source: 'proc' } : null;
    },
    cpuSeconds: () => cpuSecondsOf(child.pid),
    async collectGarbage() {
      if (!gc) return false;
      await gc.collect();
      return true;
    },
    describe: { kind: 'embedded', server: child.url, spokes: o.spokes, pid: child.pid, cpuProfile: Boolean(o.cpuProfDir), args: (o.extraArgs ?? []).join(' ') },
    async close() {
      gc?.close();
      await http.close();
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
