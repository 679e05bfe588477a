// Every default of kemu, in one frozen place. Each carries where its number comes from.

export const DEFAULTS = Object.freeze({
  /** kube-apiserver's --secure-port default. */
  port: 6443,
  host: '127.0.0.1',
  dataDir: '.kemu/data',
  kubeconfig: '.kemu/kubeconfig',
  /** `npm start`'s embedded default: a hub and three spokes. */
  spokes: 3,
  /** AS/pkg/endpoints/handlers/rest.go: 3 MiB request bodies. */
  maxRequestBodyBytes: 3 * 1024 * 1024,
  /**
   * Events kept per (cluster, resource) for resuming watches. The real cacher keeps 100 to
   * 102400 depending on traffic (storage/cacher/watch_cache.go); kemu keeps a fixed window so
   * memory stays bounded with thousands of clusters.
   */
  watchWindow: 1024,
  /** Bytes a watcher may leave unread before its watch is ended, as the cacher ends slow watchers. */
  watchMaxBufferedBytes: 8 * 1024 * 1024,
  /** cacher's bookmark frequency: about once a minute (storage/cacher/cacher.go). */
  bookmarkIntervalMs: 60_000,
  /**
   * Read snapshots held for paged lists (limit/continue). etcd keeps revisions until its
   * 5-minute compaction; kemu holds an LMDB read transaction per paged list for this long after
   * its last page, and at most this many at once, because held transactions keep LMDB from
   * reusing freed pages.
   */
  listSnapshotTtlMs: 60_000,
  listSnapshots: 64,
  /** A list or watch at a future resourceVersion waits this long, then 504 (cacher.go). */
  futureResourceVersionWaitMs: 3_000,
  /** kube-apiserver --enable-priority-and-fairness (on since 1.20). */
  enablePriorityAndFairness: true,
  /** kube-apiserver --max-requests-inflight and --max-mutating-requests-inflight defaults. */
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  /** kube-apiserver --request-timeout: a request's deadline, of which APF lets it queue a quarter. */
  requestTimeoutMs: 60_000,
  /** `--controllers`: every simulated controller. */
  controllers: '*',
  /** Fake Nodes: three in the hub, none in spokes (issue 7's default). */
  hubNodes: 3,
  spokeNodes: 0,
  /** fixtures/capacity-profiles/none.json: answer as fast as possible. */
  capacityProfile: 'none',
});
