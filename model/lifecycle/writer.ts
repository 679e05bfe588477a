// Where the controllers' writes go. In the server they go through the HTTP pipeline
// (server/lifecycle-writer.ts), so they are authenticated, classified by flow control and
// counted in the request metrics like any client's; tests on a virtual clock write to the
// registry directly.
import type { ResourceType } from '../catalog.js';
import type { KubeObject } from '../object.js';
import type { Registry, RequestScope } from '../registry/registry.js';
import { isStatus, type Status } from '../status.js';
import type { UserInfo } from '../user.js';

export interface DeleteRequest {
  readonly propagationPolicy?: string;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

export interface LifecycleWriter {
  create(cluster: string, user: UserInfo, rt: ResourceType, namespace: string, obj: KubeObject): Promise<KubeObject | Status>;
  update(cluster: string, user: UserInfo, rt: ResourceType, namespace: string, name: string, subresource: string, obj: KubeObject): Promise<KubeObject | Status>;
  delete(cluster: string, user: UserInfo, rt: ResourceType, namespace: string, name: string, opts: DeleteRequest): Promise<Status | undefined>;
}

/** The field manager kube-controller-manager's writes carry. */
export const CONTROLLER_FIELD_MANAGER = 'kube-controller-manager';

/** The service account a controller runs as, as kube-controller-manager's per-controller credentials name them. */
export function controllerUser(controller: string): UserInfo {
  return { name: `system:serviceaccount:kube-system:${controller}-controller`, uid: `kemu-${controller}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };
}

export function registryWriter(registry: Registry): LifecycleWriter {
  const scope = (cluster: string, user: UserInfo): RequestScope => ({ cluster, user });
  const opts = { fieldManager: CONTROLLER_FIELD_MANAGER };
  const parsed = (r: { bytes: Buffer } | Status): KubeObject | Status => (isStatus(r) ? r : JSON.parse(r.bytes.toString('utf8')) as KubeObject);
  return {
    create: async (cluster, user, rt, ns, obj) => parsed(await registry.create(scope(cluster, user), rt, ns, obj, opts)),
    update: async (cluster, user, rt, ns, name, sub, obj) => parsed(await registry.update(scope(cluster, user), rt, ns, name, sub, obj, opts)),
    async delete(cluster, user, rt, ns, name, del) {
      const r = await registry.delete(scope(cluster, user), rt, ns, name, del);
      return isStatus(r) ? r : undefined;
    },
  };
}
