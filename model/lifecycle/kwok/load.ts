// Reading Stage documents: YAML (one or many documents) or JSON, validated as the Stage CRD and
// kwok's lifecycle.NewStage would (operators, values, expressions), with jq keys and templates
// compiled up front. Every problem of every Stage is reported at once as a 422 Invalid, field
// by field, so a stage file can be fixed in one go. Unknown fields are refused too: a typo such
// as `selecter` would otherwise leave a stage that silently never matches.
import { parseAllDocuments } from 'yaml';
import { isPlainObject } from '../../object.js';
import { Status, badRequest, invalid, type FieldError } from '../../status.js';
import { KWOK_FUNC_NAMES } from './funcs.js';
import { compileTemplate } from './gotpl/template.js';
import { compileJq, type JqQuery } from './jq.js';
import {
  STAGE_API_VERSION, STAGE_KIND, type SelectorOperator, type Stage, type StageDelay, type StageEvent, type StageFinalizers,
  type StagePatch, type StagePatchType, type StageRequirement, type StageSelector, type StageSource, type StageStep, type ValueFrom,
} from './types.js';

type Obj = Record<string, unknown>;

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const PATCH_TYPES: readonly StagePatchType[] = ['json', 'merge', 'strategic'];

class Checker {
  readonly errs: FieldError[] = [];

  add(type: FieldError['type'], field: string, value: unknown, detail: string): void {
    this.errs.push({ type, field, value, detail });
  }

  keys(o: Obj, allowed: readonly string[], field: string, unsupported: Readonly<Record<string, string>> = {}): void {
    for (const k of Object.keys(o)) {
      if (k in unsupported) this.add('FieldValueNotSupported', `${field}.${k}`, k, unsupported[k]);
      else if (!allowed.includes(k)) this.add('FieldValueNotSupported', `${field}.${k}`, k, `unknown field; supported: ${allowed.join(', ')}`);
    }
  }

  obj(v: unknown, field: string): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (isPlainObject(v)) return v;
    this.add('FieldValueTypeInvalid', field, v, 'must be an object');
    return undefined;
  }

  str(v: unknown, field: string, required = false): string | undefined {
    if (v === undefined || v === null) {
      if (required) this.errs.push({ type: 'FieldValueRequired', field, detail: '' });
      return undefined;
    }
    if (typeof v === 'string') return v;
    this.add('FieldValueTypeInvalid', field, v, 'must be a string');
    return undefined;
  }

  bool(v: unknown, field: string): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    this.add('FieldValueTypeInvalid', field, v, 'must be a boolean');
    return false;
  }

  int(v: unknown, field: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    this.add('FieldValueInvalid', field, v, 'must be an integer of at least 0');
    return undefined;
  }

  strMap(v: unknown, field: string): Record<string, string> | undefined {
    const o = this.obj(v, field);
    if (!o) return undefined;
    for (const [k, x] of Object.entries(o)) if (typeof x !== 'string') this.add('FieldValueTypeInvalid', `${field}.${k}`, x, 'must be a string');
    return { ...(o as Record<string, string>) };
  }

  jq(src: string, field: string): JqQuery | undefined {
    const q = compileJq(src);
    if ('error' in q) {
      this.add('FieldValueInvalid', field, src, q.error);
      return undefined;
    }
    return q;
  }
}

function valueFrom(c: Checker, v: unknown, field: string): ValueFrom | undefined {
  const o = c.obj(v, field);
  if (!o) return undefined;
  c.keys(o, ['expressionFrom', 'jq'], field, { cel: 'CEL expressions are not supported by kemu; use jq' });
  const jq = c.obj(o.jq, `${field}.jq`);
  const expression = jq ? c.str(jq.expression, `${field}.jq.expression`, true) : c.str(o.expressionFrom, `${field}.expressionFrom`);
  if (expression === undefined) {
    if (!jq && o.cel === undefined) c.errs.push({ type: 'FieldValueRequired', field: `${field}.jq`, detail: 'one of jq or expressionFrom is required' });
    return undefined;
  }
  const query = c.jq(expression, jq ? `${field}.jq.expression` : `${field}.expressionFrom`);
  return query && { expression, query };
}

function requirement(c: Checker, v: unknown, field: string): StageRequirement | undefined {
  let o = c.obj(v, field);
  if (!o) return undefined;
  c.keys(o, ['key', 'operator', 'values', 'jq'], field, { cel: 'CEL selectors are not supported by kemu; use jq' });
  if (o.cel !== undefined && o.jq === undefined && o.key === undefined) return undefined;
  if (o.jq !== undefined) {
    field = `${field}.jq`;
    o = c.obj(o.jq, field);
    if (!o) return undefined;
    c.keys(o, ['key', 'operator', 'values'], field);
  }
  const key = c.str(o.key, `${field}.key`, true);
  const operator = c.str(o.operator, `${field}.operator`, true);
  let values: string[] = [];
  if (o.values !== undefined && o.values !== null) {
    if (Array.isArray(o.values) && o.values.every((x) => typeof x === 'string')) values = o.values.slice() as string[];
    else c.add('FieldValueTypeInvalid', `${field}.values`, o.values, 'must be a list of strings');
  }
  if (operator !== undefined && !OPERATORS.includes(operator as SelectorOperator)) {
    c.add('FieldValueNotSupported', `${field}.operator`, operator, `supported values: ${OPERATORS.map((x) => `"${x}"`).join(', ')}`);
    return undefined;
  }
  // expression.NewRequirement's rules.
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) c.add('FieldValueRequired', `${field}.values`, values, "for 'in', 'notin' operators, values set can't be empty");
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length !== 0) c.add('FieldValueForbidden', `${field}.values`, values, 'values set must be empty for exists and does not exist');
  const query = key === undefined ? undefined : c.jq(key, `${field}.key`);
  return key !== undefined && query && operator ? { key, operator: operator as SelectorOperator, values, query } : undefined;
}

function selector(c: Checker, v: unknown, field: string): StageSelector | undefined {
  const o = c.obj(v, field);
  if (!o) return undefined;
  c.keys(o, ['matchLabels', 'matchAnnotations', 'matchExpressions'], field);
  const exprs = o.matchExpressions ?? [];
  if (!Array.isArray(exprs)) c.add('FieldValueTypeInvalid', `${field}.matchExpressions`, exprs, 'must be a list');
  const matchExpressions = Array.isArray(exprs) ? exprs.map((e, i) => requirement(c, e, `${field}.matchExpressions[${i}]`)) : [];
  return {
    matchLabels: c.strMap(o.matchLabels, `${field}.matchLabels`),
    matchAnnotations: c.strMap(o.matchAnnotations, `${field}.matchAnnotations`),
    matchExpressions: matchExpressions.filter((r): r is StageRequirement => r !== undefined),
  };
}

function delay(c: Checker, v: unknown, field: string): StageDelay | undefined {
  const o = c.obj(v, field);
  if (!o) return undefined;
  c.keys(o, ['durationMilliseconds', 'durationFrom', 'jitterDurationMilliseconds', 'jitterDurationFrom'], field);
  return {
    durationMilliseconds: c.int(o.durationMilliseconds, `${field}.durationMilliseconds`),
    durationFrom: valueFrom(c, o.durationFrom, `${field}.durationFrom`),
    jitterDurationMilliseconds: c.int(o.jitterDurationMilliseconds, `${field}.jitterDurationMilliseconds`),
    jitterDurationFrom: valueFrom(c, o.jitterDurationFrom, `${field}.jitterDurationFrom`),
  };
}

function event(c: Checker, v: unknown, field: string): StageEvent | undefined {
  const o = c.obj(v, field);
  if (!o) return undefined;
  c.keys(o, ['type', 'reason', 'message'], field);
  return { type: c.str(o.type, `${field}.type`) ?? '', reason: c.str(o.reason, `${field}.reason`) ?? '', message: c.str(o.message, `${field}.message`) ?? '' };
}

function finalizers(c: Checker, v: unknown, field: string): StageFinalizers | undefined {
  const o = c.obj(v, field);
  if (!o) return undefined;
  c.keys(o, ['add', 'remove', 'empty'], field);
  const items = (x: unknown, f: string): string[] => {
    if (x === undefined || x === null) return [];
    if (!Array.isArray(x)) { c.add('FieldValueTypeInvalid', f, x, 'must be a list of {value: <finalizer>}'); return []; }
    return x.map((it: unknown, i) => c.str(isPlainObject(it) ? it.value : it, `${f}[${i}].value`, true) ?? '');
  };
  return { add: items(o.add, `${field}.add`), remove: items(o.remove, `${field}.remove`), empty: c.bool(o.empty, `${field}.empty`) };
}

function patch(c: Checker, v: unknown, field: string): StagePatch | undefined {
  const o = c.obj(v, field);
  if (!o) return undefined;
  c.keys(o, ['subresource', 'root', 'template', 'type', 'impersonation'], field);
  const type = c.str(o.type, `${field}.type`);
  if (type !== undefined && !PATCH_TYPES.includes(type as StagePatchType)) c.add('FieldValueNotSupported', `${field}.type`, type, 'supported values: "json", "merge", "strategic"');
  const imp = c.obj(o.impersonation, `${field}.impersonation`);
  const src = c.str(o.template, `${field}.template`, true);
  const template = src === undefined ? undefined : compiled(c, src, `${field}.template`);
  if (!template) return undefined;
  return {
    subresource: c.str(o.subresource, `${field}.subresource`) ?? '', root: c.str(o.root, `${field}.root`) ?? '',
    type: type as StagePatchType | undefined, template, impersonation: imp ? c.str(imp.username, `${field}.impersonation.username`, true) : undefined,
  };
}

function compiled(c: Checker, src: string, field: string): StagePatch['template'] | undefined {
  const t = compileTemplate(src, KWOK_FUNC_NAMES);
  if ('error' in t) {
    c.add('FieldValueInvalid', field, '(template)', t.error);
    return undefined;
  }
  return t;
}

/** The deprecated `spec.next`, as the steps kwok turns it into: one step, then one per extra patch. */
function next(c: Checker, v: unknown, field: string): StageStep[] {
  const o = c.obj(v, field) ?? {};
  c.keys(o, ['event', 'finalizers', 'delete', 'statusTemplate', 'statusSubresource', 'statusPatchAs', 'patches'], field);
  const src = c.str(o.statusTemplate, `${field}.statusTemplate`);
  const patchAs = c.obj(o.statusPatchAs, `${field}.statusPatchAs`);
  const template = src ? compiled(c, src, `${field}.statusTemplate`) : undefined;
  // kwok's own stage tests show a statusTemplate becoming a merge patch of `status` on the status subresource.
  const status: StagePatch | undefined = template && {
    subresource: c.str(o.statusSubresource, `${field}.statusSubresource`) ?? 'status', root: 'status', type: 'merge', template,
    impersonation: patchAs ? c.str(patchAs.username, `${field}.statusPatchAs.username`, true) : undefined,
  };
  let patches: unknown[] = [];
  if (Array.isArray(o.patches)) patches = o.patches;
  else if (o.patches !== undefined && o.patches !== null) c.add('FieldValueTypeInvalid', `${field}.patches`, o.patches, 'must be a list');
  const extra = patches.map((p, i) => patch(c, p, `${field}.patches[${i}]`)).filter((p): p is StagePatch => p !== undefined);
  const first: StageStep = {
    event: event(c, o.event, `${field}.event`), finalizers: finalizers(c, o.finalizers, `${field}.finalizers`),
    delete: c.bool(o.delete, `${field}.delete`), patch: status ?? extra.shift(),
  };
  return [first, ...extra.map((p) => ({ delete: false, patch: p }))];
}

function steps(c: Checker, v: unknown, field: string): StageStep[] {
  if (!Array.isArray(v)) { c.add('FieldValueTypeInvalid', field, v, 'must be a list'); return []; }
  return v.map((s, i) => {
    const f = `${field}[${i}]`;
    const o = c.obj(s, f) ?? {};
    c.keys(o, ['event', 'finalizers', 'delete', 'patch'], f, { apply: 'creating other objects (apply) is not supported by kemu' });
    return { event: event(c, o.event, `${f}.event`), finalizers: finalizers(c, o.finalizers, `${f}.finalizers`), delete: c.bool(o.delete, `${f}.delete`), patch: patch(c, o.patch, `${f}.patch`) };
  });
}

/** Validates one decoded Stage document. */
export function parseStage(doc: unknown): Stage | Status {
  const c = new Checker();
  const o = isPlainObject(doc) ? doc : {};
  if (!isPlainObject(doc)) c.add('FieldValueTypeInvalid', '', doc, 'a Stage must be an object');
  if (o.apiVersion !== STAGE_API_VERSION) c.add('FieldValueNotSupported', 'apiVersion', o.apiVersion ?? '', `must be "${STAGE_API_VERSION}"`);
  if (o.kind !== STAGE_KIND) c.add('FieldValueNotSupported', 'kind', o.kind ?? '', `must be "${STAGE_KIND}"`);
  const meta = c.obj(o.metadata, 'metadata') ?? {};
  const name = c.str(meta.name, 'metadata.name', true) ?? '';
  const spec = c.obj(o.spec, 'spec');
  if (!spec) c.errs.push({ type: 'FieldValueRequired', field: 'spec', detail: '' });
  const s = spec ?? {};
  c.keys(s, ['resourceRef', 'selector', 'weight', 'weightFrom', 'delay', 'next', 'steps', 'immediateNextStage'], 'spec');
  const ref = c.obj(s.resourceRef, 'spec.resourceRef');
  if (spec && !ref) c.errs.push({ type: 'FieldValueRequired', field: 'spec.resourceRef', detail: '' });
  if (ref) c.keys(ref, ['apiGroup', 'kind'], 'spec.resourceRef');
  const kind = ref ? c.str(ref.kind, 'spec.resourceRef.kind', true) : undefined;
  if (s.next !== undefined && s.steps !== undefined) c.add('FieldValueForbidden', 'spec.steps', '(steps)', 'may not be set together with spec.next');
  const stage: Stage = {
    name,
    resourceRef: { apiGroup: (ref ? c.str(ref.apiGroup, 'spec.resourceRef.apiGroup') : undefined) || 'v1', kind: kind ?? '' },
    selector: selector(c, s.selector, 'spec.selector'),
    weight: c.int(s.weight, 'spec.weight') ?? 0,
    weightFrom: valueFrom(c, s.weightFrom, 'spec.weightFrom'),
    delay: delay(c, s.delay, 'spec.delay'),
    steps: s.steps !== undefined ? steps(c, s.steps, 'spec.steps') : next(c, s.next, 'spec.next'),
    immediateNextStage: c.bool(s.immediateNextStage, 'spec.immediateNextStage'),
  };
  return c.errs.length ? invalid(STAGE_KIND, 'kwok.x-k8s.io', name, c.errs) : stage;
}

/** Parses and validates the Stages in a YAML/JSON text, or in several named files. */
export function loadStages(input: string | readonly StageSource[]): Stage[] | Status {
  const sources = typeof input === 'string' ? [{ name: '', text: input }] : input;
  const stages: Stage[] = [];
  const failures: Status[] = [];
  for (const src of sources) {
    const where = src.name ? `${src.name}: ` : '';
    for (const [i, doc] of parseAllDocuments(src.text).entries()) {
      if (doc.errors.length) return badRequest(`${where}document ${i + 1}: ${doc.errors[0].message}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      const st = parseStage(value);
      if (st instanceof Status) failures.push(where ? new Status(st.code, st.reason, where + st.message, st.details) : st);
      else stages.push(st);
    }
  }
  if (failures.length === 1) return failures[0];
  if (failures.length > 1) {
    return new Status(422, 'Invalid', failures.map((f) => f.message).join('; '), { kind: STAGE_KIND, group: 'kwok.x-k8s.io', causes: failures.flatMap((f) => f.details?.causes ?? []) });
  }
  const seen = new Set<string>();
  for (const st of stages) {
    if (seen.has(st.name)) return invalid(STAGE_KIND, 'kwok.x-k8s.io', st.name, [{ type: 'FieldValueDuplicate', field: 'metadata.name', value: st.name, detail: 'another Stage has this name' }]);
    seen.add(st.name);
  }
  return stages;
}
