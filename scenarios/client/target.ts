// How the load client reaches clusters: a base URL and credentials per cluster name, from a
// kubeconfig (any real cluster, or kemu's generated one) or from a running kemu's URL, CA and
// token. Scenarios address clusters by kemu's names (`hub`, `spoke-N`), so a kubeconfig maps
// onto them as follows:
//   - every context is a cluster, named after the context (not its cluster entry);
//   - the hub is the context named `hub` when there is one; otherwise the current-context (or
//     the `hubContext` option) is renamed `hub` and no longer answers to its own name.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HUB } from '../../model/clusters.js';

/** Everything needed to send requests to one cluster. */
export interface Connection {
  readonly cluster: string;
  /** Origin plus any path prefix (kemu's `/clusters/<name>`), without a trailing slash. */
  readonly baseUrl: string;
  /** PEM bundle to trust; the system roots when absent. */
  readonly ca?: string;
  readonly insecureSkipTLSVerify: boolean;
  readonly token?: string;
  /** PEM client certificate and key (kubeconfig client-certificate(-data)/client-key(-data)). */
  readonly clientCert?: string;
  readonly clientKey?: string;
}

export interface Target {
  readonly kind: 'url' | 'kubeconfig';
  /** Cluster names, the hub first. */
  clusters(): readonly string[];
  /** Throws for a name not in clusters(): a scenario naming a cluster the target lacks is misconfigured. */
  connection(cluster: string): Connection;
}

export interface KubeconfigTargetOptions {
  /** The context served as `hub` when no context is named so; defaults to current-context. */
  readonly hubContext?: string;
}

class MapTarget implements Target {
  private readonly names: readonly string[];

  constructor(readonly kind: Target['kind'], private readonly byName: ReadonlyMap<string, Connection>, private readonly source: string) {
    const rest = [...byName.keys()].filter((n) => n !== HUB);
    this.names = byName.has(HUB) ? [HUB, ...rest] : rest;
  }

  clusters(): readonly string[] {
    return this.names;
  }

  connection(cluster: string): Connection {
    const c = this.byName.get(cluster);
    if (!c) throw new Error(`${this.source}: no cluster "${cluster}" (have: ${this.names.join(', ')})`);
    return c;
  }
}

/** A running kemu: the hub at `url`, every other cluster under `url/clusters/<name>`. */
export function fromKemu(url: string, caPem: string, token: string, clusterNames: readonly string[]): Target {
  const base = url.replace(/\/+$/, '');
  const byName = new Map<string, Connection>();
  for (const cluster of clusterNames) {
    const baseUrl = cluster === HUB ? base : `${base}/clusters/${encodeURIComponent(cluster)}`;
    byName.set(cluster, { cluster, baseUrl, ca: caPem, insecureSkipTLSVerify: false, token });
  }
  return new MapTarget('url', byName, `kemu at ${base}`);
}

type Yaml = Record<string, unknown>;

function isObject(v: unknown): v is Yaml {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** kubeconfig's named lists (`clusters`, `users`, `contexts`) as name -> inner object. */
function namedList(doc: Yaml, list: string, inner: string, where: string): Map<string, Yaml> {
  const out = new Map<string, Yaml>();
  const items = doc[list] ?? [];
  if (!Array.isArray(items)) throw new Error(`${where}: "${list}" must be a list`);
  items.forEach((item: unknown, i) => {
    if (!isObject(item) || typeof item.name !== 'string' || item.name === '') throw new Error(`${where}: ${list}[${i}] has no name`);
    const body = item[inner] ?? {};
    if (!isObject(body)) throw new Error(`${where}: ${list}[${i}] (${item.name}) has no "${inner}" object`);
    out.set(item.name, body);
  });
  return out;
}

function str(o: Yaml, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`${where}: "${key}" must be a string`);
  return v;
}

/** Inline base64 data, or a file (relative paths against the kubeconfig's folder, as kubectl resolves them). */
function material(o: Yaml, dataKey: string, fileKey: string, dir: string, where: string): string | undefined {
  const data = str(o, dataKey, where);
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(o, fileKey, where);
  if (file === undefined) return undefined;
  const path = isAbsolute(file) ? file : resolve(dir, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${where}: cannot read ${fileKey} ${path}: ${(e as Error).message}`);
  }
}

function connectionOf(name: string, as: string, context: Yaml, clusters: Map<string, Yaml>, users: Map<string, Yaml>, dir: string, where: string): Connection {
  const at = `${where}: context "${name}"`;
  const clusterName = str(context, 'cluster', at);
  if (clusterName === undefined) throw new Error(`${at} names no cluster`);
  const cluster = clusters.get(clusterName);
  if (!cluster) throw new Error(`${at}: no cluster entry "${clusterName}"`);
  const cAt = `${where}: cluster "${clusterName}"`;
  const server = str(cluster, 'server', cAt);
  if (server === undefined) throw new Error(`${cAt} has no server`);
  let baseUrl: string;
  try {
    baseUrl = new URL(server).href.replace(/\/+$/, '');
  } catch {
    throw new Error(`${cAt}: server "${server}" is not a URL`);
  }
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  const ca = material(cluster, 'certificate-authority-data', 'certificate-authority', dir, cAt);

  const userName = str(context, 'user', at);
  const user = userName === undefined ? {} : users.get(userName);
  if (!user) throw new Error(`${at}: no user entry "${userName}"`);
  const uAt = `${where}: user "${userName}"`;
  let token = str(user, 'token', uAt);
  const tokenFile = str(user, 'tokenFile', uAt);
  if (token === undefined && tokenFile !== undefined) {
    const path = isAbsolute(tokenFile) ? tokenFile : resolve(dir, tokenFile);
    try {
      token = readFileSync(path, 'utf8').trim();
    } catch (e) {
      throw new Error(`${uAt}: cannot read tokenFile ${path}: ${(e as Error).message}`);
    }
  }
  const clientCert = material(user, 'client-certificate-data', 'client-certificate', dir, uAt);
  const clientKey = material(user, 'client-key-data', 'client-key', dir, uAt);
  if ((clientCert === undefined) !== (clientKey === undefined)) throw new Error(`${uAt}: a client certificate needs its key and a key its certificate`);
  if (token === undefined && clientCert === undefined && (user.exec !== undefined || user['auth-provider'] !== undefined)) {
    throw new Error(`${uAt}: exec and auth-provider credentials are not supported; use a token or a client certificate`);
  }
  return {
    cluster: as, baseUrl, insecureSkipTLSVerify: insecure,
    ...(ca !== undefined ? { ca } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(clientCert !== undefined && clientKey !== undefined ? { clientCert, clientKey } : {}),
  };
}

/** Reads a kubeconfig; see the file comment for how contexts become cluster names. */
export function fromKubeconfig(path: string, opts: KubeconfigTargetOptions = {}): Target {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`kubeconfig ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`kubeconfig ${path}: not YAML: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new Error(`kubeconfig ${path}: not a kubeconfig document`);
  const where = `kubeconfig ${path}`;
  const dir = dirname(resolve(path));
  const clusters = namedList(doc, 'clusters', 'cluster', where);
  const users = namedList(doc, 'users', 'user', where);
  const contexts = namedList(doc, 'contexts', 'context', where);
  if (contexts.size === 0) throw new Error(`${where}: no contexts`);

  let hubContext: string | undefined = HUB;
  if (!contexts.has(HUB)) {
    hubContext = opts.hubContext ?? str(doc, 'current-context', where);
    if (hubContext !== undefined && !contexts.has(hubContext)) {
      throw new Error(`${where}: ${opts.hubContext !== undefined ? 'hubContext' : 'current-context'} "${hubContext}" is not a context (have: ${[...contexts.keys()].join(', ')})`);
    }
  }
  const byName = new Map<string, Connection>();
  for (const [name, context] of contexts) {
    const as = name === hubContext ? HUB : name;
    byName.set(as, connectionOf(name, as, context, clusters, users, dir, where));
  }
  return new MapTarget('kubeconfig', byName, where);
}
