// Shared by the apply tests: schemas, option builders and a readable view of managedFields.
import * as assert from 'uvu/assert';
import { applyConfiguration, fromFieldsV1, pathString, recordUpdate, type ManagedFieldsEntry } from '../../../model/apply/index.js';
import type { KubeObject } from '../../../model/object.js';
import { builtinSchema } from '../../../model/schema/builtin.js';
import type { Schema } from '../../../model/schema/schema.js';
import { isStatus, type Status } from '../../../model/status.js';

export const T0 = Date.parse('2024-05-01T12:00:00Z');

export function schemaFor(group: string, version: string, kind: string): Schema {
  const s = builtinSchema(group, version, kind);
  if (!s) throw new Error(`no schema for ${kind}`);
  return s;
}

export interface Target {
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: Schema;
  readonly resetFields?: readonly (readonly string[])[];
  readonly subresource?: string;
}

export const configMaps: Target = { apiVersion: 'v1', kind: 'ConfigMap', schema: schemaFor('', 'v1', 'ConfigMap') };
export const deployments: Target = { apiVersion: 'apps/v1', kind: 'Deployment', schema: schemaFor('apps', 'v1', 'Deployment'), resetFields: [['status']] };
export const services: Target = { apiVersion: 'v1', kind: 'Service', schema: schemaFor('', 'v1', 'Service'), resetFields: [['status']] };

export interface Step {
  readonly manager: string;
  readonly at?: number;
  readonly force?: boolean;
}

export function apply(t: Target, live: KubeObject | undefined, config: Record<string, unknown>, step: Step): KubeObject | Status {
  return applyConfiguration(live, config, { ...t, manager: step.manager, force: step.force ?? false, now: T0 + (step.at ?? 0) * 1000 });
}

/** An apply that must succeed. */
export function applied(t: Target, live: KubeObject | undefined, config: Record<string, unknown>, step: Step): KubeObject {
  const r = apply(t, live, config, step);
  if (isStatus(r)) assert.unreachable(`apply failed: ${r.message}`);
  return r as KubeObject;
}

export function update(t: Target, old: KubeObject | undefined, next: KubeObject, step: Step): KubeObject {
  return recordUpdate(old, next, { ...t, manager: step.manager, now: T0 + (step.at ?? 0) * 1000 });
}

export function entries(obj: KubeObject): ManagedFieldsEntry[] {
  return (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];
}

/** `manager operation[/subresource]` to the paths it owns, in managedFields order. */
export function owners(obj: KubeObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of entries(obj)) {
    const set = fromFieldsV1(e.fieldsV1);
    if (typeof set === 'string') throw new Error(set);
    out[`${e.manager} ${e.operation}${e.subresource ? `/${e.subresource}` : ''}`] = set.paths().map(pathString);
  }
  return out;
}

/** The object without managedFields, for comparing contents. */
export function body(obj: KubeObject): KubeObject {
  const { managedFields: _managed, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

export function cm(data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data, ...extra };
}
