// The part of Go's text/template that kwok Stage templates are written in: text and actions,
// `{{-`/`-}}` trimming, comments, pipelines with `|`, variables (`$x := …`, `$x = …`), field
// chains, parenthesised pipelines, string/number/bool/nil constants, and if / else if / with /
// range … else … end. Parsing happens when a Stage is loaded, so syntax errors, unknown
// functions and undeclared variables surface then, as text/template reports them at Parse.

export type Operand =
  | { readonly k: 'dot' }
  | { readonly k: 'field'; readonly path: readonly string[] }
  | { readonly k: 'var'; readonly name: string; readonly path: readonly string[] }
  | { readonly k: 'ident'; readonly name: string }
  | { readonly k: 'const'; readonly value: string | number | boolean | null }
  | { readonly k: 'pipe'; readonly pipe: Pipe };

export interface Pipe {
  /** Variables declared (`:=`) or assigned (`=`) by this pipeline. */
  readonly decl: readonly string[];
  readonly assign: boolean;
  readonly cmds: readonly (readonly Operand[])[];
}

export interface ControlNode {
  readonly t: 'if' | 'with' | 'range';
  readonly pipe: Pipe;
  readonly list: readonly TplNode[];
  readonly elseList?: readonly TplNode[];
  readonly line: number;
}

export type TplNode =
  | { readonly t: 'text'; readonly text: string }
  | { readonly t: 'action'; readonly pipe: Pipe; readonly line: number }
  | ControlNode;

type Tok = Operand | { readonly k: 'punct'; readonly v: '(' | ')' | '|' | ',' | ':=' | '=' } | { readonly k: 'kw'; readonly v: string };

interface ActionItem {
  readonly toks: readonly Tok[];
  readonly line: number;
}

type Item = string | ActionItem;

export class TemplateSyntaxError {
  constructor(readonly message: string) {}
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);
const SPACE = /[ \t\r\n]/;

function fail(line: number, msg: string): never {
  throw new TemplateSyntaxError(`line ${line}: ${msg}`);
}

/** Splits the source into text and actions, applying trim markers and dropping comments. */
function scan(src: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos <= src.length) {
    const open = src.indexOf('{{', pos);
    let text = src.slice(pos, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text) items.push(text);
      break;
    }
    const line = 1 + (src.slice(0, open).match(/\n/g)?.length ?? 0);
    let i = open + 2;
    if (src[i] === '-' && SPACE.test(src[i + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      i++;
    }
    if (text) items.push(text);
    const lexed = lexAction(src, i, line);
    trimNext = lexed.trimRight;
    pos = lexed.end;
    if (lexed.toks) items.push({ toks: lexed.toks, line });
  }
  return items;
}

function lexAction(src: string, start: number, line: number): { toks?: Tok[]; end: number; trimRight: boolean } {
  let i = start;
  while (SPACE.test(src[i] ?? '')) i++;
  if (src.startsWith('/*', i)) {
    const close = src.indexOf('*/', i + 2);
    if (close < 0) fail(line, 'unclosed comment');
    const j = close + 2;
    if (src.startsWith(' -}}', j)) return { end: j + 4, trimRight: true };
    if (src.startsWith('}}', j)) return { end: j + 2, trimRight: false };
    return fail(line, 'comment ends before closing delimiter');
  }
  const toks: Tok[] = [];
  for (;;) {
    if (i >= src.length) fail(line, 'unclosed action');
    const c = src[i];
    if (SPACE.test(c)) {
      if (src.startsWith('-}}', i + 1)) return { toks, end: i + 4, trimRight: true };
      i++;
      continue;
    }
    if (src.startsWith('}}', i)) return { toks, end: i + 2, trimRight: false };
    const rest = src.slice(i);
    let m: RegExpMatchArray | null;
    if (c === '(' || c === ')' || c === '|' || c === ',') { toks.push({ k: 'punct', v: c }); i++; continue; }
    if (rest.startsWith(':=')) { toks.push({ k: 'punct', v: ':=' }); i += 2; continue; }
    if (c === '=') { toks.push({ k: 'punct', v: '=' }); i++; continue; }
    if ((m = rest.match(/^"(?:[^"\\\n]|\\.)*"/))) {
      toks.push({ k: 'const', value: unquote(m[0], line) });
      i += m[0].length;
      continue;
    }
    if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close < 0) fail(line, 'unterminated raw quoted string');
      toks.push({ k: 'const', value: src.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    if ((m = rest.match(/^[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/))) {
      toks.push({ k: 'const', value: Number(m[0].replace(/_/g, '')) });
      i += m[0].length;
      continue;
    }
    if ((m = rest.match(/^\$[A-Za-z0-9_]*((?:\.[A-Za-z0-9_]+)*)/))) {
      const name = m[0].slice(0, m[0].length - m[1].length);
      toks.push({ k: 'var', name, path: m[1] ? m[1].slice(1).split('.') : [] });
      i += m[0].length;
      continue;
    }
    if ((m = rest.match(/^(?:\.[A-Za-z0-9_]+)+/))) {
      toks.push({ k: 'field', path: m[0].slice(1).split('.') });
      i += m[0].length;
      continue;
    }
    if (c === '.') { toks.push({ k: 'dot' }); i++; continue; }
    if ((m = rest.match(/^[A-Za-z_][A-Za-z0-9_]*/))) {
      const w = m[0];
      if (KEYWORDS.has(w)) toks.push({ k: 'kw', v: w });
      else if (w === 'true' || w === 'false') toks.push({ k: 'const', value: w === 'true' });
      else if (w === 'nil') toks.push({ k: 'const', value: null });
      else toks.push({ k: 'ident', name: w });
      i += w.length;
      continue;
    }
    fail(line, `unexpected ${JSON.stringify(c)} in command`);
  }
}

function unquote(lit: string, line: number): string {
  // Go and JSON escapes agree on everything kwok's templates could use except \x and \a etc.
  const json = lit.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  try {
    return JSON.parse(json) as string;
  } catch {
    return fail(line, `bad string ${lit}`);
  }
}

class Parser {
  private pos = 0;
  private readonly vars: string[] = ['$'];

  constructor(private readonly items: readonly Item[], private readonly funcs: ReadonlySet<string>) {}

  parse(): TplNode[] {
    const { list, end } = this.list();
    if (end) fail(end.line, `unexpected {{${end.toks.map(show).join(' ')}}}`);
    return list;
  }

  /** Nodes up to an `{{end}}` or `{{else …}}` (returned as `end`), or to the end of input. */
  private list(): { list: TplNode[]; end?: ActionItem } {
    const list: TplNode[] = [];
    while (this.pos < this.items.length) {
      const it = this.items[this.pos++];
      if (typeof it === 'string') { list.push({ t: 'text', text: it }); continue; }
      const first = it.toks[0];
      if (first === undefined) fail(it.line, 'missing value for command');
      if (first.k === 'kw') {
        if (first.v === 'end' || first.v === 'else') return { list, end: it };
        if (first.v === 'if' || first.v === 'with' || first.v === 'range') { list.push(this.control(first.v, it.toks.slice(1), it.line)); continue; }
        fail(it.line, `{{${first.v}}} is not supported`);
      }
      list.push({ t: 'action', pipe: this.pipe(it.toks, it.line, false), line: it.line });
    }
    return { list };
  }

  private control(kind: 'if' | 'with' | 'range', toks: readonly Tok[], line: number): TplNode {
    const mark = this.vars.length;
    const pipe = this.pipe(toks, line, kind === 'range');
    const body = this.list();
    let elseList: TplNode[] | undefined;
    let end = body.end;
    if (!end) fail(line, `unexpected EOF: {{${kind}}} without {{end}}`);
    const head = end.toks[0] as { v: string };
    if (head.v === 'else') {
      const chained = end.toks[1];
      if (chained?.k === 'kw' && (chained.v === 'if' || chained.v === 'with')) {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}{{end}}` sharing one {{end}}.
        elseList = [this.control(chained.v, end.toks.slice(2), end.line)];
        end = undefined;
      } else {
        if (end.toks.length > 1) fail(end.line, 'unexpected tokens after {{else}}');
        const rest = this.list();
        elseList = rest.list;
        end = rest.end;
        if (!end || (end.toks[0] as { v: string }).v !== 'end') fail(line, `{{${kind}}} needs one {{end}} after {{else}}`);
      }
    }
    if (end && end.toks.length > 1) fail(end.line, 'unexpected tokens in {{end}}');
    this.vars.length = mark;
    return { t: kind, pipe, list: body.list, elseList, line };
  }

  private pipe(toks: readonly Tok[], line: number, inRange: boolean): Pipe {
    let i = 0;
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, and in range `$i, $e :=`.
    const declEnd = toks.findIndex((t) => t.k === 'punct' && (t.v === ':=' || t.v === '='));
    if (declEnd > 0 && toks.slice(0, declEnd).every((t, j) => (j % 2 === 0 ? t.k === 'var' && t.path.length === 0 : t.k === 'punct' && t.v === ','))) {
      for (let j = 0; j < declEnd; j += 2) decl.push((toks[j] as { name: string }).name);
      assign = (toks[declEnd] as { v: string }).v === '=';
      if (decl.length > (inRange ? 2 : 1)) fail(line, 'too many declarations in command');
      i = declEnd + 1;
    }
    const { pipe, next } = this.pipeFrom(toks, i, line, false);
    if (next !== toks.length) fail(line, `unexpected ${show(toks[next])} in command`);
    for (const v of decl) {
      if (assign && !this.vars.includes(v)) fail(line, `undefined variable "${v}"`);
      if (!assign) this.vars.push(v);
    }
    return { decl, assign, cmds: pipe.cmds };
  }

  private pipeFrom(toks: readonly Tok[], start: number, line: number, nested: boolean): { pipe: Pipe; next: number } {
    const cmds: Operand[][] = [];
    let cmd: Operand[] = [];
    let i = start;
    for (; i < toks.length; i++) {
      const t = toks[i];
      if (t.k === 'punct') {
        if (t.v === '|') {
          if (cmd.length === 0) fail(line, 'missing command before |');
          cmds.push(cmd);
          cmd = [];
          continue;
        }
        if (t.v === ')') {
          if (!nested) fail(line, 'unexpected right paren');
          break;
        }
        if (t.v === '(') {
          const inner = this.pipeFrom(toks, i + 1, line, true);
          if (toks[inner.next]?.k !== 'punct' || (toks[inner.next] as { v: string }).v !== ')') fail(line, 'unclosed left paren');
          cmd.push({ k: 'pipe', pipe: inner.pipe });
          i = inner.next;
          continue;
        }
        fail(line, `unexpected ${show(t)} in operand`);
      }
      if (t.k === 'kw') fail(line, `unexpected keyword ${t.v} in operand`);
      if (t.k === 'var' && !this.vars.includes(t.name)) fail(line, `undefined variable "${t.name}"`);
      if (t.k === 'ident' && !this.funcs.has(t.name)) fail(line, `function "${t.name}" not defined (or not supported by kemu)`);
      cmd.push(t);
    }
    if (cmd.length === 0) fail(line, cmds.length ? 'missing command after |' : 'missing value for command');
    cmds.push(cmd);
    return { pipe: { decl: [], assign: false, cmds }, next: i };
  }
}

function show(t: Tok | undefined): string {
  if (t === undefined) return 'end';
  switch (t.k) {
    case 'punct': case 'kw': return t.v;
    case 'ident': return t.name;
    case 'var': return [t.name, ...t.path].join('.');
    case 'field': return `.${t.path.join('.')}`;
    case 'dot': return '.';
    case 'const': return JSON.stringify(t.value);
    case 'pipe': return '(…)';
  }
}

/** Parses a template whose functions are `funcs`; throws TemplateSyntaxError. */
export function parseTemplate(src: string, funcs: ReadonlySet<string>): TplNode[] {
  return new Parser(scan(src), funcs).parse();
}
