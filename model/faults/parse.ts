// Validation of fault rules documents, and reading them from a file. Every problem is reported
// at once, as a 422 Invalid naming each field, so a rules file can be fixed in one go.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { isPlainObject } from '../object.js';
import { badRequest, invalid, type FieldError, type Status } from '../status.js';
import { dns1123SubdomainErrors } from '../validation.js';
import {
  ACTION_TYPES, ACTION_VERBS, FAULT_VERBS, type FaultAction, type FaultActionType, type FaultMatch, type FaultRule,
  type FaultVerb, type UserAgentMatch,
} from './rules.js';

const ACTION_KEYS: Readonly<Record<FaultActionType, readonly string[]>> = {
  latency: ['type', 'ms', 'minMs', 'maxMs'],
  tooManyRequests: ['type', 'retryAfterSeconds', 'afterMs'],
  internalError: ['type', 'cause', 'afterMs'],
  serviceUnavailable: ['type', 'afterMs'],
  timeout: ['type', 'afterMs'],
  conflict: ['type', 'afterMs'],
  databaseSpaceExceeded: ['type', 'afterMs'],
  cutWatch: ['type', 'afterEvents'],
  expireWatch: ['type', 'afterEvents', 'reason'],
};

const RULE_KEYS = ['name', 'match', 'probability', 'action'];
const MATCH_KEYS = ['clusters', 'verbs', 'resources', 'namespaces', 'userAgent'];
// `resource` or `resource.group`, lowercase as discovery names them.
const RESOURCE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DEFAULT_RETRY_AFTER_SECONDS = 1;

function supported(values: readonly string[]): string {
  return `supported values: ${values.map((v) => JSON.stringify(v)).join(', ')}`;
}

function unknownKeys(o: Record<string, unknown>, allowed: readonly string[], field: string, errs: FieldError[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) errs.push({ type: 'FieldValueNotSupported', field: field ? `${field}.${k}` : k, value: k, detail: supported(allowed) });
  }
}

function number(o: Record<string, unknown>, key: string, field: string, errs: FieldError[], opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const min = opts.min ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (opts.max !== undefined && v > opts.max) || (opts.integer && !Number.isInteger(v))) {
    const what = opts.integer ? 'an integer' : 'a number';
    errs.push({ type: 'FieldValueInvalid', field: `${field}.${key}`, value: v,
      detail: opts.max !== undefined ? `must be ${what} between ${min} and ${opts.max}` : `must be ${what} of at least ${min}` });
    return undefined;
  }
  return v;
}

function stringList(v: unknown, field: string, errs: FieldError[], check?: (s: string) => string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) {
    errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be a non-empty list of strings (omit it to match all)' });
    return undefined;
  }
  const before = errs.length;
  v.forEach((s: unknown, i) => {
    const problem = typeof s !== 'string' || s === '' ? 'must be a non-empty string' : check?.(s);
    if (problem) errs.push({ type: 'FieldValueInvalid', field: `${field}[${i}]`, value: s, detail: problem });
  });
  return errs.length === before ? (v.slice() as string[]) : undefined;
}

function userAgent(v: unknown, field: string, errs: FieldError[]): UserAgentMatch | undefined {
  if (v === undefined) return undefined;
  const keys = isPlainObject(v) ? Object.keys(v) : [];
  if (!isPlainObject(v) || keys.length !== 1 || !['substring', 'regex'].includes(keys[0]) || typeof v[keys[0]] !== 'string' || v[keys[0]] === '') {
    errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be {substring: "<text>"} or {regex: "<pattern>"}' });
    return undefined;
  }
  if (typeof v.substring === 'string') return { substring: v.substring };
  const regex = v.regex as string;
  try {
    new RegExp(regex);
  } catch (e) {
    errs.push({ type: 'FieldValueInvalid', field: `${field}.regex`, value: regex, detail: (e as Error).message });
    return undefined;
  }
  return { regex };
}

function match(v: unknown, field: string, errs: FieldError[]): FaultMatch {
  if (v === undefined) return {};
  if (!isPlainObject(v)) {
    errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be an object' });
    return {};
  }
  unknownKeys(v, MATCH_KEYS, field, errs);
  const verbs = stringList(v.verbs, `${field}.verbs`, errs,
    (s) => (FAULT_VERBS.includes(s as FaultVerb) ? undefined : supported(FAULT_VERBS))) as FaultVerb[] | undefined;
  const resources = stringList(v.resources, `${field}.resources`, errs,
    (s) => (RESOURCE.test(s) ? undefined : 'must be a lowercase resource, or resource.group (e.g. "pods", "deployments.apps")'));
  const clusters = stringList(v.clusters, `${field}.clusters`, errs);
  const namespaces = stringList(v.namespaces, `${field}.namespaces`, errs);
  const ua = userAgent(v.userAgent, `${field}.userAgent`, errs);
  return {
    ...(clusters ? { clusters } : {}),
    ...(verbs ? { verbs } : {}),
    ...(resources ? { resources } : {}),
    ...(namespaces ? { namespaces } : {}),
    ...(ua ? { userAgent: ua } : {}),
  };
}

function action(v: unknown, field: string, errs: FieldError[]): FaultAction | undefined {
  if (!isPlainObject(v)) {
    errs.push(v === undefined ? { type: 'FieldValueRequired', field } : { type: 'FieldValueInvalid', field, value: v, detail: 'must be an object' });
    return undefined;
  }
  const type = v.type as FaultActionType;
  if (!ACTION_TYPES.includes(type)) {
    errs.push(v.type === undefined ? { type: 'FieldValueRequired', field: `${field}.type` }
      : { type: 'FieldValueNotSupported', field: `${field}.type`, value: v.type, detail: supported(ACTION_TYPES) });
    return undefined;
  }
  const before = errs.length;
  unknownKeys(v, ACTION_KEYS[type], field, errs);
  const afterMs = number(v, 'afterMs', field, errs);
  const delayed = afterMs !== undefined ? { afterMs } : {};
  let out: FaultAction | undefined;
  switch (type) {
    case 'latency': {
      const ms = number(v, 'ms', field, errs);
      const minMs = number(v, 'minMs', field, errs);
      const maxMs = number(v, 'maxMs', field, errs);
      const fixed = 'ms' in v;
      if (fixed === ('minMs' in v || 'maxMs' in v) || (!fixed && !('minMs' in v && 'maxMs' in v))) {
        errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'latency needs either ms, or both minMs and maxMs' });
      } else if (fixed) {
        if (ms !== undefined) out = { type, ms };
      } else if (minMs !== undefined && maxMs !== undefined) {
        if (minMs > maxMs) errs.push({ type: 'FieldValueInvalid', field: `${field}.maxMs`, value: maxMs, detail: `must be at least minMs (${minMs})` });
        else out = { type, minMs, maxMs };
      }
      break;
    }
    case 'tooManyRequests': {
      const retryAfterSeconds = number(v, 'retryAfterSeconds', field, errs, { integer: true, min: 1 }) ?? DEFAULT_RETRY_AFTER_SECONDS;
      out = { type, retryAfterSeconds, ...delayed };
      break;
    }
    case 'internalError': {
      if (v.cause !== undefined && typeof v.cause !== 'string') {
        errs.push({ type: 'FieldValueInvalid', field: `${field}.cause`, value: v.cause, detail: 'must be a string' });
      }
      out = { type, ...(typeof v.cause === 'string' ? { cause: v.cause } : {}), ...delayed };
      break;
    }
    case 'cutWatch':
    case 'expireWatch': {
      const afterEvents = number(v, 'afterEvents', field, errs, { integer: true });
      if (!('afterEvents' in v)) errs.push({ type: 'FieldValueRequired', field: `${field}.afterEvents` });
      const reason = v.reason ?? 'Expired';
      if (type === 'expireWatch' && reason !== 'Expired' && reason !== 'Gone') {
        errs.push({ type: 'FieldValueNotSupported', field: `${field}.reason`, value: reason, detail: supported(['Expired', 'Gone']) });
      }
      if (afterEvents === undefined) break;
      out = type === 'cutWatch' ? { type, afterEvents } : { type, afterEvents, reason: reason as 'Expired' | 'Gone' };
      break;
    }
    default:
      out = { type, ...delayed };
  }
  return errs.length === before ? out : undefined;
}

function rule(v: unknown, field: string, seen: Set<string>, errs: FieldError[]): FaultRule | undefined {
  if (!isPlainObject(v)) {
    errs.push({ type: 'FieldValueInvalid', field, value: v, detail: 'must be an object' });
    return undefined;
  }
  const before = errs.length;
  unknownKeys(v, RULE_KEYS, field, errs);
  const name = typeof v.name === 'string' ? v.name : '';
  if (v.name === undefined) errs.push({ type: 'FieldValueRequired', field: `${field}.name` });
  else if (typeof v.name !== 'string') errs.push({ type: 'FieldValueInvalid', field: `${field}.name`, value: v.name, detail: 'must be a string' });
  else for (const e of dns1123SubdomainErrors(name)) errs.push({ type: 'FieldValueInvalid', field: `${field}.name`, value: name, detail: e });
  if (name && seen.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${field}.name`, value: name });
  seen.add(name);
  const probability = number(v, 'probability', field, errs, { max: 1 }) ?? 1;
  const m = match(v.match, `${field}.match`, errs);
  const a = action(v.action, `${field}.action`, errs);
  if (a && m.verbs && !m.verbs.some((verb) => ACTION_VERBS[a.type].includes(verb))) {
    errs.push({ type: 'FieldValueInvalid', field: `${field}.match.verbs`, value: m.verbs,
      detail: `action ${a.type} happens only to ${ACTION_VERBS[a.type].join(', ')}` });
  }
  if (errs.length !== before || !a) return undefined;
  return { name, match: m, probability, action: a };
}

/** Validates a rules document (`{rules: [...]}`), reporting every problem at once. */
export function parseFaultRules(doc: unknown, origin: string): readonly FaultRule[] | Status {
  const errs: FieldError[] = [];
  if (!isPlainObject(doc) || !Array.isArray(doc.rules)) {
    errs.push({ type: 'FieldValueRequired', field: 'rules', detail: 'a rules document is {rules: [...]}' });
    return invalid('FaultRules', '', origin, errs);
  }
  unknownKeys(doc, ['rules'], '', errs);
  const seen = new Set<string>();
  const rules = doc.rules.map((r: unknown, i) => rule(r, `rules[${i}]`, seen, errs));
  return errs.length ? invalid('FaultRules', '', origin, errs) : (rules as FaultRule[]);
}

/** Reads a rules file given at start; YAML, so JSON too. */
export function loadFaultRulesFile(path: string): readonly FaultRule[] | Status {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return badRequest(`fault rules "${path}": ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return badRequest(`fault rules "${path}" are not valid YAML or JSON: ${(e as Error).message}`);
  }
  return parseFaultRules(doc, path);
}
