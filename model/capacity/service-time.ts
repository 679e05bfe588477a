// How long a request holds its flow-control seat under a capacity profile. The server waits
// this long (on its Clock) before answering, so at the same offered load kemu shows the
// in-flight counts, queueing and 429s a real control plane would.

import type { Rng } from '../rng.js';
import type { CapacityProfile, CapacityVerb } from './profile.js';

export interface ServiceRequest {
  readonly verb: CapacityVerb;
  /** Objects scanned (list, watch initialization), deleted (deletecollection), else 1. */
  readonly objectCount: number;
  /** Payload bytes: the request body for writes, the response body for reads. */
  readonly bytes: number;
  readonly cluster: string;
}

const KIB = 1024;

/** The profile's mean for this request, before jitter. */
export function meanServiceTimeMs(profile: CapacityProfile, req: ServiceRequest): number {
  const cost = profile.verbs[req.verb];
  const mean = cost.baseMs + cost.perObjectMs * req.objectCount + (cost.perKiBMs * req.bytes) / KIB;
  // hasOwn: cluster names such as "constructor" must not reach Object.prototype.
  return Object.hasOwn(profile.clusters, req.cluster) ? mean * profile.clusters[req.cluster] : mean;
}

/**
 * A standard normal draw (Box-Muller). `1 - next()` lies in (0, 1], so the logarithm is finite.
 */
function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Modeled service time in milliseconds: the mean times a log-normal factor whose mean is 1
 * (exp(sigma*z - sigma^2/2)), since measured request latencies are right-skewed. Draws from
 * `rng` only when there is jitter to draw, so a `none` profile consumes no randomness.
 */
export function serviceTimeMs(profile: CapacityProfile, req: ServiceRequest, rng: Rng): number {
  const mean = meanServiceTimeMs(profile, req);
  const sigma = profile.jitterSigma;
  if (mean === 0 || sigma === 0) return mean;
  return mean * Math.exp(sigma * standardNormal(rng) - (sigma * sigma) / 2);
}
