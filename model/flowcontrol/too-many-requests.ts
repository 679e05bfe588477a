// What both flow-control filters answer when they turn a request away, and the admission of
// requests they let through unclassified.
import { Status } from '../status.js';
import type { Admitted } from './types.js';

/**
 * server/filters: tooManyRequests writes this with http.Error, so on the wire it is a
 * text/plain body (this text plus a newline, X-Content-Type-Options: nosniff), not a JSON
 * metav1.Status, along with `Retry-After`.
 */
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

/** The rejection as a Status value, for callers that carry failures that way. */
export function tooManyRequests(retryAfterSeconds: number): Status {
  return new Status(429, 'TooManyRequests', TOO_MANY_REQUESTS_MESSAGE, { retryAfterSeconds });
}

/** Admission of a request no filter holds a seat for (long-running requests). */
export const UNLIMITED: Admitted = Object.freeze({
  admitted: true as const,
  flowSchema: undefined,
  priorityLevel: undefined,
  finish(): void { /* nothing was taken */ },
});
