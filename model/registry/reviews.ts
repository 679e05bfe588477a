// Resources that are never stored: the review APIs answer a question about the caller and echo
// it back (pkg/registry/authentication/selfsubjectreview, pkg/registry/authorization/*). kemu
// authorizes every authenticated user for everything, so access reviews always allow.
import type { ResourceType } from '../catalog.js';
import { isPlainObject, type KubeObject } from '../object.js';
import { badRequest, type Status } from '../status.js';
import type { UserInfo } from '../user.js';

const ALLOW_REASON = 'kemu authorizes every authenticated user';

/** Answers a create on a review resource, or undefined when `rt` is not one kemu answers. */
export function review(rt: ResourceType, body: unknown, user: UserInfo, tokenUser: (token: string) => UserInfo | undefined): KubeObject | Status | undefined {
  const key = `${rt.group}/${rt.resource}`;
  if (!ANSWERED.has(key)) return undefined;
  if (!isPlainObject(body)) return badRequest('the body of the request was not a JSON object');
  const meta = isPlainObject(body.metadata) ? body.metadata : {};
  const out: KubeObject = {
    kind: rt.kind,
    apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version,
    metadata: { ...meta, creationTimestamp: null },
  };
  if (body.spec !== undefined) out.spec = body.spec;
  switch (key) {
    case 'authentication.k8s.io/selfsubjectreviews':
      out.status = { userInfo: { username: user.name, uid: user.uid, groups: user.groups } };
      break;
    case 'authentication.k8s.io/tokenreviews': {
      const token = isPlainObject(body.spec) && typeof body.spec.token === 'string' ? body.spec.token : '';
      const u = tokenUser(token);
      out.status = u
        ? { authenticated: true, user: { username: u.name, uid: u.uid, groups: u.groups }, audiences: [] }
        : { user: {}, error: 'invalid bearer token' };
      break;
    }
    case 'authorization.k8s.io/selfsubjectrulesreviews':
      out.status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
      break;
    default:
      out.status = { allowed: true, reason: ALLOW_REASON };
  }
  return out;
}

const ANSWERED = new Set([
  'authentication.k8s.io/selfsubjectreviews',
  'authentication.k8s.io/tokenreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
]);
