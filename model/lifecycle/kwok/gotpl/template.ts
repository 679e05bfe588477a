// The entry points of the template subset: compile once when a Stage loads, render per object.
// As kwok's gotpl renderer does, the source is trimmed before parsing and the data is the
// object's JSON form.
import { BUILTINS } from './builtins.js';
import { TemplateExecError, execute, type FuncSpec } from './exec.js';
import { TemplateSyntaxError, parseTemplate, type TplNode } from './parse.js';

export type { FuncSpec, TplFunc } from './exec.js';

export interface Template {
  readonly source: string;
  readonly nodes: readonly TplNode[];
}

/** Parses `src`; `funcs` are the names besides Go's builtins that the template may call. */
export function compileTemplate(src: string, funcs: Iterable<string>): Template | { readonly error: string } {
  const names = new Set<string>([...BUILTINS.keys(), ...funcs]);
  try {
    return { source: src, nodes: parseTemplate(src.trim(), names) };
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return { error: `template: ${e.message}` };
    throw e;
  }
}

/** Renders the template over `data` with `funcs` added to (or overriding) Go's builtins. */
export function renderTemplate(t: Template, data: unknown, funcs: ReadonlyMap<string, FuncSpec>): string | { readonly error: string } {
  const all = new Map<string, FuncSpec>(BUILTINS);
  for (const [k, v] of funcs) all.set(k, v);
  try {
    return execute(t.nodes, data, all);
  } catch (e) {
    if (e instanceof TemplateExecError) return { error: `template: ${e.message}` };
    throw e;
  }
}
