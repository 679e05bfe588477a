// Object metadata the controllers share: controller references, selectors, adoption and
// release (apimachinery meta/v1 controller_ref.go, pkg/controller/controller_ref_manager.go).
import { rfc3339 } from '../../clock.js';
import { isPlainObject, type KubeObject, type OwnerReference } from '../../object.js';
import { labelSelectorFromObject, type LabelSelector, type LabelSelectorObject } from '../../selectors/labels.js';
import { isStatus } from '../../status.js';
import type { WriteSet } from './writes.js';

export type Json = Record<string, unknown>;

/** A nested object field, or an empty object when absent. */
export function field(o: unknown, key: string): Json {
  if (!isPlainObject(o)) return {};
  const v = o[key];
  return isPlainObject(v) ? v : {};
}

export function int(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt;
}

export function str(v: unknown, dflt = ''): string {
  return typeof v === 'string' ? v : dflt;
}

export function spec(o: KubeObject): Json {
  return field(o, 'spec');
}

export function status(o: KubeObject): Json {
  return field(o, 'status');
}

/** metav1.Time as ms since the epoch, or undefined for a zero (absent) time. */
export function timeOf(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

export const timestamp = rfc3339;

export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '', kind: owner.kind ?? '', name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true,
  };
}

/** metav1.LabelSelectorAsSelector; an invalid selector selects nothing (validation keeps it out). */
export function selectorOf(sel: unknown): LabelSelector | undefined {
  const s = labelSelectorFromObject(isPlainObject(sel) ? (sel as LabelSelectorObject) : null);
  return isStatus(s) ? undefined : s;
}

export function labelsOf(o: KubeObject): Record<string, string> {
  return o.metadata.labels ?? {};
}

/** An empty selector ({}) selects everything; workload controllers refuse to act on it. */
export function selectsEverything(sel: unknown): boolean {
  if (!isPlainObject(sel)) return false;
  const ml = sel.matchLabels;
  const me = sel.matchExpressions;
  return (!isPlainObject(ml) || Object.keys(ml).length === 0) && (!Array.isArray(me) || me.length === 0);
}

/**
 * ControllerRefManager.ClaimObject over a list: the objects this controller owns, after adopting
 * matching orphans and releasing owned objects its selector no longer matches (both written as
 * updates of the dependent's ownerReferences).
 */
export function claim(owner: KubeObject, candidates: readonly KubeObject[], selector: LabelSelector | undefined,
  writes: WriteSet, filter: (o: KubeObject) => boolean = () => true): KubeObject[] {
  const uid = owner.metadata.uid;
  const ownerDeleting = owner.metadata.deletionTimestamp !== undefined;
  const out: KubeObject[] = [];
  for (const o of candidates) {
    const ref = controllerOf(o);
    const matches = selector !== undefined && selector.matches(labelsOf(o)) && filter(o);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) { out.push(o); continue; }
      if (ownerDeleting) continue;
      const released = structuredClone(o);
      released.metadata.ownerReferences = (released.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      writes.update(released);
      continue;
    }
    if (ownerDeleting || !matches || o.metadata.deletionTimestamp !== undefined) continue;
    if (owner.metadata.namespace && owner.metadata.namespace !== o.metadata.namespace) continue;
    const adopted = structuredClone(o);
    adopted.metadata.ownerReferences = [...(adopted.metadata.ownerReferences ?? []), newControllerRef(owner)];
    out.push(writes.update(adopted));
  }
  return out;
}

/** Creation order, name as the tie-break (controller.ReplicaSetsByCreationTimestamp and kin). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = timeOf(a.metadata.creationTimestamp) ?? 0;
  const tb = timeOf(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * Semantic equality for API objects as JSON (apimachinery's Semantic.DeepEqual): key order does
 * not matter, and an absent field, null, [] and {} are the same Go zero value for lists and maps.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown): boolean => v === undefined || v === null ||
    (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = a[k];
      const y = b[k];
      if (empty(x) && empty(y)) continue;
      if (!semanticEqual(x, y)) return false;
    }
    return true;
  }
  if (empty(a) && empty(b)) return true;
  return a === b;
}
