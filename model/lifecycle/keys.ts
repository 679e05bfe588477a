// The keys controllers queue: `<namespace>/<name>` of the object itself or of its controller.
import type { StoreEvent } from '../store/store.js';

interface OwnerRef { kind?: string; name?: string; controller?: boolean }

/** `<namespace>/<name>` of the object's controller of `kind`, if it has one. */
export function ownerKey(e: StoreEvent, kind: string): string[] {
  const refs = (e.object.metadata.ownerReferences ?? []) as OwnerRef[];
  const owner = refs.find((r) => r.controller && r.kind === kind);
  return owner?.name ? [`${e.key.namespace}/${owner.name}`] : [];
}

export const self = (e: StoreEvent): string[] => [`${e.key.namespace}/${e.key.name}`];

/** `<namespace>/<name>` -> [namespace, name] (the namespace is '' for cluster-scoped objects). */
export function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
