// Storage keys: `<cluster>/<group>/<resource>/<namespace>/<name>`, ordered byte-wise as
// etcd's `/registry/<resource>/<namespace>/<name>` keys are, so LIST order matches a real server.
// Cluster-scoped objects have an empty namespace segment.

export interface ObjectKey {
  readonly cluster: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
}

/** Everything of one resource in one cluster, optionally one namespace. */
export interface CollectionKey {
  readonly cluster: string;
  readonly group: string;
  readonly resource: string;
  /** undefined: all namespaces (or a cluster-scoped resource). */
  readonly namespace?: string;
}

export function objectKey(k: ObjectKey): string {
  return `${k.cluster}/${k.group}/${k.resource}/${k.namespace}/${k.name}`;
}

export function collectionPrefix(k: CollectionKey): string {
  const base = `${k.cluster}/${k.group}/${k.resource}/`;
  return k.namespace === undefined ? base : `${base}${k.namespace}/`;
}

export function clusterPrefix(cluster: string): string {
  return `${cluster}/`;
}

/** Upper bound of a prefix range: '/' + 1 is '0', and no segment may contain '/'. */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function parseObjectKey(key: string): ObjectKey {
  const [cluster, group, resource, namespace, name] = key.split('/');
  return { cluster, group, resource, namespace, name };
}
