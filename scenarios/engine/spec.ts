// The scenario file format (docs/scenarios.md explains it for users) and its loader: parse the
// YAML, check it against the shape below with line numbers, apply `--set` overrides and
// `--scale`, and hand the engine a typed ScenarioSpec.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { ExprError, exprNames, type Value } from './expr.js';
import { documentErrors, formatErrors, ShapeChecker, type Shape } from './shape.js';
import { templateExprs } from './template.js';

export const ACTIONS = ['create', 'apply', 'patch', 'delete', 'wait', 'run'] as const;
export type Action = typeof ACTIONS[number];

export type ParamValue = number | string | boolean;

export interface ParamSpec {
  readonly value: ParamValue;
  /** Multiplied by --scale (and rounded, at least 1) before the run. */
  readonly scaled: boolean;
  readonly description?: string;
}

export interface PhaseSpec {
  readonly name: string;
  readonly action: Action;
  /** Items of the phase; for wait, how many objects must meet the condition. */
  readonly count: number | string;
  /** Cluster of item i (template over `i`, default hub); for wait, of cluster c (over `c`). */
  readonly cluster?: string;
  /** For wait: how many clusters `cluster` ranges over (c = 0 … clusterCount-1). */
  readonly clusterCount?: number | string;
  readonly namespace?: string;
  /** Sets metadata.name of every object of item i (template over `i`), e.g. with a templateFile. */
  readonly objectName?: string;
  /** One object per item, or several created in order. */
  readonly templates?: readonly unknown[];
  readonly patchType?: 'merge' | 'strategic' | 'json';
  readonly fieldManager?: string;
  /** Items started per second (a token bucket on the clock); absent: as fast as the workers go. */
  readonly rate?: number | string;
  readonly workers?: number | string;
  /** Requeues of a failed item (rate limited as a controller's workqueue) before it counts as failed. */
  readonly retries?: number | string;
  readonly timeoutSeconds?: number | string;
  /** wait: what to watch. */
  readonly resource?: { readonly apiVersion: string; readonly kind: string };
  readonly labelSelector?: string;
  /** wait: an expression over the object (`status.phase == 'Running'`); absent: the object exists. */
  readonly until?: string;
  /** wait: until at most `count` objects match (e.g. 0 after deletes). */
  readonly gone?: boolean;
  /** wait: records, under this name, the time from each object's creation to the condition. */
  readonly timing?: string;
  /** run: a TypeScript module (path relative to the scenario file) whose default export runs the phase. */
  readonly module?: string;
  /** run: the module's own settings, templated over the parameters. */
  readonly with?: Readonly<Record<string, unknown>>;
}

export interface StepSpec {
  readonly name: string;
  readonly phases: readonly PhaseSpec[];
}

export interface SloSpec {
  readonly name: string;
  readonly description?: string;
  /** Highest p-th percentile latency over the (verb, resource) pairs of these verbs, as clusterloader2's API responsiveness SLO. */
  readonly latency?: { readonly verbs: readonly string[]; readonly percentile: number };
  readonly timing?: { readonly name: string; readonly percentile: number };
  readonly counter?: string;
  readonly maxMs?: number | string;
  readonly min?: number | string;
  readonly max?: number | string;
}

export interface ClientSpec {
  readonly qps?: number | string;
  readonly burst?: number | string;
  readonly connections?: number | string;
}

export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Options of an embedded target (server/app.ts ServerOptions names), templated over params. */
  readonly server: Readonly<Record<string, unknown>>;
  readonly client: ClientSpec;
  readonly slos: readonly SloSpec[];
  readonly steps: readonly StepSpec[];
}

type OptionKind = 'number' | 'boolean' | 'string' | 'path' | 'paths';

/** The ServerOptions (server/app.ts) a scenario's `server:` block may set for an embedded target, and how each is read. */
export const SERVER_OPTION_KINDS: Readonly<Record<string, OptionKind>> = {
  spokes: 'number', enablePriorityAndFairness: 'boolean', maxRequestsInflight: 'number', maxMutatingRequestsInflight: 'number',
  capacityProfile: 'string', controllers: 'string', hubNodes: 'number', spokeNodes: 'number', crdsDir: 'path',
  kwokStages: 'paths', faultsFile: 'path', watchWindow: 'number',
};

const num: Shape = { kind: 'number' };
const str: Shape = { kind: 'string' };
const bool: Shape = { kind: 'boolean' };

const PARAM: Shape = {
  kind: 'either', describe: 'a number, string, boolean, or {value, scaled, description}',
  of: [num, str, bool, { kind: 'object', fields: { value: { shape: { kind: 'any' }, required: true }, scaled: { shape: bool }, description: { shape: str } } }],
};

const SERVER_VALUE: Shape = { kind: 'either', describe: 'a value or "{{ expression }}"', of: [str, num, bool, { kind: 'array', of: str }] };

const PHASE: Shape = {
  kind: 'object',
  fields: {
    name: { shape: str, required: true },
    action: { shape: { kind: 'string', oneOf: ACTIONS }, required: true },
    count: { shape: num, required: true },
    cluster: { shape: str }, clusterCount: { shape: num }, namespace: { shape: str }, objectName: { shape: str },
    template: { shape: { kind: 'any' } }, templates: { shape: { kind: 'array', of: { kind: 'any' }, minItems: 1 } },
    templateFile: { shape: str },
    patchType: { shape: { kind: 'string', oneOf: ['merge', 'strategic', 'json'] } },
    fieldManager: { shape: str },
    rate: { shape: num }, workers: { shape: num }, retries: { shape: num }, timeoutSeconds: { shape: num },
    resource: { shape: { kind: 'object', fields: { apiVersion: { shape: str, required: true }, kind: { shape: str, required: true } } } },
    labelSelector: { shape: str }, until: { shape: str }, gone: { shape: bool }, timing: { shape: str },
    module: { shape: str }, with: { shape: { kind: 'map', of: { kind: 'any' } } },
  },
};

const SLO: Shape = {
  kind: 'object',
  fields: {
    name: { shape: str, required: true }, description: { shape: str },
    latency: { shape: { kind: 'object', fields: { verbs: { shape: { kind: 'array', of: str, minItems: 1 }, required: true }, percentile: { shape: num, required: true } } } },
    timing: { shape: { kind: 'object', fields: { name: { shape: str, required: true }, percentile: { shape: num, required: true } } } },
    counter: { shape: str }, maxMs: { shape: num }, min: { shape: num }, max: { shape: num },
  },
};

const SCENARIO: Shape = {
  kind: 'object',
  fields: {
    name: { shape: str, required: true },
    description: { shape: str, required: true },
    params: { shape: { kind: 'map', of: PARAM } },
    server: { shape: { kind: 'object', fields: Object.fromEntries(Object.keys(SERVER_OPTION_KINDS).map((k) => [k, { shape: SERVER_VALUE }])) } },
    client: { shape: { kind: 'object', fields: { qps: { shape: num }, burst: { shape: num }, connections: { shape: num } } } },
    slos: { shape: { kind: 'array', of: SLO } },
    steps: {
      shape: { kind: 'array', minItems: 1, of: { kind: 'object', fields: { name: { shape: str, required: true }, phases: { shape: { kind: 'array', of: PHASE, minItems: 1 }, required: true } } } },
      required: true,
    },
  },
};

/** The file as written: one `template` or a `templateFile` instead of `templates`. */
interface RawScenario {
  readonly name: string;
  readonly description: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly server?: Readonly<Record<string, unknown>>;
  readonly client?: ClientSpec;
  readonly slos?: readonly SloSpec[];
  readonly steps: ReadonlyArray<{ readonly name: string; readonly phases: ReadonlyArray<PhaseSpec & { readonly template?: unknown; readonly templateFile?: string }> }>;
}

export class ScenarioError extends Error {}

/** `--set key=value` text to a parameter value: numbers and booleans typed, the rest strings. */
export function parseSetValue(text: string): ParamValue {
  if (text === 'true' || text === 'false') return text === 'true';
  return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
}

function paramOf(v: unknown): ParamSpec {
  if (v !== null && typeof v === 'object' && 'value' in v) {
    const o = v as { value: ParamValue; scaled?: boolean; description?: string };
    return { value: o.value, scaled: o.scaled ?? false, description: o.description };
  }
  return { value: v as ParamValue, scaled: false };
}

/** Reads and checks a scenario file; every problem found is reported at once, with its line. */
export async function loadScenario(file: string, sets: Readonly<Record<string, string>> = {}, scale = 1): Promise<ScenarioSpec> {
  const text = await readFile(file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = documentErrors(doc, lines);
  if (syntax.length) throw new ScenarioError(formatErrors(file, syntax));
  const raw = doc.toJS() as Record<string, unknown> | null;
  const paramNames = Object.keys((raw?.params as Record<string, unknown> | undefined) ?? {});
  const checker = new ShapeChecker(lines, new Set([...paramNames, 'i', 'c']));
  checker.check(doc.contents, SCENARIO, '');
  if (checker.errors.length) throw new ScenarioError(formatErrors(file, checker.errors));
  const spec = raw as unknown as RawScenario;

  const problems: string[] = [];
  for (const key of Object.keys(sets)) {
    if (!paramNames.includes(key)) problems.push(`--set ${key}: no such parameter; this scenario has ${paramNames.join(', ') || 'none'}`);
  }
  const params: Record<string, ParamSpec> = {};
  for (const name of paramNames) {
    const p = paramOf(spec.params?.[name]);
    const value = name in sets ? parseSetValue(sets[name]) : p.value;
    params[name] = { ...p, value: p.scaled && typeof value === 'number' ? Math.max(1, Math.round(value * scale)) : value };
  }

  const known = new Set([...paramNames, 'i', 'c']);
  const steps: StepSpec[] = [];
  for (const [s, step] of spec.steps.entries()) {
    const phases: PhaseSpec[] = [];
    for (const [p, phase] of step.phases.entries()) {
      const where = `steps[${s}].phases[${p}] (${phase.name})`;
      const { template, templateFile, ...rest } = phase;
      let templates = phase.templates;
      if (template !== undefined) templates = [template];
      if (templateFile) templates = await readTemplates(resolve(dirname(file), templateFile), where);
      const needsTemplate = phase.action !== 'wait' && phase.action !== 'run';
      if (phase.action === 'run' && !phase.module) problems.push(`${where}: run needs module (a TypeScript file)`);
      const module = phase.module === undefined ? {} : { module: resolve(dirname(file), phase.module) };
      if (needsTemplate && !templates?.length) problems.push(`${where}: ${phase.action} needs template, templates or templateFile`);
      if (phase.action === 'wait' && !phase.resource) problems.push(`${where}: wait needs resource {apiVersion, kind}`);
      if (phase.action === 'patch' && !phase.patchType) problems.push(`${where}: patch needs patchType (merge, strategic or json)`);
      for (const src of templateExprs(templates ?? [])) {
        try {
          for (const n of exprNames(src)) if (!known.has(n)) problems.push(`${where}: template uses unknown name "${n}" in "{{${src}}}"`);
        } catch (e) {
          if (!(e instanceof ExprError)) throw e;
          problems.push(`${where}: ${e.message}`);
        }
      }
      phases.push({ ...rest, ...module, templates });
    }
    steps.push({ name: step.name, phases });
  }
  for (const [k, slo] of (spec.slos ?? []).entries()) {
    const kinds = [slo.latency, slo.timing, slo.counter].filter((x) => x !== undefined).length;
    if (kinds !== 1) problems.push(`slos[${k}] (${slo.name}): needs exactly one of latency, timing or counter`);
    else if (slo.counter !== undefined && slo.min === undefined && slo.max === undefined) problems.push(`slos[${k}] (${slo.name}): a counter SLO needs min or max`);
    else if (slo.counter === undefined && slo.maxMs === undefined) problems.push(`slos[${k}] (${slo.name}): needs maxMs`);
  }
  if (problems.length) throw new ScenarioError(problems.map((m) => `${file}: ${m}`).join('\n'));
  return {
    name: spec.name, description: spec.description, file, params,
    server: spec.server ?? {}, client: spec.client ?? {}, slos: spec.slos ?? [], steps,
  };
}

async function readTemplates(path: string, where: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ScenarioError(`${where}: templateFile ${path} cannot be read`);
  }
  return parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((d) => d !== null);
}

/** Scope of parameter values, for expressions outside item loops. */
export function paramScope(spec: ScenarioSpec): (name: string) => Value {
  return (name) => spec.params[name]?.value;
}
