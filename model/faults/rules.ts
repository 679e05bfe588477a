// Fault rules: the schema. A rules document is `{rules: [...]}` in JSON or YAML, the same
// shape at start (a file) and at run time (the admin API); parse.ts validates it. Rules are
// tried in order and the first that matches wins; see injector.ts.
//
//   rules:
//   - name: slow-pod-lists
//     match: {verbs: [list], resources: [pods], userAgent: {substring: kubectl}}
//     probability: 0.5
//     action: {type: latency, minMs: 200, maxMs: 800}
//   - name: etcd-full
//     match: {clusters: [spoke-1]}
//     action: {type: databaseSpaceExceeded}

export const FAULT_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export type FaultVerb = (typeof FAULT_VERBS)[number];

export type UserAgentMatch = { readonly substring: string } | { readonly regex: string };

/** Every selector present must match; within a list any entry may. An absent selector matches all. */
export interface FaultMatch {
  readonly clusters?: readonly string[];
  readonly verbs?: readonly FaultVerb[];
  /** `resource` for the core group, `resource.group` otherwise: `pods`, `deployments.apps`. */
  readonly resources?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly userAgent?: UserAgentMatch;
}

/** Error actions may wait before answering, as a real failure often comes after a while. */
interface Delayed {
  readonly afterMs?: number;
}

export type FaultAction =
  | { readonly type: 'latency'; readonly ms: number }
  | { readonly type: 'latency'; readonly minMs: number; readonly maxMs: number }
  | (Delayed & { readonly type: 'tooManyRequests'; readonly retryAfterSeconds: number })
  | (Delayed & { readonly type: 'internalError'; readonly cause?: string })
  | (Delayed & { readonly type: 'serviceUnavailable' | 'timeout' | 'conflict' | 'databaseSpaceExceeded' })
  | { readonly type: 'cutWatch'; readonly afterEvents: number }
  | { readonly type: 'expireWatch'; readonly afterEvents: number; readonly reason: 'Expired' | 'Gone' };

export type FaultActionType = FaultAction['type'];

export interface FaultRule {
  readonly name: string;
  readonly match: FaultMatch;
  /** Chance the rule fires on a request its selectors match; 1 unless given. */
  readonly probability: number;
  readonly action: FaultAction;
}

const ALL_VERBS: readonly FaultVerb[] = FAULT_VERBS;
const SHORT_VERBS: readonly FaultVerb[] = FAULT_VERBS.filter((v) => v !== 'watch');

/**
 * The verbs each action can happen to on a real server; a rule applies only to these, whatever
 * its verbs selector says. Watches are long-running: the timeout and shutdown filters leave
 * them alone. Conflicts come from optimistic concurrency on update and patch. A full etcd
 * rejects writes that add data but still lets delete-only transactions through
 * (etcd quota.go, BackendQuota.Available: a request of cost 0 always passes).
 */
export const ACTION_VERBS: Readonly<Record<FaultActionType, readonly FaultVerb[]>> = {
  latency: ALL_VERBS,
  tooManyRequests: ALL_VERBS,
  internalError: ALL_VERBS,
  serviceUnavailable: SHORT_VERBS,
  timeout: SHORT_VERBS,
  conflict: ['update', 'patch'],
  databaseSpaceExceeded: ['create', 'update', 'patch'],
  cutWatch: ['watch'],
  expireWatch: ['watch'],
};

export const ACTION_TYPES = Object.keys(ACTION_VERBS) as FaultActionType[];
