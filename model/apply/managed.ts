// metadata.managedFields to and from the managers structured-merge-diff works with
// (managedfields/internal/managedfields.go). A manager is identified by the JSON of its entry
// without fields and time, and, for appliers, without apiVersion, so one applier has one entry
// whatever version it applies in, while an updater has one per version.

import { rfc3339 } from '../clock.js';
import { fromFieldsV1, toFieldsV1 } from './fieldsv1.js';
import type { Managers } from './updater.js';
import { compareStrings, goJSONString, goQuote, isObject, type JsonObject } from './value.js';

export type Operation = 'Apply' | 'Update';

/** metav1.ManagedFieldsEntry, in its Go field order. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: Operation;
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: JsonObject;
  subresource?: string;
}

/** What managers own, and when each last changed something (rfc3339). */
export interface Managed {
  readonly fields: Managers;
  readonly times: Map<string, string>;
}

export interface ManagerInfo {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion?: string;
  readonly subresource?: string;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/** BuildManagerIdentifier: json.Marshal of the entry's identifying fields. */
export function managerId(info: ManagerInfo): string {
  let s = `{"manager":${goJSONString(info.manager)},"operation":"${info.operation}"`;
  if (info.apiVersion && info.operation === 'Update') s += `,"apiVersion":${goJSONString(info.apiVersion)}`;
  if (info.subresource) s += `,"subresource":${goJSONString(info.subresource)}`;
  return `${s}}`;
}

export function parseManagerId(id: string): ManagerInfo {
  return JSON.parse(id) as ManagerInfo;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** metav1.Time round trip: any RFC 3339 time comes back in UTC with second precision. */
function normalizeTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : rfc3339(ms);
}

/** DecodeManagedFields; a string says what is wrong with the entries. */
export function decodeManagedFields(entries: unknown): Managed | string {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) return 'managedFields must be a list';
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    if (!isObject(e)) return `managed fields entry ${i} is not an object`;
    const operation = str(e.operation);
    if (operation !== 'Apply' && operation !== 'Update') return 'operation must be `Apply` or `Update`';
    const apiVersion = str(e.apiVersion);
    if (apiVersion === '') return 'apiVersion must not be empty';
    const fieldsType = str(e.fieldsType);
    if (fieldsType === '') return `missing fieldsType in managed fields entry ${i}`;
    if (fieldsType !== 'FieldsV1') return `invalid fieldsType ${goQuote(fieldsType)} in managed fields entry ${i}`;
    const id = managerId({ manager: str(e.manager), operation, apiVersion, subresource: str(e.subresource) });
    const set = fromFieldsV1(e.fieldsV1 === undefined || e.fieldsV1 === null ? {} : e.fieldsV1);
    if (typeof set === 'string') return `error decoding versioned set: error decoding set: ${set}`;
    managed.fields.set(id, { set, apiVersion, applied: operation === 'Apply' });
    const time = normalizeTime(e.time);
    if (time !== undefined) managed.times.set(id, time);
    else managed.times.delete(id);
  }
  return managed;
}

/** isResetManagedFields: `[]`, or `[{}]`, asks for ownership to start over. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1 || !isObject(entries[0])) return false;
  const e = entries[0];
  return ['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource'].every((k) => !e[k])
    && (e.time === undefined || e.time === null) && (e.fieldsV1 === undefined || e.fieldsV1 === null);
}

function seconds(time: string | undefined): number {
  return time === undefined ? 0 : Math.floor(Date.parse(time) / 1000);
}

/** encodeManagedFields; undefined when no manager owns anything. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.fields) {
    const info = parseManagerId(id);
    const e: ManagedFieldsEntry = { manager: info.manager, operation: vs.applied ? 'Apply' : info.operation, apiVersion: vs.apiVersion };
    const time = managed.times.get(id);
    if (time !== undefined) e.time = time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = toFieldsV1(vs.set);
    if (info.subresource) e.subresource = info.subresource;
    out.push(e);
  }
  return out.sort(compareEntries);
}

function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  if (p.operation !== q.operation) return compareStrings(str(p.operation), str(q.operation));
  const ps = seconds(p.time);
  const qs = seconds(q.time);
  if (ps !== qs) return ps < qs ? -1 : 1;
  return compareStrings(str(p.manager), str(q.manager)) || compareStrings(str(p.apiVersion), str(q.apiVersion))
    || compareStrings(str(p.subresource), str(q.subresource));
}
