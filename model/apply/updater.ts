// structured-merge-diff's merge.Updater: who owns what after an update or an apply. An update
// gives the writer the fields it changed and takes them from everyone else; an apply merges the
// configuration, gives the applier exactly what it applied, prunes what it applied last time
// and no one owns any more, and refuses to change fields other managers own unless forced.

import type { Schema } from '../schema/schema.js';
import { compareObjects, excludeFields, type Comparison } from './compare.js';
import { ensureNamedFieldsAreMembers, valueFieldSet, removeFields } from './fieldset.js';
import { merge } from './merge.js';
import type { Path } from './path.js';
import { FieldSet } from './set.js';
import { compareStrings, valueEquals } from './value.js';

export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  /** True for an Apply entry. */
  readonly applied: boolean;
}

/** Manager identifier (see managed.ts) to what it owns. */
export type Managers = Map<string, VersionedSet>;

export interface Conflict {
  readonly manager: string;
  readonly path: Path;
}

/** A refused apply: the fields other managers own that it would change. */
export class Conflicts {
  constructor(readonly conflicts: readonly Conflict[]) {}
}

export interface UpdaterContext {
  readonly schema: Schema;
  readonly apiVersion: string;
  /** The strategy's reset fields: never owned, never conflicting. */
  readonly ignored: FieldSet | undefined;
  /**
   * The kind's Go zero value. Upstream compares typed objects, which always hold their
   * non-pointer structs and non-omitempty fields; laid under both sides, it makes a stored
   * object that omits them compare the same way.
   */
  readonly zero: unknown;
}

function compareTyped(ctx: UpdaterContext, oldObj: unknown, newObj: unknown): Comparison {
  return compareObjects(merge(ctx.zero, oldObj, ctx.schema), merge(ctx.zero, newObj, ctx.schema), ctx.schema);
}

/**
 * Updater.update: compares the objects once, then takes what changed from every manager but
 * `workflow` (or reports it, when not forcing).
 */
function takeChanges(
  ctx: UpdaterContext, oldObj: unknown, newObj: unknown, managers: Managers, workflow: string, force: boolean,
): { managers: Managers; compare: Comparison } | Conflicts {
  const compare = excludeFields(compareTyped(ctx, oldObj, newObj), ctx.ignored);
  const changed = compare.modified.union(compare.added);
  const conflicts: Conflict[] = [];
  const out: Managers = new Map();
  for (const [id, vs] of [...managers].sort((a, b) => compareStrings(a[0], b[0]))) {
    if (id === workflow) {
      out.set(id, vs);
      continue;
    }
    const conflicting = vs.set.intersection(changed);
    if (!force) conflicting.iterate((p) => conflicts.push({ manager: id, path: [...p] }));
    const set = vs.set.difference(conflicting).difference(compare.removed);
    if (!set.empty()) out.set(id, { ...vs, set });
  }
  if (conflicts.length > 0) return new Conflicts(conflicts);
  if (managers.has(workflow) && managers.get(workflow)?.set.empty()) out.delete(workflow);
  return { managers: out, compare };
}

/** Updater.Update: the writer of newObj gets what changed since oldObj. */
export function updateManagers(ctx: UpdaterContext, oldObj: unknown, newObj: unknown, managers: Managers, manager: string): Managers {
  const r = takeChanges(ctx, oldObj, newObj, managers, manager, true);
  if (r instanceof Conflicts) return managers;
  const { compare } = r;
  const prev = r.managers.get(manager)?.set ?? new FieldSet();
  let set = prev.union(compare.modified).union(compare.added).difference(compare.removed);
  if (ctx.ignored) set = set.recursiveDifference(ctx.ignored);
  if (set.empty()) r.managers.delete(manager);
  else r.managers.set(manager, { set, apiVersion: ctx.apiVersion, applied: false });
  return r.managers;
}

export interface Applied {
  /** undefined when the apply leaves the object as it was. */
  readonly object: unknown;
  readonly managers: Managers;
}

/** Updater.Apply. */
export function applyManagers(
  ctx: UpdaterContext, live: unknown, config: unknown, managers: Managers, manager: string, force: boolean,
): Applied | Conflicts {
  let merged = merge(live, config, ctx.schema);
  const lastSet = managers.get(manager);
  let set = valueFieldSet(config, ctx.schema);
  if (ctx.ignored) set = set.recursiveDifference(ctx.ignored);
  const next: Managers = new Map(managers);
  next.set(manager, { set, apiVersion: ctx.apiVersion, applied: true });
  if (lastSet && !lastSet.set.empty()) merged = prune(ctx, merged, next, lastSet.set);
  const r = takeChanges(ctx, live, merged, next, manager, force);
  if (r instanceof Conflicts) return r;
  return { object: valueEquals(live, merged) ? undefined : merged, managers: r.managers };
}

/**
 * Removes what the applier owned last time and no longer applies, unless some manager (the
 * applier's new configuration included) owns it, or it was not the applier's to begin with.
 */
function prune(ctx: UpdaterContext, merged: unknown, managers: Managers, lastSet: FieldSet): unknown {
  const s = ctx.schema;
  const named = (set: FieldSet): FieldSet => ensureNamedFieldsAreMembers(set, s);
  const last = named(lastSet);
  let pruned = removeFields(merged, last, s);
  let managed = new FieldSet();
  for (const vs of managers.values()) managed = managed.union(vs.set);
  const mergedSet = named(valueFieldSet(merged, s));
  pruned = removeFields(merged, mergedSet.difference(named(valueFieldSet(pruned, s)).union(named(managed))), s);
  return removeFields(merged, mergedSet.difference(named(valueFieldSet(pruned, s))).intersection(last), s);
}
