// Watch fan-out: how many events per second can kemu push to many watchers of one collection?
// The suite's watch workload (bench/workloads/watch.ts: W watchers in client processes, a writer
// creating E 1 KB ConfigMaps, every event checked, send-to-delivery lag) against an embedded kemu.
//   npx tsx bench/watch-fanout.ts [--watchers 1000] [--events 2000] [--clients 1]
//                                 [--concurrency 32] [--rate 0] [--timeout 240] [--cpu-prof]
// Goal (issue): >= 200,000 events/s delivered to 1,000 watchers on a 2-core machine. The suite
// runs 1, 100 and 1,000 watchers: npm run bench -- --only watch.
import { parseArgs } from 'node:util';
import { runMain } from './common.js';
import { intOption, runSingle } from './suite.js';
import { watch } from './workloads/watch.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      watchers: { type: 'string', default: '1000' },
      events: { type: 'string', default: '2000' },
      clients: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '32' },
      rate: { type: 'string', default: '0' },
      timeout: { type: 'string', default: '240' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const watchers = intOption(values, 'watchers', 1, 20_000);
  await runSingle(watch({
    name: 'watch-fanout', watchers, events: intOption(values, 'events', 1, 1_000_000), clients: intOption(values, 'clients', 1, 16),
    concurrency: intOption(values, 'concurrency', 1, 256), rate: intOption(values, 'rate', 0, 1_000_000),
    timeoutSeconds: intOption(values, 'timeout', 1, 3600), goalPerSec: watchers === 1000 ? 200_000 : undefined,
  }), 'watch-fanout', { duration: 1 /* unused: the watch workload counts events, not time */, cpuProf: values['cpu-prof'] });
}

runMain(main);
