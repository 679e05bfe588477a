// How many seats a request occupies, and for how long after it finishes: kube-apiserver's
// WorkEstimator (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request/{width,config,
// list_work_estimator,mutating_work_estimator}.go).
import type { RequestDigest } from './types.js';

/** request/config.go DefaultWorkEstimatorConfig. */
const WORK_ESTIMATOR = Object.freeze({
  minimumSeats: 1,
  maximumSeatsLimit: 10,
  objectsPerSeat: 100,
  watchesPerSeat: 10,
  eventAdditionalDurationMs: 5,
});

export interface WorkEstimate {
  readonly initialSeats: number;
  readonly finalSeats: number;
  /** How long the final seats stay taken after the request finishes. */
  readonly additionalLatencyMs: number;
}

export interface WorkEstimatorHooks {
  /** Objects stored for a resource (the storage object count tracker); undefined when unknown. */
  readonly estimateObjectCount?: (cluster: string, group: string, resource: string) => number | undefined;
  /** Watchers interested in a mutation (the WatchTracker); 0 when not given. */
  readonly estimateWatchCount?: (request: RequestDigest) => number;
}

const ONE_SEAT: WorkEstimate = Object.freeze({ initialSeats: WORK_ESTIMATOR.minimumSeats, finalSeats: 0, additionalLatencyMs: 0 });

/**
 * `levelMaxSeats` is the level's max seats (apf_controller.go: max(1, min(ceil(0.15 nominalCL),
 * nominalCL/handSize)) for queuing levels, 0 otherwise); 0 or more than the limit means the limit.
 */
export function estimateWork(rd: RequestDigest, levelMaxSeats: number, hooks: WorkEstimatorHooks): WorkEstimate {
  switch (rd.verb) {
    // WatchList (beta, on by default in 1.32): a watch that streams initial events costs what
    // the list it replaces costs.
    case 'list': case 'watch':
      return estimateList(rd, maxSeatsFor(levelMaxSeats), hooks);
    case 'create': case 'update': case 'patch': case 'delete':
      return estimateMutating(rd, maxSeatsFor(levelMaxSeats), hooks);
    default:
      return ONE_SEAT;
  }
}

function maxSeatsFor(levelMaxSeats: number): number {
  return levelMaxSeats === 0 || levelMaxSeats > WORK_ESTIMATOR.maximumSeatsLimit ? WORK_ESTIMATOR.maximumSeatsLimit : levelMaxSeats;
}

function seats(n: number): WorkEstimate {
  return n === WORK_ESTIMATOR.minimumSeats ? ONE_SEAT : { initialSeats: n, finalSeats: 0, additionalLatencyMs: 0 };
}

function estimateList(rd: RequestDigest, maxSeats: number, hooks: WorkEstimatorHooks): WorkEstimate {
  // A list by metadata.name is served like a get.
  if (rd.name !== '') return ONE_SEAT;
  const opts = rd.listOptions ?? {};
  if (rd.verb === 'watch' && opts.sendInitialEvents !== true) return ONE_SEAT;
  const fromCache = rd.verb === 'watch' || !listsFromStorage(rd);
  const stored = hooks.estimateObjectCount?.(rd.cluster, rd.apiGroup, rd.resource);
  // An unknown count is most likely an aggregated resource whose cost is elsewhere.
  if (stored === undefined) return ONE_SEAT;
  const limit = opts.limit !== undefined && opts.limit > 0 && opts.limit < stored ? opts.limit : stored;
  let objects: number;
  if (fromCache) objects = stored;
  else if (opts.hasSelector) objects = stored + limit;
  else objects = 2 * limit;
  const n = Math.ceil(objects / WORK_ESTIMATOR.objectsPerSeat);
  return seats(Math.min(maxSeats, Math.max(WORK_ESTIMATOR.minimumSeats, n)));
}

/**
 * shouldListFromStorage with ConsistentListFromCache on (beta, default since 1.31): continuations,
 * limits not at resourceVersion "0", and Exact matches go to etcd; the rest the watch cache serves.
 */
function listsFromStorage(rd: RequestDigest): boolean {
  const opts = rd.listOptions ?? {};
  const rv = opts.resourceVersion ?? '';
  if (opts.continue) return true;
  if (opts.limit !== undefined && opts.limit > 0 && rv !== '0') return true;
  const match = opts.resourceVersionMatch ?? '';
  return match !== '' && match !== 'NotOlderThan';
}

function estimateMutating(rd: RequestDigest, maxSeats: number, hooks: WorkEstimatorHooks): WorkEstimate {
  // Creating a service account token produces no watch event.
  if (rd.resource === 'serviceaccounts' && rd.subresource === 'token') return ONE_SEAT;
  const watchers = hooks.estimateWatchCount?.(rd) ?? 0;
  if (watchers < WORK_ESTIMATOR.watchesPerSeat) return ONE_SEAT;
  // Each watcher is taken to cost 1/watchesPerSeat of a seat for eventAdditionalDuration; the
  // resulting rectangle may be reshaped narrower and longer to fit under maxSeats.
  const wanted = Math.ceil(watchers / WORK_ESTIMATOR.watchesPerSeat);
  const finalWork = wanted * WORK_ESTIMATOR.eventAdditionalDurationMs;
  const finalSeats = Math.min(wanted, maxSeats);
  return { initialSeats: 1, finalSeats, additionalLatencyMs: finalWork / finalSeats };
}
