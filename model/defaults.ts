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
});
