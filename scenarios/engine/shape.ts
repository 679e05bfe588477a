// Checks a parsed YAML document against a declared shape before anything runs, so a typo in a
// scenario file is reported as `file:line:col: steps[0].phases[1].acton: unknown field` rather
// than as a failure ten minutes into a run.
import { isMap, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import { ExprError, exprNames } from './expr.js';

export type Shape =
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Field>>; readonly open?: false }
  | { readonly kind: 'map'; readonly of: Shape }
  | { readonly kind: 'array'; readonly of: Shape; readonly minItems?: number }
  | { readonly kind: 'string'; readonly oneOf?: readonly string[] }
  /** A number, or a string expression over the scenario's parameters. */
  | { readonly kind: 'number' }
  | { readonly kind: 'boolean' }
  /** Anything: object templates. */
  | { readonly kind: 'any' }
  | { readonly kind: 'either'; readonly of: readonly Shape[]; readonly describe: string };

export interface Field {
  readonly shape: Shape;
  readonly required?: boolean;
}

export interface ShapeError {
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

export function formatErrors(file: string, errors: readonly ShapeError[]): string {
  return errors.map((e) => `${file}:${e.line}:${e.col}: ${e.path ? `${e.path}: ` : ''}${e.message}`).join('\n');
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function suggest(word: string, known: readonly string[]): string {
  const best = known.map((k) => [k, distance(word.toLowerCase(), k.toLowerCase())] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best[0]}"?)` : '';
}

export class ShapeChecker {
  readonly errors: ShapeError[] = [];
  private readonly lines: LineCounter;

  /** `names`: identifiers an expression may use (parameters, `i`, `c`). */
  constructor(lines: LineCounter, private readonly names: ReadonlySet<string>) {
    this.lines = lines;
  }

  private at(node: Node | null | undefined, path: string, message: string): void {
    const pos = this.lines.linePos(node?.range?.[0] ?? 0);
    this.errors.push({ line: pos.line, col: pos.col, path, message });
  }

  check(node: Node | null | undefined, shape: Shape, path: string): boolean {
    const before = this.errors.length;
    switch (shape.kind) {
      case 'any': return true;
      case 'object': {
        if (!isMap(node)) { this.at(node, path, 'expected a mapping'); return false; }
        const seen = new Set<string>();
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : '';
          seen.add(key);
          const field = shape.fields[key];
          const p = path ? `${path}.${key}` : key;
          if (!field) { this.at(pair.key as Node, p, `unknown field "${key}"${suggest(key, Object.keys(shape.fields))}`); continue; }
          this.check(pair.value as Node, field.shape, p);
        }
        for (const [k, f] of Object.entries(shape.fields)) {
          if (f.required && !seen.has(k)) this.at(node, path, `missing required field "${k}"`);
        }
        break;
      }
      case 'map': {
        if (!isMap(node)) { this.at(node, path, 'expected a mapping'); return false; }
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : '';
          this.check(pair.value as Node, shape.of, path ? `${path}.${key}` : key);
        }
        break;
      }
      case 'array': {
        if (!isSeq(node)) { this.at(node, path, 'expected a list'); return false; }
        if (shape.minItems && node.items.length < shape.minItems) this.at(node, path, `needs at least ${shape.minItems} item(s)`);
        node.items.forEach((item, k) => this.check(item as Node, shape.of, `${path}[${k}]`));
        break;
      }
      case 'string': {
        if (!isScalar(node) || typeof node.value !== 'string') { this.at(node, path, 'expected a string'); return false; }
        if (shape.oneOf && !shape.oneOf.includes(node.value)) {
          this.at(node, path, `"${node.value}" is not one of ${shape.oneOf.join(', ')}${suggest(node.value, shape.oneOf)}`);
        }
        this.checkExprs(node, node.value, path);
        break;
      }
      case 'number': {
        if (!isScalar(node)) { this.at(node, path, 'expected a number or an expression'); return false; }
        if (typeof node.value === 'string') this.checkExpr(node, node.value.replace(/^\{\{(.*)\}\}$/s, '$1'), path);
        else if (typeof node.value !== 'number') { this.at(node, path, 'expected a number or an expression'); return false; }
        break;
      }
      case 'boolean': {
        if (!isScalar(node) || (typeof node.value !== 'boolean' && typeof node.value !== 'string')) { this.at(node, path, 'expected true or false'); return false; }
        if (typeof node.value === 'string') this.checkExpr(node, node.value.replace(/^\{\{(.*)\}\}$/s, '$1'), path);
        break;
      }
      case 'either': {
        const probe = new ShapeChecker(this.lines, this.names);
        if (shape.of.some((s) => { probe.errors.length = 0; return probe.check(node, s, path) && probe.errors.length === 0; })) return true;
        this.at(node, path, `expected ${shape.describe}`);
        return false;
      }
    }
    return this.errors.length === before;
  }

  private checkExprs(node: Node, s: string, path: string): void {
    for (const m of s.matchAll(/\{\{([^{}]*)\}\}/g)) this.checkExpr(node, m[1], path);
  }

  private checkExpr(node: Node, src: string, path: string): void {
    try {
      for (const n of exprNames(src.trim())) {
        if (!this.names.has(n)) this.at(node, path, `unknown name "${n}" in "${src.trim()}"${suggest(n, [...this.names])}`);
      }
    } catch (e) {
      if (e instanceof ExprError) this.at(node, path, e.message);
      else throw e;
    }
  }
}

export function documentErrors(doc: Document, lines: LineCounter): ShapeError[] {
  return doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { line: pos.line, col: pos.col, path: '', message: e.message.split('\n')[0] };
  });
}
