// The benchmark suite: the same workloads against an embedded kemu (a child process, so its CPU
// and memory are its own) or any server a kubeconfig reaches, so the figures of two targets can
// be put side by side.
//
//   npm run bench [-- OPTIONS]                (npx tsx bench/run.ts OPTIONS)
//     --only NAME[,NAME]    workloads to run: a name, or a prefix before '-' (list, watch, patch,
//                           memory); `soak` hands over to bench/soak.ts
//     --kubeconfig FILE     target that server (current context, or --context NAME); the other
//                           contexts are the clusters of many-clusters. Default: an embedded kemu
//                           (with --spokes 1000 when many-clusters runs)
//     --duration S          seconds of each timed phase (default 10)
//     --connections N       concurrent requests of the rate workloads (default 32)
//     --smoke               tiny counts, 0.5 s phases: checks the suite runs (CI), not its speed
//     --out DIR             where results go (default bench/results)
//     --cpu-prof            embedded only: profile the server, self time per workload in the result
//     --spokes N            embedded only: spokes to start with
//   npm run bench -- --compare A.json B.json   two results side by side with B/A ratios, no run
//
// Writes <out>/<date>-<target>.json (target: embedded, or the kubeconfig server's host) with the
// machine, the kemu commit, the options and every workload's figures, and the markdown table next
// to it (.md), which is also printed.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_DIR, runMain } from './common.js';
import { compare, loadResult, runSuite, select } from './suite.js';
import { suite, suiteSpokes } from './workloads/index.js';

interface SoakModule { main(args: { duration?: number; kubeconfig?: string; smoke?: boolean }): Promise<void> }

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      only: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string', default: '32' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string', default: RESULTS_DIR },
      'cpu-prof': { type: 'boolean', default: false },
      spokes: { type: 'string' },
      compare: { type: 'boolean', default: false },
    },
  });
  if (values.compare) {
    if (positionals.length !== 2) throw new Error('--compare takes two result files: --compare A.json B.json');
    const [a, b] = await Promise.all(positionals.map(loadResult));
    console.log(compare(a, b, { a: a.target === b.target ? 'A' : a.target, b: a.target === b.target ? 'B' : b.target }));
    return;
  }
  if (positionals.length) throw new Error(`unexpected arguments: ${positionals.join(' ')}`);
  const smoke = values.smoke;
  const duration = Number(values.duration ?? (smoke ? 0.5 : 10));
  const connections = Number(values.connections);
  if (!Number.isFinite(duration) || duration <= 0 || duration > 3600) throw new Error(`--duration must be 0..3600 seconds, got ${values.duration}`);
  if (!Number.isInteger(connections) || connections < 1 || connections > 4096) throw new Error(`--connections must be 1..4096, got ${values.connections}`);
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : null;

  if (only?.includes('soak')) {
    if (only.length > 1) throw new Error('soak runs alone: --only soak');
    // Loaded by URL so the suite does not depend on the soak bench at type level.
    const url = new URL('./soak.js', import.meta.url).href;
    const mod = await import(url).catch((err: { code?: string; url?: string }) => {
      throw err.code === 'ERR_MODULE_NOT_FOUND' && err.url === url ? new Error('--only soak needs bench/soak.ts, which is not there') : err;
    }) as Partial<SoakModule>;
    if (typeof mod.main !== 'function') throw new Error('bench/soak.ts exports no main()');
    await mod.main({ duration: values.duration === undefined ? undefined : duration, kubeconfig: values.kubeconfig, smoke });
    return;
  }

  if (values.kubeconfig && (values['cpu-prof'] || values.spokes !== undefined)) throw new Error('--cpu-prof and --spokes are for the embedded kemu, not with --kubeconfig');
  const workloads = only ? select(suite(smoke), only) : suite(smoke);
  const spokes = values.spokes !== undefined ? Number(values.spokes) : workloads.some((w) => w.name === 'many-clusters') ? suiteSpokes(smoke) : 0;
  if (!Number.isInteger(spokes) || spokes < 0 || spokes > 100_000) throw new Error(`--spokes must be 0..100000, got ${values.spokes}`);
  const result = await runSuite({
    workloads, kubeconfig: values.kubeconfig, context: values.context, spokes, duration, connections, smoke, only,
    cpuProf: values['cpu-prof'], out: resolve(values.out),
  });
  if (result.workloads.some((w) => w.error)) process.exitCode = 1;
}

runMain(main);
