// The classic max-in-flight filter kube-apiserver uses with --enable-priority-and-fairness=false
// (staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go): separate limits for
// read-only and mutating requests, no queueing, long-running requests exempt, system:masters
// served even over the limit, and a fixed Retry-After of 1 second.
import type { Clock } from '../clock.js';
import { InflightCounts, isLongRunning, isReadOnly, type RequestKind } from './inflight.js';
import { tooManyRequests, UNLIMITED } from './too-many-requests.js';
import type { Admission, Admitted, RequestDigest } from './types.js';

/** kube-apiserver defaults of --max-requests-inflight and --max-mutating-requests-inflight. */
export const DEFAULT_MAX_REQUESTS_INFLIGHT = 400;
export const DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT = 200;
/** maxinflight.go retryAfter. */
const RETRY_AFTER_SECONDS = 1;
/** user.SystemPrivilegedGroup: always answered, it may be the loopback client or an admin. */
const SYSTEM_PRIVILEGED_GROUP = 'system:masters';

export interface MaxInFlightOptions {
  readonly clock: Clock;
  /** 0 disables the read-only limit. */
  readonly maxRequestsInflight?: number;
  /** 0 disables the mutating limit. */
  readonly maxMutatingRequestsInflight?: number;
}

class Slot implements Admitted {
  readonly admitted = true as const;
  readonly flowSchema = undefined;
  readonly priorityLevel = undefined;
  private held = true;

  constructor(private readonly limiter: MaxInFlightLimiter, private readonly kind: RequestKind) {}

  finish(): void {
    if (!this.held) return;
    this.held = false;
    this.limiter.release(this.kind);
  }
}

/** 429s of this filter by request, for apiserver_request_terminations_total. */
export interface Termination {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  count: number;
}

export class MaxInFlightLimiter {
  readonly inflight: InflightCounts;
  private readonly terminated = new Map<string, Termination>();
  private readonly clock: Clock;
  private readonly limits: Record<RequestKind, number>;

  constructor(options: MaxInFlightOptions) {
    this.clock = options.clock;
    this.inflight = new InflightCounts(this.clock.now());
    this.limits = {
      readOnly: options.maxRequestsInflight ?? DEFAULT_MAX_REQUESTS_INFLIGHT,
      mutating: options.maxMutatingRequestsInflight ?? DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT,
    };
  }

  begin(rd: RequestDigest): Admission {
    if (isLongRunning(rd)) return UNLIMITED;
    const kind: RequestKind = isReadOnly(rd.verb) ? 'readOnly' : 'mutating';
    const limit = this.limits[kind];
    if (limit === 0) return UNLIMITED;
    if (this.inflight.executing[kind] < limit) {
      this.inflight.addExecuting(kind, 1, this.clock.now());
      return new Slot(this, kind);
    }
    if (rd.user.groups.includes(SYSTEM_PRIVILEGED_GROUP)) return UNLIMITED;
    this.recordTermination(rd);
    return {
      admitted: false, reason: 'max-in-flight', retryAfterSeconds: RETRY_AFTER_SECONDS,
      status: tooManyRequests(RETRY_AFTER_SECONDS), flowSchema: undefined, priorityLevel: undefined,
    };
  }

  terminations(): Iterable<Termination> {
    return this.terminated.values();
  }

  // WithMaxInFlightLimit counts each 429 it writes with metrics.RecordRequestTermination.
  private recordTermination(rd: RequestDigest): void {
    const key = `${rd.verb}\n${rd.apiGroup}\n${rd.resource}\n${rd.subresource}`;
    const t = this.terminated.get(key);
    if (t) t.count++;
    else this.terminated.set(key, { verb: rd.verb, group: rd.apiGroup, resource: rd.resource, subresource: rd.subresource, count: 1 });
  }

  release(kind: RequestKind): void {
    this.inflight.addExecuting(kind, -1, this.clock.now());
  }
}
