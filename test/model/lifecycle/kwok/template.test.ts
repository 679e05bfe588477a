import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quote, toYAML } from '../../../../model/lifecycle/kwok/funcs.js';
import { compileTemplate, renderTemplate, type FuncSpec } from '../../../../model/lifecycle/kwok/gotpl/template.js';

const FUNCS = new Map<string, FuncSpec>([
  ['Quote', { fn: (v) => quote(v), min: 1, max: 1 }],
  ['YAML', { fn: (v, i) => toYAML(v, i), min: 1, max: 2 }],
  ['Boom', { fn: () => { throw new Error('or/and must not evaluate this'); }, min: 0, max: 0 }],
]);

function render(src: string, data: unknown = {}): string {
  const t = compileTemplate(src, FUNCS.keys());
  if ('error' in t) throw new Error(t.error);
  const out = renderTemplate(t, data, FUNCS);
  if (typeof out !== 'string') throw new Error(out.error);
  return out;
}

function parseError(src: string): string {
  const t = compileTemplate(src, FUNCS.keys());
  return 'error' in t ? t.error : '(compiled)';
}

test('fields, missing keys print <no value>, JSON null prints <nil>', () => {
  const data = { a: { b: 'x', n: null, i: 3, f: 1.5, t: true, l: ['p', 'q'], m: { z: 1, a: 2 } } };
  assert.is(render('{{ .a.b }}|{{ .a.missing }}|{{ .nope.deeper }}|{{ .a.n }}', data), 'x|<no value>|<no value>|<nil>');
  assert.is(render('{{ .a.i }} {{ .a.f }} {{ .a.t }} {{ .a.l }} {{ .a.m }}', data), '3 1.5 true [p q] map[a:2 z:1]');
  // Walking through a JSON null yields no value (Go would fail with "nil pointer evaluating").
  assert.is(render('{{ .a.n.x }}', data), '<no value>');
});

test('trim markers and comments', () => {
  assert.is(render('a  {{- "b" -}}  c'), 'abc');
  assert.is(render('a {{/* gone */}} c'), 'a  c');
  assert.is(render('a {{- /* gone */ -}} c'), 'ac');
  assert.is(render('{{-3}}'), '-3');
});

test('if / else if / else and with / else', () => {
  const t = '{{ if eq .x "a" }}A{{ else if eq .x "b" }}B{{ else }}other{{ end }}';
  assert.is(render(t, { x: 'a' }), 'A');
  assert.is(render(t, { x: 'b' }), 'B');
  assert.is(render(t, {}), 'other');
  assert.is(render('{{ with .m }}{{ .k }}{{ else }}none{{ end }}', { m: { k: 'v' } }), 'v');
  assert.is(render('{{ with .m }}{{ .k }}{{ else }}none{{ end }}', { m: {} }), 'none');
});

test('range over lists, maps (sorted keys), with index variables and else', () => {
  assert.is(render('{{ range $i, $e := .l }}{{ $i }}={{ $e }};{{ end }}', { l: ['a', 'b'] }), '0=a;1=b;');
  assert.is(render('{{ range $k, $v := .m }}{{ $k }}:{{ $v }},{{ end }}', { m: { b: 2, a: 1 } }), 'a:1,b:2,');
  assert.is(render('{{ range .l }}{{ . }}{{ else }}empty{{ end }}', { l: [] }), 'empty');
  assert.is(render('{{ range .missing }}x{{ end }}done'), 'done');
});

test('variables: $ is the root, declarations are block-scoped, = assigns the outer variable', () => {
  const src = '{{ $found := false }}{{ range .l }}{{ if eq .type "B" }}{{ $found = true }}{{ end }}{{ end }}{{ $found }}';
  assert.is(render(src, { l: [{ type: 'A' }, { type: 'B' }] }), 'true');
  assert.is(render(src, { l: [{ type: 'A' }] }), 'false');
  assert.is(render('{{ range .l }}{{ $.top }}{{ . }}{{ end }}', { top: '>', l: [1, 2] }), '>1>2');
  assert.match(parseError('{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}'), 'undefined variable "$x"');
  assert.match(parseError('{{ $y = 1 }}'), 'undefined variable "$y"');
});

test('or / and return the deciding operand and short-circuit', () => {
  assert.is(render('{{ or .a "dflt" }}'), 'dflt');
  assert.is(render('{{ or .a "dflt" }}', { a: 'set' }), 'set');
  assert.is(render('{{ or "first" Boom }}'), 'first');
  assert.is(render('{{ and false Boom }}'), 'false');
  assert.is(render('{{ if or (not .a) (not .b) }}some missing{{ end }}', { a: 1 }), 'some missing');
});

test('pipelines pass the value as the last argument; parenthesised pipelines', () => {
  assert.is(render('{{ .s | Quote }}', { s: 'x"y' }), '"x\\"y"');
  assert.is(render('{{ index .l 1 | Quote }}', { l: ['a', 'b'] }), '"b"');
  assert.is(render('{{ printf "kwok-%s-%d" (or .v "v0") 7 }}'), 'kwok-v0-7');
  assert.is(render('{{ index .m "k" }}', { m: { k: 'v' } }), 'v');
  assert.is(render('{{ index .missing 0 }}'), '<no value>');
  assert.is(render('{{ len .l }}', { l: [1, 2, 3] }), '3');
});

test('Quote is kwok\'s: JSON for strings, quoted JSON for the rest, "null" for nil', () => {
  assert.is(quote('a'), '"a"');
  assert.is(quote(3), '"3"');
  assert.is(quote(undefined), '"null"');
  assert.is(quote({ a: 1 }), '"{\\"a\\":1}"');
});

test('YAML indents every line after a leading newline, as gotpl does', () => {
  assert.is(toYAML({ b: 'x', a: 1 }), 'a: 1\nb: x\n');
  assert.is(toYAML({ a: 1 }, 1), '\n  a: 1\n  ');
  assert.is(render('k:\n{{ YAML .m 1 }}', { m: { c: '1k' } }), 'k:\n\n  c: 1k\n  ');
});

test('syntax errors, unknown functions and misplaced keywords are reported at compile time', () => {
  assert.match(parseError('{{ if .a }}x'), 'without {{end}}');
  assert.match(parseError('{{ end }}'), 'unexpected {{end}}');
  assert.match(parseError('{{ Nope }}'), 'function "Nope" not defined');
  assert.match(parseError('{{ .a | }}'), 'missing command after |');
  assert.match(parseError('{{ ( .a }}'), 'unclosed left paren');
  assert.match(parseError('{{ "open }}'), 'line 1');
  assert.match(parseError('a\n\n{{ define "x" }}{{ end }}'), 'line 3');
});

test('runtime errors are values: wrong argument counts, ranging over a string', () => {
  const t = compileTemplate('{{ range .s }}{{ end }}', []);
  if ('error' in t) throw new Error(t.error);
  assert.equal(renderTemplate(t, { s: 'str' }, new Map()), { error: "template: range can't iterate over str" });
  const q = compileTemplate('{{ Quote }}', ['Quote']);
  if ('error' in q) throw new Error(q.error);
  assert.equal(renderTemplate(q, {}, FUNCS), { error: 'template: wrong number of args for Quote: want 1 got 0' });
});

test.run();
