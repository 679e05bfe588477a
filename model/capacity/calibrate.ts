// Fits a capacity profile to latencies measured on a real cluster (a bench script sends
// requests of known verb, object count and size, and records how long each took).
// Per verb, non-negative least squares over mean = base + perObject*objects + perKiB*KiB,
// weighted by 1/fitted^2: latency noise grows with the latency (it is multiplicative), and
// unweighted squares would let a few slow LISTs drown the base cost. The log-normal sigma
// comes from the spread of log(measured / fitted).

import { isPlainObject } from '../object.js';
import { invalid, type FieldError, type Status } from '../status.js';
import { CAPACITY_VERBS, type CapacityProfile, type CapacityVerb, type VerbCost } from './profile.js';

export interface CapacitySample {
  readonly verb: CapacityVerb;
  readonly objectCount: number;
  readonly bytes: number;
  /** Measured latency of the request. */
  readonly seconds: number;
}

export interface CalibrationOptions {
  readonly name: string;
  readonly description?: string;
  /** Supplies the verbs no sample measured; without it every verb needs samples. */
  readonly fallback?: CapacityProfile;
}

// Three unknowns need at least three equations.
const MIN_SAMPLES_PER_VERB = 3;
// A pivot this small relative to the matrix means the chosen columns are collinear (e.g. a GET
// whose object count is always 1 cannot tell base from per-object cost).
const SINGULAR = 1e-10;
// A larger model must reduce the squared error by more than rounding to be preferred.
const TIE = 1e-9;
// Reweighting passes after the unweighted fit; the coefficients settle within two or three.
const REWEIGHTS = 3;

interface Row {
  readonly x: readonly [number, number, number];
  readonly y: number;
}

/**
 * Solves the normal equations of the columns in `cols` for least squares; undefined when the
 * columns are collinear. Columns are scaled to unit maximum first so bytes and counts of very
 * different magnitudes stay well-conditioned.
 */
function leastSquares(rows: readonly Row[], w: readonly number[], cols: readonly number[]): number[] | undefined {
  const k = cols.length;
  const scale = cols.map((c) => rows.reduce((m, r) => Math.max(m, Math.abs(r.x[c])), 0) || 1);
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  rows.forEach((r, n) => {
    for (let i = 0; i < k; i++) {
      const xi = (w[n] * r.x[cols[i]]) / scale[i];
      for (let j = 0; j < k; j++) a[i][j] += xi * (r.x[cols[j]] / scale[j]);
      a[i][k] += xi * r.y;
    }
  });
  const trace = a.reduce((s, row, i) => s + row[i], 0);
  for (let p = 0; p < k; p++) {
    let best = p;
    for (let i = p + 1; i < k; i++) if (Math.abs(a[i][p]) > Math.abs(a[best][p])) best = i;
    if (Math.abs(a[best][p]) <= SINGULAR * trace) return undefined;
    [a[p], a[best]] = [a[best], a[p]];
    for (let i = p + 1; i < k; i++) {
      const f = a[i][p] / a[p][p];
      for (let j = p; j <= k; j++) a[i][j] -= f * a[p][j];
    }
  }
  const beta = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) {
    let s = a[i][k];
    for (let j = i + 1; j < k; j++) s -= a[i][j] * beta[j];
    beta[i] = s / a[i][i];
  }
  return beta.map((b, i) => b / scale[i]);
}

function predict(r: Row, coef: readonly number[]): number {
  return coef[0] * r.x[0] + coef[1] * r.x[1] + coef[2] * r.x[2];
}

function sse(rows: readonly Row[], w: readonly number[], coef: readonly number[]): number {
  let s = 0;
  rows.forEach((r, n) => {
    const e = r.y - predict(r, coef);
    s += w[n] * e * e;
  });
  return s;
}

// Column subsets, fewest terms first, so among equally good fits the simpler one is kept.
const SUBSETS: readonly (readonly number[])[] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

/**
 * Non-negative least squares by trying every subset of the three terms: with three unknowns
 * the exact optimum is the best feasible unconstrained fit over the subsets.
 */
function nnls(rows: readonly Row[], w: readonly number[]): [number, number, number] {
  let best: [number, number, number] = [0, 0, 0];
  let bestSse = sse(rows, w, best);
  for (const cols of SUBSETS.slice(1)) {
    const beta = leastSquares(rows, w, cols);
    if (!beta || beta.some((b) => b < 0)) continue;
    const coef: [number, number, number] = [0, 0, 0];
    cols.forEach((c, i) => { coef[c] = beta[i]; });
    const e = sse(rows, w, coef);
    if (e < bestSse * (1 - TIE)) {
      best = coef;
      bestSse = e;
    }
  }
  return best;
}

function fitVerb(rows: readonly Row[]): [number, number, number] {
  let coef = nnls(rows, rows.map(() => 1));
  for (let pass = 0; pass < REWEIGHTS; pass++) {
    const fitted = rows.map((r) => predict(r, coef));
    // A zero fit (all-zero samples) keeps weight 1 rather than dividing by zero.
    coef = nnls(rows, fitted.map((f) => (f > 0 ? 1 / (f * f) : 1)));
  }
  return coef;
}

function logSpread(residuals: readonly number[]): number {
  if (residuals.length < 2) return 0;
  const mean = residuals.reduce((s, r) => s + r, 0) / residuals.length;
  const variance = residuals.reduce((s, r) => s + (r - mean) ** 2, 0) / (residuals.length - 1);
  return Math.sqrt(variance);
}

function checkSample(s: unknown, i: number, errs: FieldError[]): s is CapacitySample {
  const at = `samples[${i}]`;
  if (!isPlainObject(s)) {
    errs.push({ type: 'FieldValueInvalid', field: at, value: s, detail: 'must be {verb, objectCount, bytes, seconds}' });
    return false;
  }
  const before = errs.length;
  if (!CAPACITY_VERBS.includes(s.verb as CapacityVerb)) {
    errs.push({ type: 'FieldValueNotSupported', field: `${at}.verb`, value: s.verb,
      detail: `supported values: ${CAPACITY_VERBS.map((v) => `"${v}"`).join(', ')}` });
  }
  for (const key of ['objectCount', 'bytes', 'seconds'] as const) {
    const v = s[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      errs.push({ type: 'FieldValueInvalid', field: `${at}.${key}`, value: v, detail: 'must be a non-negative number' });
    }
  }
  return errs.length === before;
}

/** Fits a profile to measured samples. Sample seconds become milliseconds in the profile. */
export function calibrateProfile(samples: readonly CapacitySample[], options: CalibrationOptions): CapacityProfile | Status {
  const errs: FieldError[] = [];
  const byVerb = new Map<CapacityVerb, Row[]>();
  samples.forEach((s, i) => {
    if (!checkSample(s, i, errs)) return;
    const rows = byVerb.get(s.verb) ?? [];
    rows.push({ x: [1, s.objectCount, s.bytes / 1024], y: s.seconds * 1000 });
    byVerb.set(s.verb, rows);
  });

  const verbs = {} as Record<CapacityVerb, VerbCost>;
  const residuals: number[] = [];
  for (const verb of CAPACITY_VERBS) {
    const rows = byVerb.get(verb) ?? [];
    if (rows.length === 0 && options.fallback) {
      verbs[verb] = options.fallback.verbs[verb];
      continue;
    }
    if (rows.length < MIN_SAMPLES_PER_VERB) {
      errs.push({ type: 'FieldValueRequired', field: `verbs.${verb}`,
        detail: `${rows.length} sample(s), at least ${MIN_SAMPLES_PER_VERB} needed${rows.length === 0 ? ' (or a fallback profile)' : ''}` });
      continue;
    }
    const [baseMs, perObjectMs, perKiBMs] = fitVerb(rows);
    verbs[verb] = { baseMs, perObjectMs, perKiBMs, source: `least squares over ${rows.length} measured samples` };
    for (const r of rows) {
      const fitted = predict(r, [baseMs, perObjectMs, perKiBMs]);
      if (fitted > 0 && r.y > 0) residuals.push(Math.log(r.y / fitted));
    }
  }
  if (errs.length) return invalid('CapacityProfile', '', options.name, errs);
  return {
    name: options.name,
    ...(options.description !== undefined ? { description: options.description } : {}),
    jitterSigma: logSpread(residuals),
    jitterSource: `standard deviation of log(measured/fitted) over ${residuals.length} samples`,
    verbs,
    clusters: {},
  };
}
