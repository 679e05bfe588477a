// report.html: one self-contained page (uPlot inlined, the report JSON embedded) with the run's
// verdict, tables rendered here and plots drawn in the browser by page.ts's script.
import { assertInlineable, uplotAssets } from './assets.js';
import { num, splitSeriesName } from './format.js';
import { PAGE_CSS, PAGE_SCRIPT } from './page.js';
import type { Json, Report } from './types.js';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * JSON for a <script type="application/json">: `<`, `>` and `&` become \u escapes (valid only
 * inside JSON strings, where they can only occur), so no `</script>` in the data can end the element.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

interface Column {
  readonly title: string;
  readonly numeric?: boolean;
}

/** Cells are HTML already; callers escape text. */
function table(columns: readonly Column[], rows: readonly (readonly string[])[], rowClass: (i: number) => string = () => ''): string {
  if (rows.length === 0) return '<p class="empty">none</p>';
  const head = columns.map((c) => `<th${c.numeric === true ? ' class="n"' : ''}>${esc(c.title)}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const cls = rowClass(i);
      const cells = r.map((cell, j) => `<td${columns[j]?.numeric === true ? ' class="n"' : ''}>${cell}</td>`).join('');
      return `<tr${cls === '' ? '' : ` class="${cls}"`}>${cells}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const n = (x: number | null | undefined): string => esc(num(x));
const okCell = (ok: boolean): string => (ok ? '<span class="ok">PASS</span>' : '<span class="notok">FAIL</span>');
const jsonText = (v: Json): string => esc(typeof v === 'string' ? v : JSON.stringify(v));

function facts(report: Report): string {
  const gib = report.machine.memoryBytes / 2 ** 30;
  const items: [string, string][] = [
    ['target', `${esc(report.target.kind)} <code>${esc(report.target.server)}</code>`],
    ['scale', n(report.scenario.scale)],
    ['clock', esc(report.clock)],
    ['duration', `${n(report.durationSeconds)} ${report.clock === 'virtual' ? 'modeled ' : ''}s`],
    ['started', esc(report.startedAt)],
    ['machine', `${report.machine.cores} cores, ${n(gib)} GiB, node ${esc(report.machine.node)}`],
    ['commit', report.machine.commit === null ? '-' : `<code>${esc(report.machine.commit.slice(0, 12))}</code>`],
  ];
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

function phasesTable(report: Report): string {
  const rows: string[][] = [];
  const classes: string[] = [];
  for (const step of report.steps) {
    rows.push([esc(step.name), '', '', '', '', '', n(step.startSeconds), n(step.endSeconds - step.startSeconds), '']);
    classes.push('step');
    for (const p of step.phases) {
      rows.push([
        '', esc(p.name), esc(p.action), String(p.count), String(p.succeeded), String(p.failed),
        n(p.startSeconds), n(p.endSeconds - p.startSeconds), esc(p.error ?? ''),
      ]);
      classes.push(p.failed > 0 || p.error !== undefined ? 'bad' : '');
    }
  }
  const cols: Column[] = [
    { title: 'step' }, { title: 'phase' }, { title: 'action' }, { title: 'count', numeric: true }, { title: 'succeeded', numeric: true },
    { title: 'failed', numeric: true }, { title: 'start s', numeric: true }, { title: 'duration s', numeric: true }, { title: 'error' },
  ];
  return table(cols, rows, (i) => classes[i] ?? '');
}

function requestsTable(report: Report): string {
  const cols: Column[] = [
    { title: 'verb' }, { title: 'resource' }, { title: 'count', numeric: true }, { title: 'errors', numeric: true },
    { title: 'retries', numeric: true }, { title: 'mean ms', numeric: true }, { title: 'p50 ms', numeric: true },
    { title: 'p90 ms', numeric: true }, { title: 'p99 ms', numeric: true }, { title: 'max ms', numeric: true },
  ];
  const rows = report.requests.map((s) => [
    esc(s.verb), esc(s.resource), String(s.count), String(s.errors), String(s.retries), n(s.meanMs), n(s.p50Ms), n(s.p90Ms), n(s.p99Ms), n(s.maxMs),
  ]);
  return table(cols, rows, (i) => ((report.requests[i]?.errors ?? 0) > 0 ? 'bad' : ''));
}

function throttlingTables(report: Report): string {
  const ra = report.retryAfter;
  return `<div class="cols">
<div><h3>Non-2xx responses</h3>${table([{ title: 'code', numeric: true }, { title: 'reason' }, { title: 'count', numeric: true }], report.responses.map((r) => [String(r.code), esc(r.reason), String(r.count)]))}</div>
<div><h3>Server rejections</h3>${table([{ title: 'reason' }, { title: 'priority level' }, { title: 'count', numeric: true }], report.rejections.map((r) => [esc(r.reason), esc(r.priorityLevel ?? '-'), String(r.count)]))}</div>
<div><h3>Retry-After</h3>${table([{ title: 'answers', numeric: true }, { title: 'max s', numeric: true }, { title: 'total wait s', numeric: true }], [[String(ra.count), n(ra.maxSeconds), n(ra.totalWaitSeconds)]])}</div>
</div>`;
}

function countersAndTimings(report: Report): string {
  const counters = table([{ title: 'counter' }, { title: 'value', numeric: true }], Object.entries(report.counters).map(([k, v]) => [esc(k), n(v)]));
  const timingCols: Column[] = [
    { title: 'timing' }, { title: 'count', numeric: true }, { title: 'mean ms', numeric: true }, { title: 'p50 ms', numeric: true },
    { title: 'p90 ms', numeric: true }, { title: 'p99 ms', numeric: true }, { title: 'max ms', numeric: true },
  ];
  const timings = table(timingCols, Object.entries(report.timings).map(([k, t]) => [esc(k), String(t.count), n(t.meanMs), n(t.p50Ms), n(t.p90Ms), n(t.p99Ms), n(t.maxMs)]));
  return `<div class="cols"><div><h3>Counters</h3>${counters}</div><div><h3>Timings</h3>${timings}</div></div>`;
}

function settings(report: Report): string {
  const kv = (o: Readonly<Record<string, Json>>): string =>
    table([{ title: 'name' }, { title: 'value' }], Object.entries(o).map(([k, v]) => [esc(k), `<code>${jsonText(v)}</code>`]));
  return `<div class="cols"><div><h3>Scenario parameters</h3>${kv(report.scenario.params)}</div><div><h3>Target options</h3>${kv(report.target.options)}</div></div>`;
}

/** Series groups with at least one non-null value: the plots the page will draw. */
export function plottedGroups(report: Report): string[] {
  const groups = new Set<string>();
  for (const [name, values] of Object.entries(report.series.values)) {
    if (values.some((v) => v !== null)) groups.add(splitSeriesName(name).group);
  }
  return [...groups];
}

export function renderHtml(report: Report): string {
  const { js, css } = uplotAssets();
  const pass = report.verdict === 'pass';
  const sloCols: Column[] = [
    { title: 'SLO' }, { title: 'measures' }, { title: 'value', numeric: true }, { title: 'threshold', numeric: true }, { title: 'unit' }, { title: 'result' },
  ];
  const sloRows = report.slos.map((s) => [esc(s.name), esc(s.description), n(s.value), n(s.threshold), esc(s.unit), okCell(s.ok)]);
  const title = `kemu report: ${report.scenario.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<header>
<div>
<h1>${esc(title)}</h1>
<p class="description">${esc(report.scenario.description)}</p>
${facts(report)}
</div>
<div class="verdict ${pass ? 'pass' : 'fail'}" id="verdict">${pass ? 'PASS' : 'FAIL'}</div>
</header>
<h2>SLOs</h2>
${table(sloCols, sloRows, (i) => (report.slos[i]?.ok === false ? 'bad' : ''))}
<h2>Steps and phases</h2>
${phasesTable(report)}
<h2>Series</h2>
<div id="plots"></div>
<h2>Requests by verb and resource</h2>
${requestsTable(report)}
<h2>Throttling</h2>
${throttlingTables(report)}
<h2>Counters and timings</h2>
${countersAndTimings(report)}
<h2>Settings</h2>
${settings(report)}
<footer>The full report.json is embedded in this page as <code>script#report-data</code>. Times are ${report.clock === 'virtual' ? 'modeled ' : ''}seconds since the start of the run.</footer>
</main>
<script type="application/json" id="report-data">${embedJson(report)}</script>
<script>${js}</script>
<script>${assertInlineable(PAGE_SCRIPT, 'script', 'the page script')}</script>
</body>
</html>
`;
}
