// `kemu replay`: read the log, open the target (a kubeconfig or a running kemu, as `kemu run`
// does), check it answers, map the clusters, replay, and write report.json and report.html.
// Bad input (an unreadable or malformed log, a bad --map-clusters, a cluster the target lacks, a
// target that does not answer) is a ScenarioError, exit code 2 as for `kemu run`.
import { basename } from 'node:path';
import { realClock, type Clock } from '../../model/clock.js';
import { DEFAULTS } from '../../model/defaults.js';
import { ClientMetrics } from '../client/metrics.js';
import { clientsFor, RestClient, Transport } from '../client/rest.js';
import { gitCommit, preflight } from '../engine/main.js';
import { serverSampler } from '../engine/server-sample.js';
import { ScenarioError } from '../engine/spec.js';
import { openRemoteTarget, type TargetChoice } from '../engine/targets.js';
import type { Report } from '../report/types.js';
import { writeReport, type WrittenReport } from '../report/write.js';
import { clusterMap, parseClusterMap } from './clusters.js';
import { readLog } from './read.js';
import { missingClusters, replay } from './replay.js';

export interface ReplayCommand extends TargetChoice {
  readonly file: string;
  readonly speed: number | 'max';
  readonly concurrency?: number;
  readonly mapClusters?: string;
  readonly includeFailed?: boolean;
  readonly includeControlPlane?: boolean;
  readonly out: string;
  readonly clock?: Clock;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function runReplay(cmd: ReplayCommand): Promise<{ report: Report; files: WrittenReport }> {
  const rules = parseClusterMap(cmd.mapClusters);
  if (typeof rules === 'string') throw new ScenarioError(rules);
  const log = await readLog(cmd.file, { includeFailed: cmd.includeFailed, includeControlPlane: cmd.includeControlPlane });
  if ('error' in log) throw new ScenarioError(log.error);
  if (!cmd.kubeconfig && (!cmd.target || cmd.target === 'embedded')) throw new ScenarioError('replay needs a target: --kubeconfig FILE or --target https://…');
  const clock = cmd.clock ?? realClock;
  let opened;
  try {
    opened = await openRemoteTarget(cmd);
  } catch (e) {
    throw e instanceof ScenarioError ? e : new ScenarioError((e as Error).message);
  }
  if (!opened) throw new ScenarioError('replay needs a target: --kubeconfig FILE or --target https://…');
  const transport = new Transport();
  // The real clock's timers do not hold the process open, and a paced replay may spend seconds
  // with nothing in flight but its next due time.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const metrics = new ClientMetrics(() => clock.now());
    // No client-side limiter: the log's own pacing is the load.
    const clients = clientsFor(opened.target, { transport, clock, metrics, qps: 0 });
    // The preflight and the /metrics scrape are not part of the replayed load: not counted, not limited.
    const probe = new RestClient({ connection: opened.target.connection(opened.target.clusters()[0]), transport, clock, qps: 0, maxRetries: 0 });
    await preflight(probe, opened.server);
    const mapCluster = clusterMap(rules);
    const missing = missingClusters(log, mapCluster, clients);
    if (missing.length > 0) {
      throw new ScenarioError(`the log's clusters ${missing.join(', ')} are not in the target (it has ${opened.target.clusters().join(', ')}); map them with --map-clusters, e.g. '*=hub'`);
    }
    const report = await replay({
      log, name: basename(cmd.file), speed: cmd.speed, concurrency: cmd.concurrency ?? DEFAULTS.replayConcurrency,
      mapCluster, clock, clients, metrics, commit: gitCommit(),
      scrape: serverSampler(probe),
      target: { kind: opened.kind, server: opened.server, options: {} },
      params: {
        file: cmd.file, speed: cmd.speed, concurrency: cmd.concurrency ?? DEFAULTS.replayConcurrency,
        mapClusters: cmd.mapClusters ?? '', includeFailed: cmd.includeFailed === true, includeControlPlane: cmd.includeControlPlane === true,
      },
      ...(cmd.onProgress ? { onProgress: cmd.onProgress } : {}),
    });
    const files = await writeReport(cmd.out, report);
    return { report, files };
  } finally {
    clearInterval(keepAlive);
    await transport.close();
    await opened.close();
  }
}
