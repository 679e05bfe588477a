// apiVersion + kind → REST paths, the way client-go's RESTMapper learns them: from the target's
// discovery documents (`/api/v1`, `/apis/<group>/<version>`), asked once per cluster and group
// version, so the same scenario works against kemu and a real cluster with other CRDs installed.
import type { RestClient } from '../client/rest.js';

export interface ResourceMapping {
  readonly resource: string;
  readonly namespaced: boolean;
  /** `/api/v1` or `/apis/<group>/<version>` */
  readonly prefix: string;
}

interface APIResourceList {
  readonly resources?: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly namespaced: boolean }>;
}

export class RESTMapper {
  private readonly lists = new Map<string, Promise<APIResourceList | string>>();

  async mapping(client: RestClient, cluster: string, apiVersion: string, kind: string): Promise<ResourceMapping | string> {
    const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const key = `${cluster}\u0000${prefix}`;
    let list = this.lists.get(key);
    if (!list) {
      list = client.request({ verb: 'get', resource: 'discovery', method: 'GET', path: prefix }).then((r) =>
        r.status === 200 ? (r.body as APIResourceList) : `discovery of ${apiVersion} in cluster ${cluster}: HTTP ${r.status}`);
      this.lists.set(key, list);
    }
    const found = await list;
    if (typeof found === 'string') {
      // A CRD may be installed later in the run: ask again next time.
      this.lists.delete(key);
      return found;
    }
    const r = found.resources?.find((x) => x.kind === kind && !x.name.includes('/'));
    if (!r) {
      this.lists.delete(key);
      return `cluster ${cluster} serves no kind ${kind} in ${apiVersion}`;
    }
    return { resource: r.name, namespaced: r.namespaced, prefix };
  }
}

export function collectionPath(m: ResourceMapping, namespace: string | undefined): string {
  return m.namespaced && namespace ? `${m.prefix}/namespaces/${namespace}/${m.resource}` : `${m.prefix}/${m.resource}`;
}

export function objectPath(m: ResourceMapping, namespace: string | undefined, name: string): string {
  return `${collectionPath(m, namespace)}/${encodeURIComponent(name)}`;
}
