// The failures a fault rule can answer with, each exactly as kube-apiserver 1.32 writes it.

import { conflict, OPTIMISTIC_LOCK_MESSAGE, Status, type GroupResource } from '../status.js';

/**
 * The APF and max-in-flight filters' rejection (server/filters/maxinflight.go tooManyRequests).
 * Those filters write this message as text/plain with a Retry-After header; as a Status it is
 * apierrors.NewTooManyRequests, which carries the same seconds in details.
 */
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

export function tooManyRequests(retryAfterSeconds: number): Status {
  return new Status(429, 'TooManyRequests', TOO_MANY_REQUESTS_MESSAGE, { retryAfterSeconds });
}

/**
 * A non-long-running request that outlives its deadline: the finisher's
 * NewTimeoutError("request did not complete within requested timeout - context deadline
 * exceeded", 0), whose details are present but empty.
 */
export function gatewayTimeout(): Status {
  return new Status(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {});
}

/**
 * The 503 kube-apiserver sends while it drains for shutdown (server/filters/waitgroup.go
 * WithWaitGroup), with `Retry-After: 1` so clients retry at once, likely on another instance.
 */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

export function serviceUnavailable(): Status {
  return new Status(503, 'ServiceUnavailable', 'apiserver is shutting down');
}

/** An optimistic-lock failure on update or patch (registry/generic/registry/store.go). */
export function optimisticLockConflict(gr: GroupResource, name: string): Status {
  return conflict(gr, name, OPTIMISTIC_LOCK_MESSAGE);
}

/**
 * etcd's NOSPACE alarm rejects every write that adds data. The etcd client error is not a
 * metav1.Status, so responsewriters.ErrorToAPIStatus passes it on as a 500 with no reason and
 * the etcd text as the message (kubernetes/kubernetes#94029 logs resp=500 for such PATCHes).
 */
const DATABASE_SPACE_EXCEEDED_MESSAGE = 'etcdserver: mvcc: database space exceeded';

export function databaseSpaceExceeded(): Status {
  return new Status(500, '', DATABASE_SPACE_EXCEEDED_MESSAGE);
}

/**
 * A watch whose resourceVersion was compacted away (storage/etcd3 interpretWatchError), sent
 * as an ERROR event; client-go reflectors relist on it. `Gone` is the reason older servers used.
 */
export function watchExpired(reason: 'Expired' | 'Gone'): Status {
  return new Status(410, reason, 'The resourceVersion for the provided watch is too old.');
}
