// Which Stage applies to an object, and when: kwok's lifecycle.go (Match, ListAllPossible,
// Delay, DelayRangePossible) and expression/selector.go, with the random draws taken from the
// injected Rng instead of math/rand.
import type { KubeObject } from '../../object.js';
import type { Rng } from '../../rng.js';
import { parseGoDuration, parseRFC3339 } from './duration.js';
import { runJq } from './jq.js';
import type { Stage, StageRequirement, StageSelector, ValueFrom } from './types.js';

function labelsMatch(want: Readonly<Record<string, string>> | undefined, have: unknown): boolean {
  if (!want) return true;
  const set = typeof have === 'object' && have !== null ? (have as Record<string, unknown>) : {};
  return Object.entries(want).every(([k, v]) => Object.hasOwn(set, k) && set[k] === v);
}

// selector.go hasValue: strings, and booleans as "true"/"false". Numbers decoded from JSON are
// float64 in kwok and never equal a value, so they do not match here either.
function hasValues(data: readonly unknown[], values: readonly string[]): boolean {
  return data.some((d) => (typeof d === 'string' && values.includes(d)) || (typeof d === 'boolean' && values.includes(String(d))));
}

/** One matchExpressions entry: In / NotIn over the query's outputs, Exists = some output is not null. */
export function requirementMatches(r: StageRequirement, obj: unknown): boolean {
  const data = runJq(r.query, obj);
  // A failed query (e.g. iterating a missing list) counts as "no such key".
  if (data === undefined) return r.operator === 'NotIn' || r.operator === 'DoesNotExist';
  const exists = data.some((d) => d !== null && d !== undefined);
  switch (r.operator) {
    case 'In': return hasValues(data, r.values);
    case 'NotIn': return !hasValues(data, r.values);
    case 'Exists': return exists;
    case 'DoesNotExist': return !exists;
  }
}

export function selectorMatches(sel: StageSelector, obj: KubeObject): boolean {
  return labelsMatch(sel.matchLabels, obj.metadata?.labels)
    && labelsMatch(sel.matchAnnotations, obj.metadata?.annotations)
    && sel.matchExpressions.every((r) => requirementMatches(r, obj));
}

/** Whether the stage's resourceRef names the object's apiVersion and kind and its selector matches. */
export function stageMatches(stage: Stage, obj: KubeObject): boolean {
  if (obj.apiVersion !== stage.resourceRef.apiGroup || obj.kind !== stage.resourceRef.kind) return false;
  return stage.selector !== undefined && selectorMatches(stage.selector, obj);
}

/** Every stage that matches, in the order given. */
export function matchingStages(stages: readonly Stage[], obj: KubeObject): Stage[] {
  return stages.filter((s) => stageMatches(s, obj));
}

// Go's strconv.ParseInt(s, 0, 0): sign, 0x / 0o / 0b / leading-0 octal prefixes, underscores.
function parseGoInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m || /__|_$/.test(m[2])) return undefined;
  let digits = m[2].replace(/_/g, '');
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? (m[1] === '-' ? -n : n) : undefined;
}

/** The stage's weight for this object (weightFrom, else spec.weight); undefined when weightFrom yields a bad value. */
export function weightOf(stage: Stage, obj: KubeObject): number | undefined {
  if (!stage.weightFrom) return stage.weight;
  const out = runJq(stage.weightFrom.query, obj);
  const v = out?.[0];
  if (typeof v === 'string') return v === '' ? undefined : parseGoInt(v);
  if (typeof v === 'number') return Math.trunc(v);
  return stage.weight;
}

/**
 * The stages kwok's ListAllPossible returns: all matches, except that when any has a positive
 * weight only those can be chosen (and stages whose weight could not be read never can).
 */
export function possibleStages(stages: readonly Stage[], obj: KubeObject): Stage[] {
  const matched = matchingStages(stages, obj);
  if (matched.length <= 1) return matched;
  const weights = matched.map((s) => weightOf(s, obj) ?? -1);
  const errors = weights.filter((w) => w < 0).length;
  if (errors === matched.length) return matched;
  const total = weights.reduce((a, w) => a + Math.max(0, w), 0);
  if (total === 0) return errors === 0 ? matched : matched.filter((_, i) => weights[i] >= 0);
  return matched.filter((_, i) => weights[i] > 0);
}

/** The one stage kwok's Match picks: the only match, or a weighted (else uniform) draw from `rng`. */
export function matchStage(stages: readonly Stage[], obj: KubeObject, rng: Rng): Stage | undefined {
  const matched = matchingStages(stages, obj);
  if (matched.length <= 1) return matched[0];
  const weights = matched.map((s) => weightOf(s, obj) ?? -1);
  const total = weights.reduce((a, w) => a + Math.max(0, w), 0);
  if (total === 0) {
    const pool = weights.every((w) => w < 0) ? matched : matched.filter((_, i) => weights[i] >= 0);
    return pool[Math.floor(rng.next() * pool.length)];
  }
  let off = Math.floor(rng.next() * total);
  for (let i = 0; i < matched.length; i++) {
    if (weights[i] <= 0) continue;
    off -= weights[i];
    if (off < 0) return matched[i];
  }
  return matched[matched.length - 1];
}

// value_duration_from.go: a time is "that instant minus now", a string a Go duration; an empty
// string means "no value"; anything else falls back to the fixed milliseconds.
function durationFrom(value: number | undefined, from: ValueFrom | undefined, obj: KubeObject, now: number): number | undefined {
  if (from) {
    const v = runJq(from.query, obj)?.[0];
    if (typeof v === 'string') {
      if (v === '') return undefined;
      const t = parseRFC3339(v);
      if (t !== undefined) return t - now;
      const d = parseGoDuration(v);
      if (d !== undefined) return d;
    }
  }
  return value;
}

/**
 * DelayRangePossible in milliseconds: undefined without spec.delay; [d] without a usable jitter
 * or when the jitter is not above d (kwok then waits the jitter, not d); else [d, jitter].
 */
export function delayRange(stage: Stage, obj: KubeObject, now: number): [number] | [number, number] | undefined {
  const delay = stage.delay;
  if (!delay) return undefined;
  const d = durationFrom(delay.durationMilliseconds ?? 0, delay.durationFrom, obj, now);
  if (d === undefined) return undefined;
  if (delay.jitterDurationMilliseconds === undefined && !delay.jitterDurationFrom) return [d];
  const j = durationFrom(delay.jitterDurationMilliseconds, delay.jitterDurationFrom, obj, now);
  if (j === undefined) return [d];
  return j <= d ? [j] : [d, j];
}

/** Milliseconds until the stage applies: d, or d plus a uniform draw below (jitter - d); never negative. */
export function delayOf(stage: Stage, obj: KubeObject, now: number, rng: Rng): number {
  const r = delayRange(stage, obj, now);
  if (!r) return 0;
  const ms = r.length === 1 ? r[0] : r[0] + Math.floor(rng.next() * (r[1] - r[0]));
  return Math.max(0, ms);
}
