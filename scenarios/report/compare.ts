// `kemu compare A B`: two report.json files side by side, with B/A ratios, as padded markdown tables.
import { readFile } from 'node:fs/promises';
import { markdownTable, num, ratio, requestKey, seriesPeaks, totalRequests } from './format.js';
import { REPORT_FORMAT, type Report, type SloResult } from './types.js';

export interface CompareLabels {
  readonly a: string;
  readonly b: string;
}

/** Reads a report.json, failing clearly when the file is not JSON or not a kemu report. */
export async function loadReport(path: string): Promise<Report> {
  const text = await readFile(path, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not a kemu report: not JSON (${(e as Error).message})`);
  }
  const format = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>).format : undefined;
  if (format !== REPORT_FORMAT) {
    const found = format === undefined ? 'no "format" field' : `format ${JSON.stringify(format)}`;
    throw new Error(`${path} is not a kemu report: ${found}, expected format "${REPORT_FORMAT}"`);
  }
  return data as Report;
}

// One row: a metric's value in A and B; absent (undefined) when that report does not have it.
type Value = number | null | undefined;

function row(metric: string, a: Value, b: Value): string[] {
  return [metric, num(a), num(b), ratio(a, b)];
}

function union<T>(a: Iterable<T>, b: Iterable<T>): T[] {
  return [...new Set([...a, ...b])];
}

function sloCell(s: SloResult | undefined): string {
  if (s === undefined) return '-';
  return `${s.ok ? 'PASS' : 'FAIL'} ${num(s.value)} ${s.unit}`.trimEnd();
}

export function compareReports(a: Report, b: Report, labels: CompareLabels = { a: 'A', b: 'B' }): string {
  const header = ['metric', labels.a, labels.b, `${labels.b}/${labels.a}`];
  const align = ['l', 'r', 'r', 'r'] as const;
  const sections: string[] = [];
  const section = (title: string, rows: string[][]): void => {
    if (rows.length > 0) sections.push(`## ${title}\n\n${markdownTable(header, rows, align)}`);
  };

  const totalA = totalRequests(a);
  const totalB = totalRequests(b);
  const rate = (r: Report, total: number): number | null => (r.durationSeconds > 0 ? total / r.durationSeconds : null);
  const errors = (r: Report): number => r.requests.reduce((n, s) => n + s.errors, 0);
  const throttled = (r: Report): number => r.responses.filter((x) => x.code === 429).reduce((n, x) => n + x.count, 0);
  sections.push(
    `# ${labels.a}: ${a.scenario.name} (scale ${num(a.scenario.scale)}, ${a.target.kind}, clock ${a.clock}, ${a.verdict.toUpperCase()})\n` +
      `# ${labels.b}: ${b.scenario.name} (scale ${num(b.scenario.scale)}, ${b.target.kind}, clock ${b.clock}, ${b.verdict.toUpperCase()})`,
  );
  section('Overview', [
    row('duration s', a.durationSeconds, b.durationSeconds),
    row('requests', totalA, totalB),
    row('request rate /s', rate(a, totalA), rate(b, totalB)),
    row('errors', errors(a), errors(b)),
    row('429 responses', throttled(a), throttled(b)),
    row('Retry-After answers', a.retryAfter.count, b.retryAfter.count),
    row('Retry-After total wait s', a.retryAfter.totalWaitSeconds, b.retryAfter.totalWaitSeconds),
  ]);

  const reqA = new Map(a.requests.map((s) => [requestKey(s), s]));
  const reqB = new Map(b.requests.map((s) => [requestKey(s), s]));
  section('Requests', union(reqA.keys(), reqB.keys()).flatMap((k) => {
    const x = reqA.get(k);
    const y = reqB.get(k);
    return [
      row(`${k} count`, x?.count, y?.count),
      row(`${k} p50 ms`, x?.p50Ms, y?.p50Ms),
      row(`${k} p99 ms`, x?.p99Ms, y?.p99Ms),
      row(`${k} errors`, x?.errors, y?.errors),
    ];
  }));

  const respKey = (x: { code: number; reason: string }): string => `${x.code} ${x.reason}`;
  const respA = new Map(a.responses.map((x) => [respKey(x), x.count]));
  const respB = new Map(b.responses.map((x) => [respKey(x), x.count]));
  const rejKey = (x: { reason: string; priorityLevel: string | null }): string => `429 ${x.reason}${x.priorityLevel === null ? '' : ` (${x.priorityLevel})`}`;
  const rejA = new Map(a.rejections.map((x) => [rejKey(x), x.count]));
  const rejB = new Map(b.rejections.map((x) => [rejKey(x), x.count]));
  section('Non-2xx responses and rejections', [
    ...union(respA.keys(), respB.keys()).map((k) => row(k, respA.get(k), respB.get(k))),
    ...union(rejA.keys(), rejB.keys()).map((k) => row(`server ${k}`, rejA.get(k), rejB.get(k))),
  ]);

  section('Counters', union(Object.keys(a.counters), Object.keys(b.counters)).map((k) => row(k, a.counters[k], b.counters[k])));

  section('Timings', union(Object.keys(a.timings), Object.keys(b.timings)).flatMap((k) => [
    row(`${k} p50 ms`, a.timings[k]?.p50Ms, b.timings[k]?.p50Ms),
    row(`${k} p99 ms`, a.timings[k]?.p99Ms, b.timings[k]?.p99Ms),
  ]));

  const memA = seriesPeaks(a, 'memory');
  const memB = seriesPeaks(b, 'memory');
  const memUnit = a.series.units.memory ?? b.series.units.memory ?? '';
  section('Peak memory', union(memA.keys(), memB.keys()).map((k) => row(`${k} ${memUnit}`.trimEnd(), memA.get(k), memB.get(k))));

  const sloA = new Map(a.slos.map((s) => [s.name, s]));
  const sloB = new Map(b.slos.map((s) => [s.name, s]));
  const sloRows = union(sloA.keys(), sloB.keys()).map((k) => {
    const x = sloA.get(k);
    const y = sloB.get(k);
    return [k, sloCell(x), sloCell(y), ratio(x?.value, y?.value)];
  });
  sloRows.push(['verdict', a.verdict.toUpperCase(), b.verdict.toUpperCase(), '']);
  section('SLOs', sloRows);

  return sections.join('\n\n') + '\n';
}
