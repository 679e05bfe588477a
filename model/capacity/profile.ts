// A capacity profile: how long a real kube-apiserver with etcd would spend on each request.
// Profiles are data (fixtures/capacity-profiles/*.json) so they can be measured, reviewed and
// calibrated without touching code; this module reads and validates them.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../fixtures.js';
import { isPlainObject } from '../object.js';
import { badRequest, invalid, type FieldError, type Status } from '../status.js';

/**
 * The verbs a profile prices, as RequestInfo names them. `watch` prices only a watch's
 * initialization (its initial events): that is the part that holds a flow-control seat, as
 * APF releases a watch's seat once it is initialized.
 */
export const CAPACITY_VERBS = ['get', 'list', 'create', 'update', 'patch', 'delete', 'deletecollection', 'watch'] as const;
export type CapacityVerb = (typeof CAPACITY_VERBS)[number];

/** Mean service time = baseMs + perObjectMs * objects + perKiBMs * KiB. */
export interface VerbCost {
  readonly baseMs: number;
  /** Per object scanned (lists, watch initialization) or deleted (deletecollection). */
  readonly perObjectMs: number;
  /** Per KiB of payload: the request body for writes, the response body for reads. */
  readonly perKiBMs: number;
  /** Where the numbers come from. */
  readonly source?: string;
}

export interface CapacityProfile {
  readonly name: string;
  readonly description?: string;
  /** Citations the per-verb `source` texts refer to, by short id. */
  readonly sources?: Readonly<Record<string, string>>;
  /**
   * Sigma of the log-normal jitter around the mean (0 = none). The factor has mean 1, so the
   * per-verb numbers stay means and a least-squares calibration stays unbiased.
   */
  readonly jitterSigma: number;
  readonly jitterSource?: string;
  readonly verbs: Readonly<Record<CapacityVerb, VerbCost>>;
  /** Per-cluster slowdown (2 = twice as slow); clusters not listed run at 1. */
  readonly clusters: Readonly<Record<string, number>>;
}

const PROFILES_DIR = 'capacity-profiles';

const PROFILE_KEYS = ['name', 'description', 'sources', 'jitterSigma', 'jitterSource', 'verbs', 'clusters'];
const COST_KEYS = ['baseMs', 'perObjectMs', 'perKiBMs', 'source'];
// A bare name picks a bundled profile; anything else is a path.
const BARE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function quoted(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], field: string, errs: FieldError[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      errs.push({ type: 'FieldValueNotSupported', field: field ? `${field}.${k}` : k, value: k, detail: `supported values: ${quoted(allowed)}` });
    }
  }
}

function nonNegative(v: unknown, field: string, errs: FieldError[]): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (v === undefined) errs.push({ type: 'FieldValueRequired', field });
  else errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be a non-negative number' });
  return 0;
}

function optionalString(v: unknown, field: string, errs: FieldError[]): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be a string' });
  return undefined;
}

function stringMap(v: unknown, field: string, errs: FieldError[]): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) {
    errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be an object of strings' });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) {
    const text = optionalString(s, `${field}.${k}`, errs);
    if (text !== undefined) out[k] = text;
  }
  return out;
}

function verbCost(v: unknown, field: string, errs: FieldError[]): VerbCost {
  if (!isPlainObject(v)) {
    errs.push(v === undefined ? { type: 'FieldValueRequired', field }
      : { type: 'FieldValueInvalid', field, value: v, detail: 'must be an object' });
    return { baseMs: 0, perObjectMs: 0, perKiBMs: 0 };
  }
  checkKeys(v, COST_KEYS, field, errs);
  const source = optionalString(v.source, `${field}.source`, errs);
  return {
    baseMs: nonNegative(v.baseMs, `${field}.baseMs`, errs),
    perObjectMs: nonNegative(v.perObjectMs, `${field}.perObjectMs`, errs),
    perKiBMs: nonNegative(v.perKiBMs, `${field}.perKiBMs`, errs),
    ...(source !== undefined ? { source } : {}),
  };
}

function clusterMultipliers(v: unknown, errs: FieldError[]): Record<string, number> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) {
    errs.push({ type: 'FieldValueInvalid', field: 'clusters', value: v, detail: 'must be an object of cluster name to multiplier' });
    return {};
  }
  const out: Record<string, number> = {};
  for (const [name, m] of Object.entries(v)) {
    if (typeof m === 'number' && Number.isFinite(m) && m > 0) out[name] = m;
    else errs.push({ type: 'FieldValueInvalid', field: `clusters.${name}`, value: m, detail: 'must be a positive number' });
  }
  return out;
}

/** Validates a parsed profile document; every problem is reported at once. */
export function parseCapacityProfile(doc: unknown, origin: string): CapacityProfile | Status {
  const errs: FieldError[] = [];
  if (!isPlainObject(doc)) {
    return invalid('CapacityProfile', '', origin, [{ type: 'FieldValueInvalid', field: '<root>', value: doc, detail: 'must be an object' }]);
  }
  checkKeys(doc, PROFILE_KEYS, '', errs);
  let name = origin;
  if (typeof doc.name === 'string' && doc.name) name = doc.name;
  else errs.push(doc.name === undefined ? { type: 'FieldValueRequired', field: 'name' }
    : { type: 'FieldValueInvalid', field: 'name', value: doc.name, detail: 'must be a non-empty string' });
  const description = optionalString(doc.description, 'description', errs);
  const jitterSource = optionalString(doc.jitterSource, 'jitterSource', errs);
  const sources = stringMap(doc.sources, 'sources', errs);
  const jitterSigma = nonNegative(doc.jitterSigma, 'jitterSigma', errs);

  const verbsDoc = isPlainObject(doc.verbs) ? doc.verbs : {};
  if (!isPlainObject(doc.verbs)) {
    errs.push(doc.verbs === undefined ? { type: 'FieldValueRequired', field: 'verbs' }
      : { type: 'FieldValueInvalid', field: 'verbs', value: doc.verbs, detail: 'must be an object' });
  } else {
    checkKeys(verbsDoc, CAPACITY_VERBS, 'verbs', errs);
  }
  const verbs = {} as Record<CapacityVerb, VerbCost>;
  for (const verb of CAPACITY_VERBS) verbs[verb] = verbCost(verbsDoc[verb], `verbs.${verb}`, errs);
  const clusters = clusterMultipliers(doc.clusters, errs);

  if (errs.length) return invalid('CapacityProfile', '', name, errs);
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    ...(sources !== undefined ? { sources } : {}),
    jitterSigma,
    ...(jitterSource !== undefined ? { jitterSource } : {}),
    verbs,
    clusters,
  };
}

/** The bundled profiles, by name. */
export function bundledProfileNames(): string[] {
  return readdirSync(join(fixturesDir(), PROFILES_DIR))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** `--capacity-profile`: a bundled profile's name (`none`, `default`) or a JSON file's path. */
export function loadCapacityProfile(nameOrPath: string): CapacityProfile | Status {
  const bundled = BARE_NAME.test(nameOrPath);
  if (bundled && !bundledProfileNames().includes(nameOrPath)) {
    return badRequest(`capacity profile "${nameOrPath}" not found; bundled profiles: ${bundledProfileNames().join(', ')}`);
  }
  const path = bundled ? join(fixturesDir(), PROFILES_DIR, `${nameOrPath}.json`) : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return badRequest(`capacity profile "${nameOrPath}": ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return badRequest(`capacity profile "${nameOrPath}" is not valid JSON: ${(e as Error).message}`);
  }
  return parseCapacityProfile(doc, nameOrPath);
}
