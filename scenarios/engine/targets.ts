// The three kinds of target a scenario runs against: an embedded kemu started in this process
// with the scenario's server options, a running kemu by URL, or any cluster by kubeconfig.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Clock } from '../../model/clock.js';
import { DEFAULTS } from '../../model/defaults.js';
import { startServer, type ServerOptions } from '../../server/app.js';
import { RestClient } from '../client/rest.js';
import { fromKemu, fromKubeconfig, type Target } from '../client/target.js';
import type { Json } from '../report/types.js';
import { paramScope, ScenarioError, SERVER_OPTION_KINDS, type ScenarioSpec } from './spec.js';
import { compileTemplate } from './template.js';

/** Who the load client is on an embedded target. */
export const LOAD_USER = 'system:serviceaccount:kemu-scenario:load-client';

export interface TargetChoice {
  /** `embedded` (default), or the URL of a running kemu. */
  readonly target?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** For a URL target: bearer token and CA file; default: the admin token and CA of `dataDir`. */
  readonly token?: string;
  readonly caFile?: string;
  readonly dataDir?: string;
}

export interface OpenTarget {
  readonly kind: 'embedded' | 'url' | 'kubeconfig';
  readonly target: Target;
  readonly server: string;
  readonly options: Readonly<Record<string, Json>>;
  close(): Promise<void>;
}

/** The scenario's `server:` block, with parameters filled in and paths resolved against the scenario file. */
export function serverOptions(spec: ScenarioSpec): Record<string, Json> {
  const scope = paramScope(spec);
  const out: Record<string, Json> = {};
  for (const [key, raw] of Object.entries(spec.server)) {
    const kind = SERVER_OPTION_KINDS[key];
    const v = compileTemplate(raw)(scope);
    const bad = () => new ScenarioError(`${spec.file}: server.${key}: ${JSON.stringify(v)} is not a ${kind}`);
    switch (kind) {
      case 'number': { const n = Number(v); if (v === null || v === '' || Number.isNaN(n)) throw bad(); out[key] = n; break; }
      case 'boolean': if (v !== true && v !== false && v !== 'true' && v !== 'false') throw bad(); out[key] = v === true || v === 'true'; break;
      case 'string': out[key] = String(v); break;
      case 'path': out[key] = resolve(dirname(spec.file), String(v)); break;
      case 'paths': out[key] = (Array.isArray(v) ? v : [v]).map((p) => resolve(dirname(spec.file), String(p))); break;
      default: throw new ScenarioError(`${spec.file}: server.${key}: unknown option; known: ${Object.keys(SERVER_OPTION_KINDS).join(', ')}`);
    }
  }
  return out;
}

/** A cluster by kubeconfig or a running kemu by URL; undefined when the choice is the embedded emulator. */
export async function openRemoteTarget(choice: TargetChoice): Promise<OpenTarget | undefined> {
  if (choice.kubeconfig) {
    const target = fromKubeconfig(choice.kubeconfig, choice.context ? { hubContext: choice.context } : {});
    return { kind: 'kubeconfig', target, server: target.connection(target.clusters()[0]).baseUrl, options: {}, close: async () => undefined };
  }
  if (choice.target && choice.target !== 'embedded') return openUrl(choice);
  return undefined;
}

export async function openTarget(choice: TargetChoice, spec: ScenarioSpec, clock: Clock): Promise<OpenTarget> {
  const remote = await openRemoteTarget(choice);
  if (remote) return remote;
  const options = serverOptions(spec);
  const dataDir = await mkdtemp(join(tmpdir(), 'kemu-scenario-'));
  // The load runs as a service account, as a controller would: system:masters (the admin token)
  // is exempt from both APF and max-in-flight, so its requests would never be throttled.
  const token = randomBytes(24).toString('base64url');
  const tokensFile = join(dataDir, 'load-tokens.csv');
  await writeFile(tokensFile, `${token},${LOAD_USER},${LOAD_USER},"system:serviceaccounts,system:serviceaccounts:kemu-scenario"\n`, { mode: 0o600 });
  // Warnings only: the run's own summary is the output a user reads.
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, clock, tokensFile, logLevel: 'warn', ...(options as Partial<ServerOptions>) });
  const target = fromKemu(server.url, server.caCertPem, token, server.clusters.list().map((c) => c.name));
  return {
    kind: 'embedded', target, server: server.url, options,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function openUrl(choice: TargetChoice): Promise<OpenTarget> {
  const url = choice.target!.replace(/\/+$/, '');
  if (!/^https:\/\//.test(url)) throw new ScenarioError(`--target ${url}: expected embedded or an https:// URL of a running kemu`);
  const dataDir = choice.dataDir ?? DEFAULTS.dataDir;
  const read = async (file: string, what: string) => {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      throw new ScenarioError(`--target ${url}: cannot read the ${what} from ${file} (pass --token and --ca, or --data-dir of that kemu)`);
    }
  };
  const token = choice.token ?? await read(join(dataDir, 'admin-token'), 'token');
  const ca = await read(choice.caFile ?? join(dataDir, 'pki', 'ca.crt'), 'CA');
  const clusters = await kemuClusters(url, ca, token);
  return { kind: 'url', target: fromKemu(url, ca, token, clusters), server: url, options: {}, close: async () => undefined };
}

/** The clusters of a running kemu, from its admin API; just the hub when that is not available. */
async function kemuClusters(url: string, ca: string, token: string): Promise<string[]> {
  const client = new RestClient({ connection: fromKemu(url, ca, token, ['hub']).connection('hub'), qps: 0, maxRetries: 0 });
  try {
    const r = await client.request({ verb: 'list', resource: 'clusters', method: 'GET', path: '/kemu/v1/clusters' });
    const items = (r.body as { items?: Array<{ name?: string }> } | null)?.items;
    return r.status === 200 && Array.isArray(items) ? items.map((c) => String(c.name)) : ['hub'];
  } finally {
    await client.close();
  }
}
