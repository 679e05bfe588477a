// kemu's own small admin API (not a Kubernetes API): virtual clusters and injected faults.
//   GET    /kemu/v1/clusters          -> {"items":[{"name":"hub","creationTimestamp":…},…]}
//   POST   /kemu/v1/clusters {"name"} -> 201 with the cluster
//   DELETE /kemu/v1/clusters/<name>   -> 200 with the cluster
//   GET    /kemu/v1/clusters/<name>/controllers      -> {"controllers":[…]} running there
//   PUT    /kemu/v1/clusters/<name>/controllers {"controllers": "*,-scheduler"} -> the new set
//   GET    /kemu/v1/faults            -> {"rules":[…]} in force
//   PUT    /kemu/v1/faults {"rules"}  -> 200 with the rules now in force (model/faults/rules.ts)
import type { Clusters } from '../model/clusters.js';
import type { ControllerSwitches } from '../model/lifecycle/switches.js';
import type { FaultInjector } from '../model/faults/injector.js';
import { parseFaultRules } from '../model/faults/parse.js';
import { isPlainObject } from '../model/object.js';
import { badRequest, forbidden, isStatus, Status } from '../model/status.js';
import type { UserInfo } from '../model/user.js';
import type { HttpAnswer } from './http-answer.js';

export const ADMIN_PREFIX = '/kemu/v1/clusters';
const FAULTS_PATH = '/kemu/v1/faults';
const ADMIN_GROUP = 'system:masters';

export type AdminAnswer = HttpAnswer | Status;

function json(statusCode: number, v: unknown): HttpAnswer {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(v)) };
}

export interface AdminTargets {
  readonly clusters: Clusters;
  readonly faults: FaultInjector;
  readonly switches: ControllerSwitches;
}

const CONTROLLERS_SUFFIX = '/controllers';

export async function serveAdmin({ clusters, faults, switches }: AdminTargets, method: string, path: string, user: UserInfo, body: unknown): Promise<AdminAnswer | undefined> {
  if (path === FAULTS_PATH) {
    if (!user.groups.includes(ADMIN_GROUP)) return forbidden({ group: 'kemu', resource: 'faults' }, '', `User "${user.name}" cannot manage faults`);
    if (method === 'GET') return json(200, { rules: faults.getRules() });
    if (method === 'PUT') {
      const rules = parseFaultRules(body, 'PUT /kemu/v1/faults');
      if (isStatus(rules)) return rules;
      faults.setRules(rules);
      return json(200, { rules: faults.getRules() });
    }
    return new Status(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
  }
  if (path !== ADMIN_PREFIX && !path.startsWith(`${ADMIN_PREFIX}/`)) return undefined;
  if (!user.groups.includes(ADMIN_GROUP)) {
    return forbidden({ group: 'kemu', resource: 'clusters' }, '', `User "${user.name}" cannot manage clusters`);
  }
  const name = path.slice(ADMIN_PREFIX.length + 1);
  if (name.endsWith(CONTROLLERS_SUFFIX)) {
    const cluster = name.slice(0, -CONTROLLERS_SUFFIX.length);
    if (!clusters.has(cluster)) return new Status(404, 'NotFound', `clusters "${cluster}" not found`, { name: cluster, group: 'kemu', kind: 'clusters' });
    if (method === 'PUT') {
      const spec = isPlainObject(body) ? body.controllers : undefined;
      if (typeof spec !== 'string') return badRequest('the body must be {"controllers": "<--controllers spec>"}');
      const bad = switches.set(cluster, spec);
      if (bad) return badRequest(bad);
    } else if (method !== 'GET') {
      return new Status(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
    }
    return json(200, { controllers: switches.list(cluster) });
  }
  if (!name) {
    if (method === 'GET') return json(200, { items: clusters.list() });
    if (method === 'POST') {
      const n = isPlainObject(body) ? body.name : undefined;
      if (typeof n !== 'string') return badRequest('the body must be {"name": "<cluster>"}');
      const added = await clusters.add(n);
      return isStatus(added) ? added : json(201, added);
    }
  } else if (method === 'DELETE') {
    const removed = await clusters.remove(name);
    return isStatus(removed) ? removed : json(200, removed);
  } else if (method === 'GET') {
    const found = clusters.list().find((c) => c.name === name);
    return found ? json(200, found) : new Status(404, 'NotFound', `clusters "${name}" not found`, { name, group: 'kemu', kind: 'clusters' });
  }
  return new Status(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
}
