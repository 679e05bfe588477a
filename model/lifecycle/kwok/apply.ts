// What a Stage does to an object: kwok's doStageSteps (lifecycle/next.go) and finalizers.go.
// planStage lists the requests kwok would send (event, finalizer JSON patch, delete, status
// patch) so a controller can send the same through the registry; applyStage also computes the
// object those requests leave behind, the way the apiserver applies them.
import { isDeepStrictEqual } from 'node:util';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { parseDocument } from 'yaml';
import { isPlainObject, type KubeObject } from '../../object.js';
import { strategicMergePatch } from '../../patch/strategic.js';
import { builtinSchema } from '../../schema/builtin.js';
import { Status, new422 } from '../../status.js';
import { kwokFuncs, type StageContext } from './funcs.js';
import { renderTemplate } from './gotpl/template.js';
import type { Stage, StageEvent, StageFinalizers, StagePatch } from './types.js';
import { mergePatch } from '../../patch/merge-patch.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';

export type PatchMediaType = typeof JSON_PATCH | typeof MERGE_PATCH | typeof STRATEGIC_PATCH;

export interface JsonPatchOp {
  readonly op: 'add' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

/** One request kwok makes for a stage, in order. */
export type StageAction =
  | ({ readonly kind: 'event' } & StageEvent)
  | { readonly kind: 'patch'; readonly type: PatchMediaType; readonly subresource: string; readonly data: unknown; readonly impersonation?: string }
  | { readonly kind: 'delete' };

export interface StageOutcome {
  readonly stage: string;
  readonly actions: readonly StageAction[];
  /** The object after the stage's patches; when `deleted`, its state as the delete found it. */
  readonly object: KubeObject;
  readonly deleted: boolean;
  readonly events: readonly StageEvent[];
  /** Whether the patches changed anything (kwok skips a patch that would not). */
  readonly changed: boolean;
  /** spec.immediateNextStage: match the result again at once rather than on its watch event. */
  readonly immediateNextStage: boolean;
}

/** finalizersModify: JSON patch operations on metadata.finalizers, computed against `current`. */
export function finalizerOps(current: readonly string[], f: StageFinalizers): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  let empty = f.empty;
  if (!empty && f.remove.length) {
    const removed: JsonPatchOp[] = [];
    for (let i = current.length - 1; i >= 0; i--) if (f.remove.includes(current[i])) removed.push({ op: 'remove', path: `/metadata/finalizers/${i}` });
    if (removed.length === current.length) empty = true;
    else ops.push(...removed);
  }
  const add = (base: readonly string[]): JsonPatchOp[] => base.length
    ? f.add.filter((v) => !base.includes(v)).map((value) => ({ op: 'add', path: '/metadata/finalizers/-', value }))
    : [{ op: 'add', path: '/metadata/finalizers', value: [...f.add] }];
  if (!empty) {
    if (f.add.length) ops.push(...add(current));
  } else {
    if (current.length) ops.push({ op: 'remove', path: '/metadata/finalizers' });
    if (f.add.length) ops.push(...add([]));
  }
  return ops;
}

function isPodOrNode(obj: KubeObject): boolean {
  return obj.apiVersion === 'v1' && (obj.kind === 'Pod' || obj.kind === 'Node');
}

/** Renders a patch's template (YAML out) into the body kwok would send. */
function computePatch(stage: Stage, p: StagePatch, obj: KubeObject, ctx: StageContext): StageAction | Status {
  const text = renderTemplate(p.template, obj, kwokFuncs(obj, ctx));
  if (typeof text !== 'string') return new422(`stage "${stage.name}": ${text.error}`);
  const doc = parseDocument(text);
  if (doc.errors.length) return new422(`stage "${stage.name}": the rendered template is not YAML: ${doc.errors[0].message}`);
  const value: unknown = doc.toJS() ?? null;
  const type = p.type ?? (isPodOrNode(obj) ? 'strategic' : 'merge');
  const base = { kind: 'patch' as const, subresource: p.subresource, ...(p.impersonation ? { impersonation: p.impersonation } : {}) };
  if (type === 'json') {
    if (!Array.isArray(value)) return new422(`stage "${stage.name}": a json patch template must render a list of operations`);
    const ops = value.map((o: unknown) => (isPlainObject(o) && p.root ? { ...o, path: `/${p.root}${String(o.path ?? '')}` } : o));
    return { ...base, type: JSON_PATCH, data: ops };
  }
  return { ...base, type: type === 'merge' ? MERGE_PATCH : STRATEGIC_PATCH, data: p.root ? { [p.root]: value } : value };
}

/** The requests the stage makes for `obj`, in kwok's order; nothing after a delete but events. */
export function planStage(stage: Stage, obj: KubeObject, ctx: StageContext): StageAction[] | Status {
  const actions: StageAction[] = [];
  const current = obj.metadata?.finalizers ?? [];
  let deleted = false;
  for (const step of stage.steps) {
    if (step.event) actions.push({ kind: 'event', ...step.event });
    if (deleted) continue;
    if (step.finalizers) {
      const ops = finalizerOps(current, step.finalizers);
      if (ops.length) actions.push({ kind: 'patch', type: JSON_PATCH, subresource: '', data: ops });
    }
    if (step.delete) {
      deleted = true;
      actions.push({ kind: 'delete' });
      continue;
    }
    if (step.patch) {
      const a = computePatch(stage, step.patch, obj, ctx);
      if (a instanceof Status) return a;
      actions.push(a);
    }
  }
  return actions;
}


function patchObject(obj: KubeObject, a: Extract<StageAction, { kind: 'patch' }>): KubeObject | Status {
  let out: unknown;
  if (a.type === JSON_PATCH) {
    try {
      out = fastJsonPatch.applyPatch(structuredClone(obj), a.data as Operation[], true, true).newDocument;
    } catch (e) {
      return new422(`json patch: ${(e as Error).message}`);
    }
  } else if (a.type === MERGE_PATCH) {
    out = mergePatch(obj, a.data);
  } else {
    const [group, version] = (obj.apiVersion ?? '').includes('/') ? (obj.apiVersion ?? '').split('/') : ['', obj.apiVersion ?? ''];
    const schema = builtinSchema(group, version, obj.kind ?? '');
    if (!schema) return new Status(415, 'UnsupportedMediaType', `strategic merge patch is not supported for ${obj.kind ?? 'this kind'}`);
    out = strategicMergePatch(obj as unknown as Record<string, unknown>, a.data, schema);
    if (out instanceof Status) return out;
  }
  if (!isPlainObject(out)) return new422('the patch does not leave an object');
  const patched = out as KubeObject;
  // Through the status subresource only .status changes, whatever else the patch says.
  return a.subresource === 'status' ? { ...obj, status: patched.status } : patched;
}

/** Runs the stage over `obj` (which is not modified). */
export function applyStage(stage: Stage, obj: KubeObject, ctx: StageContext): StageOutcome | Status {
  const actions = planStage(stage, obj, ctx);
  if (actions instanceof Status) return actions;
  let object: KubeObject = structuredClone(obj);
  let deleted = false;
  const events: StageEvent[] = [];
  for (const a of actions) {
    if (a.kind === 'event') events.push({ type: a.type, reason: a.reason, message: a.message });
    else if (a.kind === 'delete') deleted = true;
    else {
      const next = patchObject(object, a);
      if (next instanceof Status) return new Status(next.code, next.reason, `stage "${stage.name}": ${next.message}`, next.details);
      object = next;
    }
  }
  return { stage: stage.name, actions, object, deleted, events, changed: !isDeepStrictEqual(object, obj), immediateNextStage: stage.immediateNextStage };
}
