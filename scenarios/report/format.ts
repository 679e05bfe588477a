// Number formatting and aligned plain-text tables shared by the stdout summary and `kemu compare`.
import type { Report } from './types.js';

/** A number to three significant digits (whole numbers from 100 on), without trailing zeros: 0.4, 8.2, 85.3, 240. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (Number.isInteger(x) || Math.abs(x) >= 100) return x.toFixed(0);
  return String(Number(x.toPrecision(3)));
}

/** b/a to two decimals; 'n/a' when a is 0 or either side is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined) return 'n/a';
  if (a === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return 'n/a';
  return (b / a).toFixed(2);
}

export type Align = 'l' | 'r';

// ANSI color codes must not count towards a column's width.
const ANSI = /\x1b\[[0-9;]*m/g;

function visibleWidth(s: string): number {
  return s.replace(ANSI, '').length;
}

function pad(s: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(s)));
  return align === 'r' ? fill + s : s + fill;
}

/** Columns separated by two spaces; `align` per column, left by default. Trailing spaces trimmed. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visibleWidth(r[i] ?? ''))));
  return all
    .map((r) => widths.map((w, i) => pad(r[i] ?? '', w, align[i] ?? 'l')).join('  ').trimEnd())
    .join('\n');
}

/** A markdown table whose cells are padded, so it reads aligned in a terminal too. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (r: readonly string[]): string => '| ' + widths.map((w, i) => pad(r[i] ?? '', w, align[i] ?? 'l')).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (align[i] === 'r' ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Total request count over every verb and resource. */
export function totalRequests(r: Report): number {
  return r.requests.reduce((n, s) => n + s.count, 0);
}

export function requestKey(s: { readonly verb: string; readonly resource: string }): string {
  return `${s.verb} ${s.resource}`;
}

/** Splits a series name `group/label` at its first slash; a name without one is its own group and label. */
export function splitSeriesName(name: string): { group: string; label: string } {
  const i = name.indexOf('/');
  return i < 0 ? { group: name, label: name } : { group: name.slice(0, i), label: name.slice(i + 1) };
}

/** Largest non-null value of each series of a group, by label. */
export function seriesPeaks(r: Report, group: string): Map<string, number> {
  const peaks = new Map<string, number>();
  for (const [name, values] of Object.entries(r.series.values)) {
    const s = splitSeriesName(name);
    if (s.group !== group) continue;
    let peak: number | null = null;
    for (const v of values) if (v !== null && Number.isFinite(v) && (peak === null || v > peak)) peak = v;
    if (peak !== null) peaks.set(s.label, peak);
  }
  return peaks;
}
