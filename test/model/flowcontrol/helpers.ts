// A virtual clock and request builders for the flow-control tests.
import type { Clock, TimerHandle } from '../../../model/clock.js';
import type { Admission, FlowSchema, PriorityLevelConfiguration, RequestDigest } from '../../../model/flowcontrol/types.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** Time moves only when a test says so; timers fire in time order, then by creation order. */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { id: timer };
  }

  clearTimeout(h: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== h.id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Fires every timer due up to `now + ms`, letting promise continuations run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = this.nextTimer();
      if (next === undefined || next.at > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}

/** Lets pending promise continuations run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export const AUTHENTICATED = 'system:authenticated';

export function user(name: string, ...groups: string[]): RequestDigest['user'] {
  return { name, groups: [...groups, AUTHENTICATED] };
}

export function resourceRequest(u: RequestDigest['user'], verb: string, resource: string, options: Partial<RequestDigest> = {}): RequestDigest {
  return {
    user: u, verb, apiGroup: '', resource, subresource: '', namespace: 'default', name: '', isResourceRequest: true,
    path: `/api/v1/namespaces/default/${resource}`, cluster: 'hub', ...options,
  };
}

export function nonResourceRequest(u: RequestDigest['user'], verb: string, path: string): RequestDigest {
  return { user: u, verb, apiGroup: '', resource: '', subresource: '', namespace: '', name: '', isResourceRequest: false, path, cluster: 'hub' };
}

/** A Limited level with queuing (or, with queues 0, rejecting over its limit). */
export function level(name: string, shares: number, queuing: { queues: number; handSize: number; queueLengthLimit: number } | undefined,
  limits: { lendablePercent?: number; borrowingLimitPercent?: number } = {}): PriorityLevelConfiguration {
  return {
    metadata: { name, uid: `uid-pl-${name}` },
    spec: {
      type: 'Limited',
      limited: {
        nominalConcurrencyShares: shares,
        limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' },
        lendablePercent: limits.lendablePercent ?? 0,
        ...(limits.borrowingLimitPercent !== undefined ? { borrowingLimitPercent: limits.borrowingLimitPercent } : {}),
      },
    },
  };
}

/** A schema sending every request of the given users to `priorityLevel`, one flow per user. */
export function schemaForUsers(name: string, priorityLevel: string, precedence: number, users: readonly string[]): FlowSchema {
  return {
    metadata: { name, uid: `uid-fs-${name}` },
    spec: {
      priorityLevelConfiguration: { name: priorityLevel },
      matchingPrecedence: precedence,
      distinguisherMethod: { type: 'ByUser' },
      rules: [{
        subjects: users.map((u) => ({ kind: 'User' as const, user: { name: u } })),
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      }],
    },
  };
}

/** Resolves an admission whether or not it waited. */
export async function admitted(a: Admission | Promise<Admission>): Promise<Admission> {
  return a;
}
