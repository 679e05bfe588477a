// Executes a parsed template over decoded JSON, as text/template's exec.go does, with one
// deliberate difference: where Go fails on walking into a JSON null (`nil pointer evaluating
// interface {}.x`), this yields "no value" like a missing key, so a stage does not stall on an
// object that has `status: null`. Values: `undefined` is Go's invalid value (a missing map
// key, printed "<no value>"), `null` is a nil interface (printed "<nil>").
import { goSprint } from '../../../patch/go-format.js';
import { isPlainObject } from '../../../object.js';
import type { ControlNode, Operand, Pipe, TplNode } from './parse.js';

export type TplFunc = (...args: unknown[]) => unknown;

/** A template function with the argument counts Go would accept for its signature. */
export interface FuncSpec {
  readonly fn: TplFunc;
  readonly min: number;
  readonly max: number;
}

export class TemplateExecError {
  constructor(readonly message: string) {}
}

const NO_FINAL: unique symbol = Symbol('no final');
type Final = unknown;

interface Var {
  readonly name: string;
  value: unknown;
}

/** Go's truth(): the emptiness test behind if, with, and, or, not. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

export function goTypeOf(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** fmt.Fprint of a pipeline's value, as an action prints it. */
export function printValue(v: unknown): string {
  return v === undefined ? '<no value>' : goSprint(v);
}

export function execute(nodes: readonly TplNode[], data: unknown, funcs: ReadonlyMap<string, FuncSpec>): string {
  const out: string[] = [];
  new State(out, data, funcs).walk(data, nodes);
  return out.join('');
}

class State {
  private readonly vars: Var[];

  constructor(private readonly out: string[], root: unknown, private readonly funcs: ReadonlyMap<string, FuncSpec>) {
    this.vars = [{ name: '$', value: root }];
  }

  walk(dot: unknown, nodes: readonly TplNode[]): void {
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          this.out.push(n.text);
          break;
        case 'action': {
          const v = this.pipe(dot, n.pipe);
          if (n.pipe.decl.length === 0) this.out.push(printValue(v));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.pipe(dot, n.pipe);
          if (truth(v)) this.walk(n.t === 'with' ? v : dot, n.list);
          else if (n.elseList) this.walk(dot, n.elseList);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.range(dot, n);
          break;
      }
    }
  }

  private range(dot: unknown, n: ControlNode): void {
    const mark = this.vars.length;
    const v = this.pipe(dot, n.pipe);
    let entries: [unknown, unknown][];
    if (v === undefined || v === null) entries = [];
    else if (Array.isArray(v)) entries = v.map((e, i) => [i, e]);
    // Go ranges over a map in sorted key order.
    else if (isPlainObject(v)) entries = Object.keys(v).sort().map((k) => [k, v[k]]);
    else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else throw new TemplateExecError(`range can't iterate over ${printValue(v)}`);
    const decl = n.pipe.decl;
    for (const [key, elem] of entries) {
      const iterMark = this.vars.length;
      // The pipeline declared its variables already; set them per iteration (exec.go setTopVar).
      if (decl.length === 1) this.vars[this.vars.length - 1].value = elem;
      if (decl.length === 2) {
        this.vars[this.vars.length - 2].value = key;
        this.vars[this.vars.length - 1].value = elem;
      }
      this.walk(elem, n.list);
      this.vars.length = iterMark;
    }
    if (entries.length === 0 && n.elseList) this.walk(dot, n.elseList);
    this.vars.length = mark;
  }

  private pipe(dot: unknown, p: Pipe): unknown {
    let value: unknown;
    let final: Final = NO_FINAL;
    for (const cmd of p.cmds) {
      value = this.command(dot, cmd, final);
      final = value;
    }
    for (const name of p.decl) {
      if (p.assign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private command(dot: unknown, cmd: readonly Operand[], final: Final): unknown {
    const first = cmd[0];
    if (first.k === 'ident') return this.call(dot, first.name, cmd.slice(1), final);
    if (cmd.length > 1 || final !== NO_FINAL) throw new TemplateExecError(`can't give argument to non-function ${describe(first)}`);
    return this.operand(dot, first);
  }

  private operand(dot: unknown, op: Operand): unknown {
    switch (op.k) {
      case 'dot': return dot;
      case 'field': return fieldChain(dot, op.path);
      case 'var': return fieldChain(this.lookup(op.name), op.path);
      case 'const': return op.value;
      case 'pipe': return this.pipe(dot, op.pipe);
      case 'ident': return this.call(dot, op.name, [], NO_FINAL);
    }
  }

  private call(dot: unknown, name: string, argOps: readonly Operand[], final: Final): unknown {
    if (name === 'and' || name === 'or') {
      // Short-circuit, returning the deciding operand itself, as Go 1.18+ does.
      let v: unknown;
      for (const a of argOps) {
        v = this.operand(dot, a);
        if (truth(v) === (name === 'or')) return v;
      }
      return final !== NO_FINAL ? final : v;
    }
    const spec = this.funcs.get(name);
    if (!spec) throw new TemplateExecError(`function "${name}" not defined`);
    const args = argOps.map((a) => this.operand(dot, a));
    if (final !== NO_FINAL) args.push(final);
    if (args.length < spec.min || args.length > spec.max) {
      const want = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min}-${spec.max}`;
      throw new TemplateExecError(`wrong number of args for ${name}: want ${want} got ${args.length}`);
    }
    return spec.fn(...args);
  }

  private lookup(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    throw new TemplateExecError(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    throw new TemplateExecError(`undefined variable: ${name}`);
  }
}

function fieldChain(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const name of path) {
    if (cur === undefined || cur === null) return undefined;
    if (!isPlainObject(cur)) throw new TemplateExecError(`can't evaluate field ${name} in type ${goTypeOf(cur)}`);
    cur = Object.hasOwn(cur, name) ? cur[name] : undefined;
  }
  return cur;
}

function describe(op: Operand): string {
  switch (op.k) {
    case 'field': return `.${op.path.join('.')}`;
    case 'var': return [op.name, ...op.path].join('.');
    case 'const': return JSON.stringify(op.value);
    case 'dot': return '.';
    default: return op.k;
  }
}
