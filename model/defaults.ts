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
  /** client-go rest/config.go DefaultQPS and DefaultBurst: a clientset's client-side rate limit. */
  clientQps: 5,
  clientBurst: 10,
  /** client-go rest/request.go NewRequest: maxRetries 10 for Retry-After answers. */
  clientMaxRetries: 10,
  /**
   * Sockets per origin of the load client. client-go keeps 25 idle connections per host
   * (apimachinery utilnet.SetTransportDefaults MaxIdleConnsPerHost) over HTTP/1.1.
   */
  clientConnections: 25,
  /** client-go tools/pager/pager.go defaultPageSize: a reflector's list pages. */
  listPageSize: 500,
  /** client-go tools/cache/reflector.go: watches last minWatchTimeout (5 min) times 1 to 2. */
  reflectorMinWatchTimeoutMs: 5 * 60_000,
  /** reflector.go's backoff between failed list/watch calls: 800 ms doubling to 30 s, reset after 2 min of health. */
  reflectorBackoffInitialMs: 800,
  reflectorBackoffMaxMs: 30_000,
  reflectorBackoffResetMs: 2 * 60_000,
  /**
   * client-go util/workqueue default_rate_limiters.go DefaultControllerRateLimiter: per-item
   * exponential backoff from 5 ms doubling to 1000 s, under an overall token bucket of 10 qps
   * with a burst of 100.
   */
  workqueueBaseDelayMs: 5,
  workqueueMaxDelayMs: 1_000_000,
  workqueueQps: 10,
  workqueueBurst: 100,
  /**
   * `--max-db-size`: the store file's hard limit. etcd's --quota-backend-bytes defaults to 2 GiB
   * and its documentation names 8 GiB as the suggested maximum; one kemu store holds every
   * cluster, so it takes the maximum.
   */
  maxDbSizeBytes: 8 * 1024 * 1024 * 1024,
  /** `--log-level`: pino level; info logs start, stop and errors, debug one line per request. */
  logLevel: 'info',
  /** AS/pkg/server/secure_serving.go: MaxHeaderBytes 1 << 20 (beyond: 431). */
  maxHeaderBytes: 1024 * 1024,
  /**
   * secure_serving.go: ReadHeaderTimeout 32 s ("just shy of requestTimeoutUpperBound"); Go bounds
   * the TLS handshake by the same read deadline.
   */
  readHeaderTimeoutMs: 32_000,
  /** secure_serving.go: IdleTimeout 90 s, matching http.DefaultTransport's keep-alive timeout. */
  idleTimeoutMs: 90_000,
  /**
   * How often Node looks for connections past their header or request deadline (its default is
   * 30 s, which would let a slow client overstay the 32 s header timeout by up to 30 s).
   */
  connectionsCheckIntervalMs: 1_000,
  /**
   * Containers a request body may nest. Go's encoding/json allows 10,000 (scanner.go
   * maxNestingDepth); kemu's object code recurses on V8's ~1 MB stack and was measured to fail
   * between 800 and 1,000 levels in its deepest path (YAML output), so it refuses bodies past 500
   * with the decoder's "exceeded max depth" error. Real objects nest a few dozen levels.
   */
  maxNestingDepth: 500,
  /**
   * A watch the server ended (a slow reader cut off, a timeout, shutdown) gets this long to
   * deliver what it has buffered before its connection is closed. kemu's own bound: Go's server
   * would hold a stalled connection's goroutine until TCP gives up, but kemu would hold up to
   * watchMaxBufferedBytes of it in memory.
   */
  watchDrainGraceMs: 10_000,
  /**
   * `--record`: audit lines waiting for the disk past which new ones are dropped and counted
   * (kemu's choice: at about 1 KiB a line, some 60,000 events, a few seconds of a heavy load).
   */
  recordMaxBufferedBytes: 64 * 1024 * 1024,
  /**
   * `kemu replay --concurrency`: requests in flight at once (kemu's choice: two per socket of
   * the load client's 25, enough to keep them busy; a paced replay that needs more falls behind
   * schedule, and the report says by how much).
   */
  replayConcurrency: 50,
});
