// A resource's REST paths, worked out once so a request only joins strings.

export interface ResourceRef {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** The plural: `pods`, `deployments`. */
  readonly resource: string;
  readonly namespaced: boolean;
  /** The metrics label: `pods`, `deployments.apps` (the form fault rules and kemu's metrics use). */
  readonly label: string;
  /** `/api/v1` or `/apis/<group>/<version>`. */
  readonly prefix: string;
}

/** `apiVersion` as in manifests: `v1`, `apps/v1`. */
export function resourceRef(apiVersion: string, resource: string, namespaced = true): ResourceRef {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return Object.freeze({
    group, version, resource, namespaced,
    label: group === '' ? resource : `${resource}.${group}`,
    prefix: group === '' ? `/api/${version}` : `/apis/${group}/${version}`,
  });
}

/** The collection, across all namespaces when `namespace` is absent. */
export function collectionPath(r: ResourceRef, namespace?: string): string {
  return r.namespaced && namespace !== undefined
    ? `${r.prefix}/namespaces/${encodeURIComponent(namespace)}/${r.resource}`
    : `${r.prefix}/${r.resource}`;
}

export function objectPath(r: ResourceRef, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}
