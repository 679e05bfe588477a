// The suite: every workload in the order it runs, at full size or at smoke size (tiny counts,
// for CI: checks that the suite runs and produces results, not how fast).
import { list } from './list.js';
import { manyClusters } from './many-clusters.js';
import { memoryIdleClusters, memoryObjects } from './memory.js';
import { mixed } from './mixed.js';
import { create, del, get, patchApply, patchMerge, update } from './rate.js';
import type { Workload } from './types.js';
import { watch } from './watch.js';

/** Spokes of the embedded kemu when many-clusters runs: the clusters it spreads over. */
export const suiteSpokes = (smoke: boolean) => (smoke ? 4 : 1000);

/**
 * Memory first, on a server that has done nothing else yet; then single-object requests, lists,
 * watches and the mixes.
 */
export function suite(smoke: boolean): Workload[] {
  const s = <T>(full: T, small: T) => (smoke ? small : full);
  return [
    memoryIdleClusters(s(1000, 4)),
    memoryObjects(s(50_000, 200)),
    get(),
    create(),
    update(s(1000, 20)),
    patchMerge(s(1000, 20)),
    patchApply(s(1000, 20)),
    del(),
    list({ name: 'list-100', objects: 100, page: s(500, 50) }),
    list({ name: 'list-10k', objects: s(10_000, 150), page: s(500, 50) }),
    list({ name: 'list-60k', objects: s(60_000, 300), page: s(500, 50), goalP50Ms: 300 }),
    watch({ name: 'watch-1', watchers: 1, events: s(20_000, 50) }),
    watch({ name: 'watch-100', watchers: s(100, 10), events: s(5000, 30) }),
    watch({ name: 'watch-1000', watchers: s(1000, 20), events: s(2000, 30), goalPerSec: 200_000 }),
    mixed({ objects: s(1000, 50), informers: 2, getsPerUpdate: 4 }),
    manyClusters(suiteSpokes(smoke)),
  ];
}
