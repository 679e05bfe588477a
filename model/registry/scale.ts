// The scale subresource: an autoscaling/v1 Scale view of a workload's replica count
// (pkg/registry/apps/deployment/storage ScaleREST, and apiextensions' scale for custom resources
// with specReplicasPath / statusReplicasPath / labelSelectorPath).

import type { ResourceType } from '../catalog.js';
import { isPlainObject, type KubeObject } from '../object.js';
import { labelSelectorFromObject } from '../selectors/labels.js';
import { badRequest, invalid, isStatus, type Status } from '../status.js';

export const SCALE_API_VERSION = 'autoscaling/v1';

interface ScalePaths {
  readonly spec: readonly string[];
  readonly status: readonly string[];
  readonly selector?: readonly string[];
}

const BUILTIN: ScalePaths = { spec: ['spec', 'replicas'], status: ['status', 'replicas'] };

function pathsOf(rt: ResourceType): ScalePaths {
  const s = rt.custom?.scale;
  if (!s) return BUILTIN;
  return { spec: splitPath(s.specReplicasPath), status: splitPath(s.statusReplicasPath), ...(s.labelSelectorPath ? { selector: splitPath(s.labelSelectorPath) } : {}) };
}

/** `.spec.replicas` -> ['spec', 'replicas'] (the CRD validation allows only dotted field paths). */
function splitPath(path: string): string[] {
  return path.split('.').filter((p) => p !== '');
}

function read(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function selectorOf(rt: ResourceType, obj: KubeObject, paths: ScalePaths): string | undefined {
  if (paths.selector) {
    const v = read(obj, paths.selector);
    return typeof v === 'string' ? v : undefined;
  }
  const sel = read(obj, ['spec', 'selector']);
  if (!isPlainObject(sel)) return undefined;
  // A ReplicationController's selector is a plain label map; the apps types use LabelSelector.
  const parsed = labelSelectorFromObject(rt.group === '' ? { matchLabels: sel as Record<string, string> } : sel);
  return isStatus(parsed) ? undefined : parsed.toString();
}

/** The Scale object for `obj`. */
export function scaleOf(rt: ResourceType, obj: KubeObject): KubeObject {
  const paths = pathsOf(rt);
  const m = obj.metadata;
  const replicas = read(obj, paths.spec);
  const statusReplicas = read(obj, paths.status);
  const selector = selectorOf(rt, obj, paths);
  return {
    kind: 'Scale',
    apiVersion: SCALE_API_VERSION,
    metadata: {
      name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), uid: m.uid,
      resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp,
    },
    spec: typeof replicas === 'number' && replicas !== 0 ? { replicas } : {},
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(selector ? { selector } : {}) },
  };
}

/**
 * `obj` with the replica count of a Scale written by a client, or the Status for a Scale that is
 * malformed; resourceVersion carries over as the write's precondition.
 */
export function withScale(rt: ResourceType, obj: KubeObject, scale: unknown): KubeObject | Status {
  if (!isPlainObject(scale)) return badRequest('the body of the request was not a JSON object');
  if (scale.kind !== undefined && scale.kind !== 'Scale') {
    return badRequest(`${String(scale.kind)} in version "v1" cannot be handled as a Scale: converting (v1.${String(scale.kind)}) to (autoscaling.Scale): unknown conversion`);
  }
  const spec = isPlainObject(scale.spec) ? scale.spec : {};
  const replicas = spec.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    return invalid('Scale', 'autoscaling', obj.metadata.name ?? '', [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
  }
  const next = structuredClone(obj);
  const path = pathsOf(rt).spec;
  let cur: Record<string, unknown> = next as unknown as Record<string, unknown>;
  for (const p of path.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = replicas;
  const meta = isPlainObject(scale.metadata) ? scale.metadata : {};
  if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '') next.metadata.resourceVersion = meta.resourceVersion;
  else delete next.metadata.resourceVersion;
  return next;
}
