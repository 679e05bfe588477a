// Matching a request against a FlowSchema's rules, as
// staging/src/k8s.io/apiserver/pkg/util/flowcontrol/rule.go does. Rules are compiled once per
// configuration into sets so classification on every request is a few lookups.
import {
  NON_RESOURCE_ALL, WILDCARD, type FlowSchema, type NonResourcePolicyRule, type RequestDigest,
  type ResourcePolicyRule, type Subject,
} from './types.js';

// k8s.io/apiserver/pkg/authentication/serviceaccount: system:serviceaccount:<namespace>:<name>.
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** `undefined` stands for the wildcard: the list was exactly ["*"]. */
type NameSet = ReadonlySet<string> | undefined;

interface CompiledResourceRule {
  readonly verbs: NameSet;
  readonly apiGroups: NameSet;
  readonly resources: NameSet;
  readonly clusterScope: boolean;
  readonly namespaces: NameSet;
}

interface CompiledNonResourceRule {
  readonly verbs: NameSet;
  /** Exact paths; a rule path always matches itself. */
  readonly paths: ReadonlySet<string>;
  /** `/prefix/` strings a path may start with (every rule path, `*` trimmed, `/` appended). */
  readonly prefixes: readonly string[];
  readonly all: boolean;
}

interface CompiledRule {
  readonly users: ReadonlySet<string>;
  readonly anyUser: boolean;
  readonly groups: ReadonlySet<string>;
  readonly anyGroup: boolean;
  /** Full service-account user names, and namespaces whose every service account matches. */
  readonly serviceAccounts: ReadonlySet<string>;
  readonly serviceAccountNamespaces: readonly string[];
  readonly resourceRules: readonly CompiledResourceRule[];
  readonly nonResourceRules: readonly CompiledNonResourceRule[];
}

export type CompiledRules = readonly CompiledRule[];

/** A list matches everything when it is exactly the wildcard (validation keeps `*` alone). */
function nameSet(list: readonly string[] | undefined, wildcard: string): NameSet {
  if (list && list.length === 1 && list[0] === wildcard) return undefined;
  return new Set(list ?? []);
}

function has(set: NameSet, x: string): boolean {
  return set === undefined || set.has(x);
}

function compileSubjects(subjects: readonly Subject[]): Omit<CompiledRule, 'resourceRules' | 'nonResourceRules'> {
  const users = new Set<string>();
  const groups = new Set<string>();
  const serviceAccounts = new Set<string>();
  const serviceAccountNamespaces: string[] = [];
  for (const s of subjects) {
    if (s.kind === 'User' && s.user) users.add(s.user.name);
    else if (s.kind === 'Group' && s.group) groups.add(s.group.name);
    else if (s.kind === 'ServiceAccount' && s.serviceAccount) {
      const { namespace, name } = s.serviceAccount;
      if (name === WILDCARD) serviceAccountNamespaces.push(`${SERVICE_ACCOUNT_PREFIX}${namespace}:`);
      else serviceAccounts.add(`${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`);
    }
  }
  return { users, anyUser: users.has(WILDCARD), groups, anyGroup: groups.has(WILDCARD), serviceAccounts, serviceAccountNamespaces };
}

function compileResourceRule(r: ResourcePolicyRule): CompiledResourceRule {
  return {
    verbs: nameSet(r.verbs, WILDCARD),
    apiGroups: nameSet(r.apiGroups, WILDCARD),
    resources: nameSet(r.resources, WILDCARD),
    clusterScope: r.clusterScope === true,
    namespaces: nameSet(r.namespaces, WILDCARD),
  };
}

function compileNonResourceRule(r: NonResourcePolicyRule): CompiledNonResourceRule {
  const prefixes: string[] = [];
  for (const p of r.nonResourceURLs) {
    // rule.go trims one trailing `*` and then requires a `/` boundary, so `/healthz` also
    // covers `/healthz/etcd`.
    const trimmed = p.endsWith('*') ? p.slice(0, -1) : p;
    prefixes.push(trimmed.endsWith('/') ? trimmed : `${trimmed}/`);
  }
  return {
    verbs: nameSet(r.verbs, WILDCARD),
    paths: new Set(r.nonResourceURLs),
    prefixes,
    all: r.nonResourceURLs.includes(NON_RESOURCE_ALL),
  };
}

export function compileRules(fs: FlowSchema): CompiledRules {
  return (fs.spec.rules ?? []).map((rule) => ({
    ...compileSubjects(rule.subjects ?? []),
    resourceRules: (rule.resourceRules ?? []).map(compileResourceRule),
    nonResourceRules: (rule.nonResourceRules ?? []).map(compileNonResourceRule),
  }));
}

function matchesSubject(rule: CompiledRule, rd: RequestDigest): boolean {
  const name = rd.user.name;
  if (rule.anyUser || rule.users.has(name)) return true;
  if (rule.anyGroup) return true;
  if (rule.groups.size > 0) {
    for (const g of rd.user.groups) if (rule.groups.has(g)) return true;
  }
  if (rule.serviceAccounts.has(name)) return true;
  for (const prefix of rule.serviceAccountNamespaces) if (name.startsWith(prefix)) return true;
  return false;
}

function matchesResource(r: CompiledResourceRule, rd: RequestDigest): boolean {
  if (!has(r.verbs, rd.verb)) return false;
  if (r.resources !== undefined) {
    const seek = rd.subresource ? `${rd.resource}/${rd.subresource}` : rd.resource;
    if (!r.resources.has(seek)) return false;
  }
  if (!has(r.apiGroups, rd.apiGroup)) return false;
  if (rd.namespace === '') return r.clusterScope;
  return has(r.namespaces, rd.namespace);
}

function matchesNonResource(r: CompiledNonResourceRule, rd: RequestDigest): boolean {
  if (!has(r.verbs, rd.verb)) return false;
  if (r.all || r.paths.has(rd.path)) return true;
  for (const prefix of r.prefixes) if (rd.path.startsWith(prefix)) return true;
  return false;
}

export function matchesFlowSchema(rules: CompiledRules, rd: RequestDigest): boolean {
  for (const rule of rules) {
    if (!matchesSubject(rule, rd)) continue;
    if (rd.isResourceRequest) {
      for (const r of rule.resourceRules) if (matchesResource(r, rd)) return true;
    } else {
      for (const r of rule.nonResourceRules) if (matchesNonResource(r, rd)) return true;
    }
  }
  return false;
}

/** FlowSchemaDefaultMatchingPrecedence (pkg/apis/flowcontrol/v1/defaults.go), for an undefaulted 0. */
const DEFAULT_MATCHING_PRECEDENCE = 1000;

/** Matching order (apihelpers.FlowSchemaSequence): ascending precedence, then name. */
export function compareFlowSchemas(a: FlowSchema, b: FlowSchema): number {
  const pa = a.spec.matchingPrecedence || DEFAULT_MATCHING_PRECEDENCE;
  const pb = b.spec.matchingPrecedence || DEFAULT_MATCHING_PRECEDENCE;
  if (pa !== pb) return pa - pb;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** computeFlowDistinguisher: the user's name, the namespace, or nothing. */
export function flowDistinguisher(fs: FlowSchema, rd: RequestDigest): string {
  switch (fs.spec.distinguisherMethod?.type) {
    case 'ByUser': return rd.user.name;
    case 'ByNamespace': return rd.namespace;
    default: return '';
  }
}
