// The scenario commands of the kemu CLI: flags in, scenarios/engine out.
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { DEFAULTS } from '../model/defaults.js';
import { VirtualClock } from '../model/virtual-clock.js';
import { compareReports, loadReport } from '../scenarios/report/compare.js';
import { renderSummary } from '../scenarios/report/summary.js';
import { listScenarios } from '../scenarios/engine/builtin.js';
import { runCommand } from '../scenarios/engine/main.js';
import { ScenarioError } from '../scenarios/engine/spec.js';
import { runReplay } from '../scenarios/replay/main.js';

export const RUN_HELP = `kemu run — run a scale scenario and report it

Usage: kemu run SCENARIO [flags]
  SCENARIO             a built-in scenario name (kemu scenarios) or a scenario file

Flags:
  --target embedded|URL  where to send the load: an emulator started in this process with the
                       scenario's server options (default), or a running kemu's https:// URL
  --kubeconfig FILE    any cluster by kubeconfig instead: each context is a cluster; the hub is
                       the context named hub, else --context, else the current context
  --context NAME       the kubeconfig context used as the hub
  --token TOKEN, --ca FILE
                       credentials for a URL target (default: those in --data-dir)
  --data-dir DIR       data dir of the running kemu a URL target points at (default .kemu)
  --scale X            multiply every scaled count (0.01 for CI, 1 for the real thing; default 1)
  --set KEY=VALUE      override a scenario parameter (repeatable), given at scale 1
  --out DIR            where report.json and report.html go (default kemu-report/<scenario>)
  --clock real|virtual real (default), or virtual: the embedded target's server, lifecycle
                       delays and the load client share one simulated clock that jumps to the
                       next timer whenever nothing else runs; the report shows modeled time
  --quiet              no progress bar and no summary

Exit code: 0 when every SLO held and every phase finished, 1 otherwise, 2 on bad input.
`;

export async function runScenarioCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      target: { type: 'string', default: 'embedded' }, kubeconfig: { type: 'string' }, context: { type: 'string' },
      token: { type: 'string' }, ca: { type: 'string' }, 'data-dir': { type: 'string' },
      scale: { type: 'string', default: '1' }, set: { type: 'string', multiple: true }, out: { type: 'string' },
      clock: { type: 'string', default: 'real' },
      quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { process.stdout.write(RUN_HELP); return 0; }
  if (values.clock !== 'real' && values.clock !== 'virtual') { process.stderr.write(`kemu run: --clock must be real or virtual, got ${values.clock}\n`); return 2; }
  if (positionals.length !== 1) { process.stderr.write(`kemu run: expected one scenario\n\n${RUN_HELP}`); return 2; }
  const scale = Number(values.scale);
  if (!(scale > 0)) { process.stderr.write(`kemu run: --scale must be a positive number, got ${values.scale}\n`); return 2; }
  const sets: Record<string, string> = {};
  for (const s of values.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) { process.stderr.write(`kemu run: --set wants KEY=VALUE, got "${s}"\n`); return 2; }
    sets[s.slice(0, eq)] = s.slice(eq + 1);
  }
  const scenario = positionals[0];
  const clock = values.clock === 'virtual' ? new VirtualClock() : undefined;
  try {
    const { report, files } = await runCommand({
      scenario, scale, sets, clock, out: values.out ?? `kemu-report/${scenario.replace(/.*\//, '').replace(/\.ya?ml$/, '')}`,
      progress: !values.quiet && Boolean(process.stderr.isTTY),
      target: values.target, kubeconfig: values.kubeconfig, context: values.context,
      token: values.token, caFile: values.ca, dataDir: values['data-dir'],
    });
    if (!values.quiet) process.stdout.write(`${renderSummary(report, { color: Boolean(process.stdout.isTTY) })}\nreport: ${files.json}\n        ${files.html}\n`);
    return report.verdict === 'pass' ? 0 : 1;
  } catch (e) {
    if (e instanceof ScenarioError) { process.stderr.write(`kemu run: ${e.message}\n`); return 2; }
    throw e;
  } finally {
    // The run is over: timers still pending (watch timeouts, leases) must not fire any more.
    clock?.stop();
  }
}

export async function scenariosCommand(): Promise<number> {
  for (const s of await listScenarios()) process.stdout.write(`${s.name}\n    ${s.description}\n`);
  return 0;
}

export async function compareCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 2) { process.stderr.write('usage: kemu compare A/report.json B/report.json\n'); return 2; }
  try {
    const [a, b] = await Promise.all(positionals.map((p) => loadReport(p)));
    // A report's folder names its run (runs/apf-on/report.json → apf-on); A and B when they clash.
    const [la, lb] = positionals.map((p) => basename(dirname(resolve(p))));
    const labels = la !== lb ? { a: la, b: lb } : { a: 'A', b: 'B' };
    process.stdout.write(`${labels.a}: ${positionals[0]}\n${labels.b}: ${positionals[1]}\n\n${compareReports(a, b, labels)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`kemu compare: ${(e as Error).message}\n`);
    return 2;
  }
}

export const REPLAY_HELP = `kemu replay — replay a request log against a cluster and report it

Usage: kemu replay FILE [flags]
  FILE                 kemu serve --record output, or a kube-apiserver audit log (audit.k8s.io/v1
                       Event lines); watches, non-resource requests, refused requests and the
                       control plane's own requests are skipped and counted

Flags:
  --kubeconfig FILE    the target by kubeconfig: each context is a cluster, the hub is the context
                       named hub, else --context, else the current context
  --context NAME       the kubeconfig context used as the hub
  --target URL         a running kemu instead, with --token TOKEN and --ca FILE (default: the
                       credentials in --data-dir, default .kemu)
  --speed X|max        X times the recorded pace (default 1); max: as fast as --concurrency allows
  --concurrency N      requests in flight at most (default ${DEFAULTS.replayConcurrency})
  --map-clusters SPEC  recorded cluster -> target cluster: hub=hub,spoke-1=cluster-a; spoke-*=c-*;
                       '*=hub' folds every cluster onto one (default: names kept)
  --include-failed     replay requests the first server refused (code >= 400) too
  --include-control-plane
                       replay controllers', schedulers' and kubelets' requests too (for a target
                       whose own controllers are off)
  --out DIR            where report.json and report.html go (default kemu-report/replay-<file>)
  --quiet              no progress bar and no summary

Exit code: 0 when every replayed request succeeded (or failed as recorded), 1 otherwise, 2 on bad input.
`;

export async function replayCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        target: { type: 'string' }, kubeconfig: { type: 'string' }, context: { type: 'string' },
        token: { type: 'string' }, ca: { type: 'string' }, 'data-dir': { type: 'string' },
        speed: { type: 'string', default: '1' }, concurrency: { type: 'string' }, 'map-clusters': { type: 'string' },
        'include-failed': { type: 'boolean' }, 'include-control-plane': { type: 'boolean' },
        out: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`kemu replay: ${(e as Error).message}\n\n${REPLAY_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { process.stdout.write(REPLAY_HELP); return 0; }
  if (positionals.length !== 1) { process.stderr.write(`kemu replay: expected one log file\n\n${REPLAY_HELP}`); return 2; }
  const speed = values.speed === 'max' ? 'max' : Number(values.speed);
  if (speed !== 'max' && !(speed > 0)) { process.stderr.write(`kemu replay: --speed must be a positive number or max, got ${values.speed}\n`); return 2; }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    process.stderr.write(`kemu replay: --concurrency must be a positive whole number, got ${values.concurrency}\n`);
    return 2;
  }
  const file = positionals[0];
  const bar = !values.quiet && process.stderr.isTTY ? new SingleBar({ format: `replay [{bar}] {value}/{total} requests | {duration_formatted}`, hideCursor: true }, Presets.shades_classic) : undefined;
  try {
    bar?.start(1, 0);
    const { report, files } = await runReplay({
      file, speed, concurrency, mapClusters: values['map-clusters'],
      includeFailed: values['include-failed'], includeControlPlane: values['include-control-plane'],
      out: values.out ?? `kemu-report/replay-${file.replace(/.*\//, '').replace(/\.[^.]*$/, '')}`,
      target: values.target, kubeconfig: values.kubeconfig, context: values.context,
      token: values.token, caFile: values.ca, dataDir: values['data-dir'],
      ...(bar ? { onProgress: (done: number, total: number) => { bar.setTotal(total); bar.update(done); } } : {}),
    });
    bar?.stop();
    if (!values.quiet) process.stdout.write(`${renderSummary(report, { color: Boolean(process.stdout.isTTY) })}\nreport: ${files.json}\n        ${files.html}\n`);
    return report.verdict === 'pass' ? 0 : 1;
  } catch (e) {
    bar?.stop();
    if (e instanceof ScenarioError) { process.stderr.write(`kemu replay: ${e.message}\n`); return 2; }
    throw e;
  }
}
