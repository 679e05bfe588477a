// How much memory do empty spoke clusters cost? The suite's memory-idle-clusters workload
// (bench/workloads/memory.ts: RSS before and after adding N clusters through the admin API)
// against an embedded kemu without spokes.
//   npx tsx bench/idle-clusters.ts [--clusters 1000]
// Target: <= 100 KB per idle cluster.
import { parseArgs } from 'node:util';
import { runMain } from './common.js';
import { intOption, runSingle } from './suite.js';
import { memoryIdleClusters } from './workloads/memory.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clusters: { type: 'string', default: '1000' } } });
  await runSingle(memoryIdleClusters(intOption(values, 'clusters', 1, 100_000)), 'idle-clusters', { duration: 10, cpuProf: false });
}

runMain(main);
