// The flowcontrol.apiserver.k8s.io/v1 shapes API Priority and Fairness reads, and the
// request/answer types of the flow controller. Field names and constants follow
// k8s.io/api/flowcontrol/v1/types.go.
import type { Status } from '../status.js';

export const FLOWCONTROL_API_VERSION = 'flowcontrol.apiserver.k8s.io/v1';
/** Marks objects the apiserver keeps in line with its bootstrap configuration. */
export const AUTO_UPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';

export const PRIORITY_LEVEL_EXEMPT = 'exempt';
export const PRIORITY_LEVEL_CATCH_ALL = 'catch-all';
export const FLOW_SCHEMA_EXEMPT = 'exempt';
export const FLOW_SCHEMA_CATCH_ALL = 'catch-all';

/** Wildcards of the v1 API (VerbAll, APIGroupAll, ResourceAll, NamespaceEvery, NameAll, NonResourceAll). */
export const WILDCARD = '*';
export const NON_RESOURCE_ALL = '*';

/** Response headers naming the matched objects by uid (ResponseHeaderMatched*UID). */
export const HEADER_FLOW_SCHEMA_UID = 'X-Kubernetes-PF-FlowSchema-UID';
export const HEADER_PRIORITY_LEVEL_UID = 'X-Kubernetes-PF-PriorityLevel-UID';

export interface ObjectMeta {
  readonly name: string;
  readonly uid?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Subject {
  readonly kind: 'User' | 'Group' | 'ServiceAccount';
  readonly user?: { readonly name: string };
  readonly group?: { readonly name: string };
  readonly serviceAccount?: { readonly namespace: string; readonly name: string };
}

export interface ResourcePolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly clusterScope?: boolean;
  readonly namespaces?: readonly string[];
}

export interface NonResourcePolicyRule {
  readonly verbs: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface PolicyRulesWithSubjects {
  readonly subjects: readonly Subject[];
  readonly resourceRules?: readonly ResourcePolicyRule[];
  readonly nonResourceRules?: readonly NonResourcePolicyRule[];
}

export type FlowDistinguisherMethodType = 'ByUser' | 'ByNamespace';

export interface FlowSchemaCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly lastTransitionTime?: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface FlowSchema {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly priorityLevelConfiguration: { readonly name: string };
    readonly matchingPrecedence?: number;
    readonly distinguisherMethod?: { readonly type: FlowDistinguisherMethodType };
    readonly rules?: readonly PolicyRulesWithSubjects[];
  };
  readonly status?: { readonly conditions?: readonly FlowSchemaCondition[] };
}

export interface QueuingConfiguration {
  readonly queues?: number;
  readonly handSize?: number;
  readonly queueLengthLimit?: number;
}

export interface LimitedPriorityLevelConfiguration {
  readonly nominalConcurrencyShares?: number;
  readonly limitResponse: { readonly type: 'Queue' | 'Reject'; readonly queuing?: QueuingConfiguration };
  readonly lendablePercent?: number;
  readonly borrowingLimitPercent?: number;
}

export interface PriorityLevelConfiguration {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly type: 'Exempt' | 'Limited';
    readonly limited?: LimitedPriorityLevelConfiguration;
    readonly exempt?: { readonly nominalConcurrencyShares?: number; readonly lendablePercent?: number };
  };
}

/** The list options that change a LIST's (or a streaming WATCH's) estimated width. */
export interface ListOptionsDigest {
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
  /** A label or field selector was given. */
  readonly hasSelector?: boolean;
  readonly sendInitialEvents?: boolean;
}

/** What flow control needs to know about a request (RequestDigest: RequestInfo + user.Info). */
export interface RequestDigest {
  readonly user: { readonly name: string; readonly groups: readonly string[] };
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly isResourceRequest: boolean;
  /** The kube path (without a `/clusters/<name>` prefix), for nonResourceURLs and long-running checks. */
  readonly path: string;
  readonly cluster: string;
  readonly listOptions?: ListOptionsDigest;
}

/** Name and uid of a matched object; the uid goes into the X-Kubernetes-PF-*-UID headers. */
export interface ObjectRef {
  readonly name: string;
  readonly uid: string;
}

export type RejectReason = 'queue-full' | 'concurrency-limit' | 'time-out';

export interface Admitted {
  readonly admitted: true;
  /** Absent when the request bypassed classification (long-running, or the max-in-flight filter). */
  readonly flowSchema: ObjectRef | undefined;
  readonly priorityLevel: ObjectRef | undefined;
  /** Ends the request's use of its seats (for a WATCH: once its initial events are sent). Idempotent. */
  finish(): void;
}

export interface Rejected {
  readonly admitted: false;
  /** APF's reason label; `max-in-flight` is the classic filter, which upstream gives no reason. */
  readonly reason: RejectReason | 'max-in-flight';
  readonly retryAfterSeconds: number;
  readonly status: Status;
  readonly flowSchema: ObjectRef | undefined;
  readonly priorityLevel: ObjectRef | undefined;
}

export type Admission = Admitted | Rejected;
