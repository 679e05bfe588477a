// The simulated controllers write through the HTTP pipeline, as kube-controller-manager does
// against a real apiserver: fastify's inject runs the same route, authentication (each controller
// has a token of its own), flow control (service accounts in kube-system land in their own
// FlowSchema) and request metrics, without a socket.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ResourceType } from '../model/catalog.js';
import { HUB } from '../model/clusters.js';
import type { KubeObject } from '../model/object.js';
import { Status } from '../model/status.js';
import type { UserInfo } from '../model/user.js';
import { CONTROLLER_FIELD_MANAGER, type LifecycleWriter } from '../model/lifecycle/writer.js';

/** What kube-controller-manager sends as its User-Agent (client-go's default form). */
const USER_AGENT = 'kube-controller-manager/v1.32.13 (linux/amd64) kubernetes/kemu';

/** A bearer token per controller user, minted at start and never written anywhere. */
export function controllerTokens(users: readonly UserInfo[]): Map<string, UserInfo> {
  return new Map(users.map((u) => [randomBytes(24).toString('base64url'), u]));
}

function pathOf(cluster: string, rt: ResourceType, namespace: string, name: string, subresource: string): string {
  const prefix = cluster === HUB ? '' : `/clusters/${cluster}`;
  const gv = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced ? `/namespaces/${namespace}` : '';
  return `${prefix}${gv}${ns}/${rt.resource}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
}

export function pipelineWriter(app: FastifyInstance, tokens: ReadonlyMap<string, UserInfo>): LifecycleWriter {
  const tokenOf = new Map([...tokens].map(([t, u]) => [u.name, t]));
  const send = async (user: UserInfo, method: 'POST' | 'PUT' | 'DELETE', url: string, body: unknown): Promise<KubeObject | Status> => {
    const res = await app.inject({
      method, url: method === 'DELETE' ? url : `${url}?fieldManager=${CONTROLLER_FIELD_MANAGER}`,
      headers: { authorization: `Bearer ${tokenOf.get(user.name) ?? ''}`, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      payload: JSON.stringify(body),
    });
    // A 429 from flow control is plain text, not a Status.
    const parsed = res.body.startsWith('{') ? JSON.parse(res.body) as Record<string, unknown> : {};
    if (res.statusCode < 300) return parsed as unknown as KubeObject;
    const retryAfter = Number(res.headers['retry-after']);
    return new Status(res.statusCode, (parsed.reason as Status['reason'] | undefined) ?? '', typeof parsed.message === 'string' ? parsed.message : res.body,
      Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : undefined);
  };
  return {
    create: (cluster, user, rt, ns, obj) => send(user, 'POST', pathOf(cluster, rt, ns, '', ''), obj),
    update: (cluster, user, rt, ns, name, sub, obj) => send(user, 'PUT', pathOf(cluster, rt, ns, name, sub), obj),
    async delete(cluster, user, rt, ns, name, opts) {
      const r = await send(user, 'DELETE', pathOf(cluster, rt, ns, name, ''), { kind: 'DeleteOptions', apiVersion: 'v1', ...opts });
      return r instanceof Status ? r : undefined;
    },
  };
}
