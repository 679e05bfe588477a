// ControllerRevisions, the template history StatefulSets and DaemonSets keep (pkg/controller/
// history/controller_history.go; statefulset stateful_set_utils.go newRevision; daemon
// update.go snapshot). Both store the template as a JSON merge patch,
// {"spec":{"template":{...,"$patch":"replace"}}}, marshaled from a Go map (sorted keys), and
// both find their current revision by comparing that data. They name it differently:
// a StatefulSet by the FNV-1 hash of the data and its collision count, a DaemonSet by the
// pod-template-hash of its template (ComputeHash, as Deployments do).
import type { KubeObject } from '../../object.js';
import { computePodTemplateHash, goJSON, hashControllerRevision } from './hash.js';
import { controllerOf, field, int, newControllerRef, semanticEqual, spec, status, type Json } from './meta.js';

export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';

/** getPatch: the template as Go re-encodes it (metadata.creationTimestamp is always written). */
function patchOf(owner: KubeObject): Json {
  const t = structuredClone(field(spec(owner), 'template'));
  const meta = field(t, 'metadata');
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  t.metadata = meta;
  t.$patch = 'replace';
  return { spec: { template: t } };
}

export interface Revision {
  readonly name: string;
  readonly hash: string;
  readonly object: KubeObject;
  /** Whether `object` is one of the revisions given (else it is new, to be created). */
  readonly exists: boolean;
}

/**
 * The revision for the owner's current template: an existing ControllerRevision of the owner
 * with the same data, else a new one numbered after the highest existing revision.
 */
export function currentRevision(owner: KubeObject, revisions: readonly KubeObject[], kind: 'StatefulSet' | 'DaemonSet'): Revision {
  const data = patchOf(owner);
  const raw = goJSON(data);
  const collisions = int(status(owner).collisionCount, 0);
  const mine = revisions.filter((r) => controllerOf(r)?.uid === owner.metadata.uid);
  const existing = mine.find((r) => semanticEqual(r.data, JSON.parse(raw)));
  let hash: string;
  if (kind === 'StatefulSet') hash = hashControllerRevision(raw, collisions);
  else hash = existing?.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? computePodTemplateHash(field(spec(owner), 'template'), status(owner).collisionCount === undefined ? undefined : collisions);
  const name = existing?.metadata.name ?? `${(owner.metadata.name ?? '').slice(0, 223)}-${hash}`;
  if (existing) return { name, hash: existing.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? hash, object: existing, exists: true };
  const next = mine.reduce((m, r) => Math.max(m, int(r.revision, 0)), 0) + 1;
  const labels = { ...((field(field(spec(owner), 'template'), 'metadata').labels ?? {}) as Record<string, string>), [CONTROLLER_REVISION_HASH]: hash };
  const object: KubeObject = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name, namespace: owner.metadata.namespace, labels,
      ...(kind === 'DaemonSet' && owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(owner)],
    },
    data: JSON.parse(raw) as Json,
    revision: next,
  };
  return { name, hash, object, exists: false };
}
