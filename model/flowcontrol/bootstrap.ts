// kube-apiserver 1.32's bootstrap API Priority and Fairness configuration: the mandatory and
// suggested FlowSchema and PriorityLevelConfiguration objects of
// staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go (unchanged from 1.29,
// when the objects moved to flowcontrol/v1, through 1.32). Objects carry no uid or
// resourceVersion: the caller stores them. Key order follows the Go structs, so stored bytes
// look like a real server's.
import {
  AUTO_UPDATE_ANNOTATION, FLOWCONTROL_API_VERSION, NON_RESOURCE_ALL, WILDCARD,
  type FlowDistinguisherMethodType, type FlowSchema, type LimitedPriorityLevelConfiguration,
  type NonResourcePolicyRule, type PolicyRulesWithSubjects, type PriorityLevelConfiguration,
  type ResourcePolicyRule, type Subject,
} from './types.js';

// k8s.io/apiserver/pkg/authentication/user and .../serviceaccount.
const SYSTEM_PRIVILEGED_GROUP = 'system:masters';
const ALL_UNAUTHENTICATED = 'system:unauthenticated';
const ALL_AUTHENTICATED = 'system:authenticated';
const NODES_GROUP = 'system:nodes';
const KUBE_CONTROLLER_MANAGER = 'system:kube-controller-manager';
const KUBE_SCHEDULER = 'system:kube-scheduler';
const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

function meta(name: string): { name: string; annotations: Record<string, string> } {
  return { name, annotations: { [AUTO_UPDATE_ANNOTATION]: 'true' } };
}

function limited(name: string, spec: LimitedPriorityLevelConfiguration): PriorityLevelConfiguration {
  return { apiVersion: FLOWCONTROL_API_VERSION, kind: 'PriorityLevelConfiguration', metadata: meta(name), spec: { type: 'Limited', limited: spec } };
}

function queued(shares: number, lendablePercent: number, queues: number, handSize: number): LimitedPriorityLevelConfiguration {
  return {
    nominalConcurrencyShares: shares,
    limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit: 50 } },
    lendablePercent,
  };
}

function flowSchema(name: string, priorityLevel: string, matchingPrecedence: number,
  distinguisher: FlowDistinguisherMethodType | undefined, rule: PolicyRulesWithSubjects): FlowSchema {
  return {
    apiVersion: FLOWCONTROL_API_VERSION, kind: 'FlowSchema', metadata: meta(name),
    spec: {
      priorityLevelConfiguration: { name: priorityLevel },
      matchingPrecedence,
      ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules: [rule],
    },
  };
}

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemServiceAccounts = (...names: string[]): Subject[] =>
  names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));

function resourceRule(verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean): ResourcePolicyRule {
  return { verbs, apiGroups, resources, ...(clusterScope ? { clusterScope } : {}), namespaces };
}

const nonResourceRule = (verbs: string[], nonResourceURLs: string[]): NonResourcePolicyRule => ({ verbs, nonResourceURLs });

/** Everything: every verb, group, resource, namespace, cluster-scoped object and path. */
function everything(subjects: Subject[]): PolicyRulesWithSubjects {
  return {
    subjects,
    resourceRules: [resourceRule([WILDCARD], [WILDCARD], [WILDCARD], [WILDCARD], true)],
    nonResourceRules: [nonResourceRule([WILDCARD], [NON_RESOURCE_ALL])],
  };
}

const LEADER_ELECTION_VERBS = ['get', 'create', 'update'];

export const MANDATORY_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = deepFreeze([
  limited('catch-all', { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' }, lendablePercent: 0 }),
  {
    apiVersion: FLOWCONTROL_API_VERSION, kind: 'PriorityLevelConfiguration', metadata: meta('exempt'),
    spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
  },
]);

export const MANDATORY_FLOW_SCHEMAS: readonly FlowSchema[] = deepFreeze([
  flowSchema('exempt', 'exempt', 1, undefined, everything(groups(SYSTEM_PRIVILEGED_GROUP))),
  flowSchema('catch-all', 'catch-all', 10000, 'ByUser', everything(groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED))),
]);

export const SUGGESTED_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = deepFreeze([
  limited('system', queued(30, 33, 64, 6)),
  limited('node-high', queued(40, 25, 64, 6)),
  limited('leader-election', queued(10, 0, 16, 4)),
  limited('workload-high', queued(40, 50, 128, 6)),
  limited('workload-low', queued(100, 90, 128, 6)),
  limited('global-default', queued(20, 50, 128, 6)),
]);

export const SUGGESTED_FLOW_SCHEMAS: readonly FlowSchema[] = deepFreeze([
  flowSchema('system-nodes', 'system', 500, 'ByUser', everything(groups(NODES_GROUP))),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groups(NODES_GROUP),
    resourceRules: [
      resourceRule([WILDCARD], [''], ['nodes', 'nodes/status'], [WILDCARD], true),
      resourceRule([WILDCARD], ['coordination.k8s.io'], ['leases'], [WILDCARD], false),
    ],
  }),
  flowSchema('probes', 'exempt', 2, undefined, {
    subjects: groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED),
    nonResourceRules: [nonResourceRule(['get'], ['/healthz', '/readyz', '/livez'])],
  }),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...users(KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER), ...kubeSystemServiceAccounts(WILDCARD)],
    resourceRules: [resourceRule(LEADER_ELECTION_VERBS, ['coordination.k8s.io'], ['leases'], [WILDCARD], false)],
  }),
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', {
    subjects: kubeSystemServiceAccounts(WILDCARD),
    resourceRules: [
      resourceRule(LEADER_ELECTION_VERBS, [''], ['endpoints', 'configmaps'], [WILDCARD], false),
      resourceRule(LEADER_ELECTION_VERBS, ['coordination.k8s.io'], ['leases'], [WILDCARD], false),
    ],
  }),
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', {
    subjects: [...users(KUBE_CONTROLLER_MANAGER), ...kubeSystemServiceAccounts('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [resourceRule(LEADER_ELECTION_VERBS, [''], ['endpoints'], [WILDCARD], false)],
  }),
  flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', everything(users(KUBE_CONTROLLER_MANAGER))),
  flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', everything(users(KUBE_SCHEDULER))),
  flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', everything(kubeSystemServiceAccounts(WILDCARD))),
  flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', everything(groups(ALL_SERVICE_ACCOUNTS_GROUP))),
  flowSchema('global-default', 'global-default', 9900, 'ByUser', everything(groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED))),
]);

/** All bootstrap objects, mandatory first, in upstream's list order. */
export function bootstrapConfiguration(): { flowSchemas: readonly FlowSchema[]; priorityLevels: readonly PriorityLevelConfiguration[] } {
  return {
    flowSchemas: [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS],
    priorityLevels: [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS],
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
