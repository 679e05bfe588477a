// `kemu run`, `kemu scenarios` and `kemu compare`: find the scenario, open the target, check it
// answers and accepts the credentials, run with a progress bar, write report.json/report.html,
// print the summary, and exit non-zero when an SLO failed.
import { execFileSync } from 'node:child_process';
import { SingleBar, Presets } from 'cli-progress';
import { realClock, type Clock } from '../../model/clock.js';
import { DEFAULTS } from '../../model/defaults.js';
import { VirtualClock } from '../../model/virtual-clock.js';
import { repoRoot } from '../../model/fixtures.js';
import { ClientMetrics } from '../client/metrics.js';
import { clientsFor, RestClient, Transport } from '../client/rest.js';
import type { Report } from '../report/types.js';
import { writeReport } from '../report/write.js';
import { runScenario } from './runner.js';
import { serverSampler } from './server-sample.js';
import { evalNumber } from './phase.js';
import { resolveScenario } from './builtin.js';
import { loadScenario, paramScope, ScenarioError } from './spec.js';
import { openTarget, type TargetChoice } from './targets.js';

export interface RunCommand extends TargetChoice {
  readonly scenario: string;
  readonly scale: number;
  readonly sets: Readonly<Record<string, string>>;
  readonly out: string;
  /** Progress bar on stderr; off without a TTY. */
  readonly progress: boolean;
  readonly clock?: Clock;
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Fails fast, before any load, when the hub cannot be reached or refuses the credentials. */
export async function preflight(hub: RestClient, server: string): Promise<void> {
  const r = await hub.request({ verb: 'get', resource: 'namespaces', method: 'GET', path: '/api/v1/namespaces', query: { limit: 1 } });
  if (r.status === 0) throw new ScenarioError(`cannot reach ${server}: ${r.error ?? 'connection failed'}`);
  if (r.status === 401) throw new ScenarioError(`${server} refused the credentials (401 Unauthorized)`);
  if (r.status === 403) throw new ScenarioError(`${server} does not let these credentials list namespaces (403 Forbidden)`);
  if (r.status !== 200) throw new ScenarioError(`${server} answered HTTP ${r.status} to GET /api/v1/namespaces`);
}

export async function runCommand(cmd: RunCommand): Promise<{ report: Report; files: { json: string; html: string } }> {
  const spec = await loadScenario(resolveScenario(cmd.scenario), cmd.sets, cmd.scale);
  const clock = cmd.clock ?? realClock;
  const virtual = clock instanceof VirtualClock;
  // Virtual time runs only where every timer and every byte is in this process.
  if (virtual && (cmd.kubeconfig !== undefined || (cmd.target !== undefined && cmd.target !== 'embedded'))) {
    throw new ScenarioError('--clock virtual needs the embedded target (a remote server keeps real time)');
  }
  const opened = await openTarget(cmd, spec, clock);
  const transport = new Transport({ connections: evalNumber(spec.client.connections, paramScope(spec), 'client.connections', DEFAULTS.clientConnections) });
  try {
    const metrics = new ClientMetrics(() => clock.now());
    const scope = paramScope(spec);
    const clients = clientsFor(opened.target, {
      transport, clock, metrics, shareRateLimiter: true,
      qps: evalNumber(spec.client.qps, scope, 'client.qps', 0), burst: evalNumber(spec.client.burst, scope, 'client.burst', 1),
    });
    const hub = clients.get(opened.target.clusters()[0])!;
    await preflight(hub, opened.server);
    const bar = cmd.progress ? new SingleBar({ format: `${spec.name} [{bar}] {value}/{total} items | {duration_formatted}`, hideCursor: true }, Presets.shades_classic) : undefined;
    bar?.start(1, 0);
    const report = await runScenario({
      spec, scale: cmd.scale, clock, clockKind: virtual ? 'virtual' : 'real', clients, metrics, commit: gitCommit(),
      scrape: serverSampler(new RestClient({ connection: opened.target.connection(opened.target.clusters()[0]), transport, clock, qps: 0, maxRetries: 0 })),
      target: { kind: opened.kind, server: opened.server, options: opened.options },
      onProgress: bar ? (done, total) => { bar.setTotal(total); bar.update(done); } : undefined,
    });
    bar?.stop();
    const files = await writeReport(cmd.out, report);
    return { report, files };
  } finally {
    await transport.close();
    await opened.close();
  }
}
