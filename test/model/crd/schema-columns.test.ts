// Tables of custom resources (additionalPrinterColumns), pinned by test/golden/crd/columns: the
// column definitions and cells kube-apiserver 1.32 serves for `-o wide` style Table requests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basename } from 'node:path';
import { humanDuration, newTableConvertor, servedColumns } from '../../../model/crd/schema-columns.js';
import { parseJSONPath } from '../../../model/crd/schema-jsonpath.js';
import type { CustomResourceColumnDefinition } from '../../../model/crd/schema-types.js';
import { checkGolden, goldenFiles, readGolden, fixtureCRD } from './support.js';

interface Golden {
  source: string;
  why: string;
  crd?: string;
  columns?: CustomResourceColumnDefinition[];
  now: string;
  objects: Record<string, unknown>[];
  expected?: unknown;
}

for (const file of goldenFiles('columns')) {
  test(`columns golden ${basename(file, '.json')}`, () => {
    const g = readGolden<Golden>(file);
    const columns = g.crd ? fixtureCRD(g.crd).spec?.versions?.[0].additionalPrinterColumns : g.columns;
    const table = newTableConvertor(columns);
    const now = Date.parse(g.now);
    checkGolden(file, g, { columnDefinitions: table.columnDefinitions, rows: g.objects.map((o) => table.cells(o, now)) });
  });
}

test('served columns: Age when a version declares none', () => {
  assert.equal(servedColumns(undefined).map((c) => [c.name, c.type, c.jsonPath]), [['Age', 'date', '.metadata.creationTimestamp']]);
  const own = [{ name: 'X', type: 'string', jsonPath: '.spec.x' }];
  assert.is(servedColumns(own), own);
});

test('HumanDuration boundaries', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'], [-1 * s, '0s'], [119 * s, '119s'], [120 * s, '2m'], [312 * s, '5m12s'], [600 * s, '10m'],
    [179 * 60 * s, '179m'], [3 * 3600 * s, '3h'], [(7 * 60 + 59) * 60 * s, '7h59m'], [47 * 3600 * s, '47h'],
    [(2 * 24 + 5) * 3600 * s, '2d5h'], [8 * 24 * 3600 * s, '8d'], [730 * 24 * 3600 * s, '2y'], [(3 * 365 + 10) * 24 * 3600 * s, '3y10d'],
    [9 * 365 * 24 * 3600 * s, '9y'],
  ];
  for (const [ms, text] of cases) assert.is(humanDuration(ms), text, `${ms}ms`);
});

test('JSONPath: recursive descent, wildcard, unions, slices, quoted keys', () => {
  const data = { a: { b: [{ n: 1 }, { n: 2 }, { n: 3 }], 'x.y': 'dotted', m: { p: 'q' } } };
  const find = (expr: string): unknown => {
    const p = parseJSONPath(expr);
    if (p instanceof Error) return p.message;
    const r = p.find(data);
    return r instanceof Error ? `error: ${r.message}` : r;
  };
  assert.equal(find('..n'), [1, 2, 3]);
  assert.equal(find('.a.b[*].n'), [1, 2, 3]);
  assert.equal(find('.a.b[0,2].n'), [1, 3]);
  assert.equal(find('.a.b[::2].n'), [1, 3]);
  assert.equal(find('.a.m.*'), ['q']);
  assert.equal(find(".a['m'].p"), ['q']);
  assert.equal(find('.a.x\\.y'), ['dotted']);
  assert.equal(find('.a.b[?(@.n>1)].n'), [2, 3]);
  assert.equal(find('.a.b[5]'), 'error: array index out of bounds: index 5, length 3');
  assert.equal(find('.a.nope.deeper'), []);
  assert.equal(find('.a.b[x]'), 'invalid array index x');
});

test.run();
