// The plain-text summary a scenario run prints to stdout: what a CI log shows of report.json.
import { num, textTable } from './format.js';
import type { Report } from './types.js';

export interface SummaryOptions {
  /** ANSI colors for the verdict and SLO results; only when stdout is a TTY. */
  readonly color?: boolean;
}

export function renderSummary(report: Report, options: SummaryOptions = {}): string {
  const color = options.color === true;
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const verdict = (ok: boolean): string => (ok ? paint('32', 'PASS') : paint('1;31', 'FAIL'));
  const heading = (s: string): string => paint('1', s);
  const out: string[] = [];

  out.push(
    `scenario ${report.scenario.name} (scale ${num(report.scenario.scale)})  target ${report.target.kind} ${report.target.server}  ` +
      `clock ${report.clock}  duration ${num(report.durationSeconds)} s  verdict ${verdict(report.verdict === 'pass')}`,
  );

  const phaseRows = report.steps.flatMap((step) =>
    step.phases.map((p) => [
      step.name,
      p.name,
      p.action,
      String(p.count),
      String(p.succeeded),
      String(p.failed),
      num(p.endSeconds - p.startSeconds),
      p.error ?? '',
    ]),
  );
  if (phaseRows.length > 0) {
    out.push('', heading('Phases'));
    out.push(textTable(['step', 'phase', 'action', 'count', 'ok', 'failed', 'seconds', 'error'], phaseRows, ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l']));
  }

  if (report.requests.length > 0) {
    const rows = report.requests.map((s) => [s.verb, s.resource, String(s.count), String(s.errors), String(s.retries), num(s.p50Ms), num(s.p99Ms), num(s.maxMs)]);
    out.push('', heading('Requests'));
    out.push(textTable(['verb', 'resource', 'count', 'errors', 'retries', 'p50 ms', 'p99 ms', 'max ms'], rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r']));
  }

  if (report.responses.length > 0) {
    out.push('', heading('Non-2xx responses'));
    out.push(textTable(['code', 'reason', 'count'], report.responses.map((r) => [String(r.code), r.reason, String(r.count)]), ['l', 'l', 'r']));
  }

  if (report.rejections.length > 0) {
    out.push('', heading('429s by server reason'));
    out.push(textTable(['reason', 'priority level', 'count'], report.rejections.map((r) => [r.reason, r.priorityLevel ?? '-', String(r.count)]), ['l', 'l', 'r']));
  }

  const ra = report.retryAfter;
  if (ra.count > 0) out.push('', `Retry-After: ${ra.count} answers, max ${num(ra.maxSeconds)} s, total wait ${num(ra.totalWaitSeconds)} s`);

  const counters = Object.entries(report.counters);
  if (counters.length > 0) {
    out.push('', heading('Counters'));
    out.push(textTable(['counter', 'value'], counters.map(([k, v]) => [k, num(v)]), ['l', 'r']));
  }

  const timings = Object.entries(report.timings);
  if (timings.length > 0) {
    out.push('', heading('Timings'));
    out.push(textTable(
      ['timing', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      timings.map(([k, t]) => [k, String(t.count), num(t.p50Ms), num(t.p90Ms), num(t.p99Ms), num(t.maxMs)]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ));
  }

  if (report.slos.length > 0) {
    out.push('', heading('SLOs'));
    out.push(textTable(
      ['slo', 'value', 'threshold', 'unit', 'result'],
      report.slos.map((s) => [s.name, num(s.value), num(s.threshold), s.unit, verdict(s.ok)]),
      ['l', 'r', 'r', 'l', 'l'],
    ));
  }

  return out.join('\n') + '\n';
}
