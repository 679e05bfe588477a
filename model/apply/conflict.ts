// The 409 an apply gets when it would change fields other managers own
// (managedfields/internal/conflict.go NewConflictError, apierrors.NewApplyConflict).

import { Status, type StatusCause } from '../status.js';
import { parseManagerId } from './managed.js';
import { pathString } from './path.js';
import type { Conflict } from './updater.js';
import { compareStrings, goQuote } from './value.js';

/**
 * printManager: `"kubectl"` for an applier, `"kube-controller-manager" using apps/v1` for an
 * updater. Identifiers carry no time, so upstream's `at <time>` form never shows.
 */
export function printManager(id: string): string {
  const info = parseManagerId(id);
  let s = goQuote(info.manager);
  if (info.subresource) s += ` with subresource ${goQuote(info.subresource)}`;
  if (info.operation === 'Update') s += ` using ${info.apiVersion ?? ''}`;
  return s;
}

export function conflictStatus(conflicts: readonly Conflict[]): Status {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path),
  }));
  return new Status(409, 'Conflict', conflictMessage(conflicts), { causes });
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    let paths = byManager.get(c.manager);
    if (!paths) byManager.set(c.manager, (paths = []));
    paths.push(pathString(c.path));
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort(compareStrings)) {
    lines.push(`conflicts with ${printManager(id)}:`);
    for (const p of byManager.get(id) ?? []) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
