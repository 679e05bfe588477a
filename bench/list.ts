// How fast is a big LIST? The suite's list workload (bench/workloads/list.ts: full, paged and
// resourceVersion=0 LISTs of N 1 KB ConfigMaps, each object checked once) against an embedded kemu.
//   npx tsx bench/list.ts [--objects 60000] [--page 500] [--duration 10] [--cpu-prof]
// --cpu-prof profiles the server and prints its top self-time functions. The suite runs it at
// 100, 10,000 and 60,000 objects: npm run bench -- --only list.
import { parseArgs } from 'node:util';
import { runMain } from './common.js';
import { intOption, runSingle } from './suite.js';
import { list } from './workloads/list.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string', default: '60000' },
      page: { type: 'string', default: '500' },
      duration: { type: 'string', default: '10' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const objects = intOption(values, 'objects', 1, 1_000_000);
  const page = intOption(values, 'page', 1, 100_000);
  await runSingle(list({ name: 'list', objects, page, goalP50Ms: objects === 60_000 ? 300 : undefined }), 'list', {
    duration: intOption(values, 'duration', 1, 3600), cpuProf: values['cpu-prof'],
  });
}

runMain(main);
