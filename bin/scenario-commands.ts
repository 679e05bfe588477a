// The scenario commands of the kemu CLI: flags in, scenarios/engine out.
import { parseArgs } from 'node:util';
import { compareReports, loadReport } from '../scenarios/report/compare.js';
import { renderSummary } from '../scenarios/report/summary.js';
import { listScenarios } from '../scenarios/engine/builtin.js';
import { runCommand } from '../scenarios/engine/main.js';
import { ScenarioError } from '../scenarios/engine/spec.js';

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
      quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { process.stdout.write(RUN_HELP); return 0; }
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
  try {
    const { report, files } = await runCommand({
      scenario, scale, sets, out: values.out ?? `kemu-report/${scenario.replace(/.*\//, '').replace(/\.ya?ml$/, '')}`,
      progress: !values.quiet && Boolean(process.stderr.isTTY),
      target: values.target, kubeconfig: values.kubeconfig, context: values.context,
      token: values.token, caFile: values.ca, dataDir: values['data-dir'],
    });
    if (!values.quiet) process.stdout.write(`${renderSummary(report, { color: Boolean(process.stdout.isTTY) })}\nreport: ${files.json}\n        ${files.html}\n`);
    return report.verdict === 'pass' ? 0 : 1;
  } catch (e) {
    if (e instanceof ScenarioError) { process.stderr.write(`kemu run: ${e.message}\n`); return 2; }
    throw e;
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
    process.stdout.write(`${compareReports(a, b, { a: positionals[0], b: positionals[1] })}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`kemu compare: ${(e as Error).message}\n`);
    return 2;
  }
}
