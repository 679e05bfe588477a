// The target's own view of load, from its /metrics (kemu, or a real apiserver that lets the
// client read it): a Prometheus text-format parser keeping name, labels and value of each
// sample (histograms stay their _bucket/_sum/_count series), and readers for the figures the
// report plots. kemu serves every cluster's figures on every cluster's /metrics, told apart by
// a `cluster` label; the readers take an optional cluster to keep only its samples.

import type { Rejection } from '../report/types.js';
import type { RestClient } from './rest.js';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type LabelFilter = Readonly<Record<string, string>>;

export class MetricSamples {
  private readonly byName = new Map<string, Sample[]>();

  constructor(samples: readonly Sample[]) {
    for (const s of samples) {
      let list = this.byName.get(s.name);
      if (list === undefined) {
        list = [];
        this.byName.set(s.name, list);
      }
      list.push(s);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Samples of `name` whose labels include every pair of `filter`. */
  get(name: string, filter?: LabelFilter): Sample[] {
    const all = this.byName.get(name) ?? [];
    if (filter === undefined) return all;
    const keys = Object.keys(filter);
    return all.filter((s) => keys.every((k) => s.labels[k] === filter[k]));
  }

  /** Sum of the matching samples; null when the metric is absent. */
  sum(name: string, filter?: LabelFilter): number | null {
    if (!this.byName.has(name)) return null;
    let total = 0;
    for (const s of this.get(name, filter)) total += s.value;
    return total;
  }

  /** Sums by one label's value (a missing label counts as ''). */
  sumBy(name: string, label: string, filter?: LabelFilter): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.get(name, filter)) {
      const k = s.labels[label] ?? '';
      out[k] = (out[k] ?? 0) + s.value;
    }
    return out;
  }
}

function parseValue(text: string): number {
  switch (text) {
    case '+Inf': return Infinity;
    case '-Inf': return -Infinity;
    case 'NaN': return NaN;
    default: return Number(text);
  }
}

/** Reads `{a="x",b="y\"z"}` from `line` at `i` (just past `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, i: number): [Record<string, string>, number] | undefined {
  const labels: Record<string, string> = {};
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') return undefined;
    const key = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\' && j + 1 < line.length) {
        j++;
        value += line[j] === 'n' ? '\n' : line[j];
      } else value += line[j];
    }
    if (j >= line.length) return undefined;
    labels[key] = value;
    i = j + 1;
  }
}

/** Prometheus text exposition format 0.0.4; comment lines and lines it cannot read are skipped. */
export function parsePrometheusText(text: string): MetricSamples {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const parsed = parseLabels(line, brace + 1);
      if (parsed === undefined) continue;
      [labels] = parsed;
      rest = line.slice(parsed[1]).trim();
    } else {
      if (space < 0) continue;
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    // A timestamp may follow the value.
    const valueText = rest.split(' ')[0];
    const value = parseValue(valueText);
    if (valueText === '' || (Number.isNaN(value) && valueText !== 'NaN')) continue;
    samples.push({ name, labels, value });
  }
  return new MetricSamples(samples);
}

/** GET /metrics through `client` (give it qps 0 and no metrics so scraping neither waits nor counts); null when refused or missing. */
export async function scrapeMetrics(client: RestClient, signal?: AbortSignal): Promise<MetricSamples | null> {
  const r = await client.request({ verb: 'get', resource: 'metrics', method: 'GET', path: '/metrics', accept: 'text/plain', signal });
  if (r.status !== 200 || typeof r.body !== 'string') return null;
  return parsePrometheusText(r.body);
}

export interface Inflight {
  /** apiserver_current_inflight_requests by request_kind (readOnly, mutating). */
  readonly byKind: Readonly<Record<string, number>>;
  /** APF figures by priority_level; empty with APF off or on servers that hide them. */
  readonly executingSeats: Readonly<Record<string, number>>;
  readonly executingRequests: Readonly<Record<string, number>>;
  readonly inqueueRequests: Readonly<Record<string, number>>;
}

function clusterFilter(cluster: string | undefined): LabelFilter | undefined {
  return cluster === undefined ? undefined : { cluster };
}

export function readInflight(m: MetricSamples, cluster?: string): Inflight {
  const f = clusterFilter(cluster);
  return {
    byKind: m.sumBy('apiserver_current_inflight_requests', 'request_kind', f),
    executingSeats: m.sumBy('apiserver_flowcontrol_current_executing_seats', 'priority_level', f),
    executingRequests: m.sumBy('apiserver_flowcontrol_current_executing_requests', 'priority_level', f),
    inqueueRequests: m.sumBy('apiserver_flowcontrol_current_inqueue_requests', 'priority_level', f),
  };
}

/**
 * Rejections so far: APF's by (priority_level, reason), summed over flow schemas; without APF
 * figures, the max-in-flight filter's 429s from apiserver_request_terminations_total, as
 * `max-in-flight readOnly|mutating` (the filter's two limits).
 */
export function readRejections(m: MetricSamples, cluster?: string): Rejection[] {
  const f = clusterFilter(cluster);
  const apf = new Map<string, Rejection>();
  for (const s of m.get('apiserver_flowcontrol_rejected_requests_total', f)) {
    const priorityLevel = s.labels.priority_level ?? '';
    const reason = s.labels.reason ?? '';
    const key = `${priorityLevel}\n${reason}`;
    apf.set(key, { reason, priorityLevel, count: (apf.get(key)?.count ?? 0) + s.value });
  }
  const out = [...apf.values()];
  if (out.length === 0) {
    const byKind = new Map<string, number>();
    for (const s of m.get('apiserver_request_terminations_total', { ...f, code: '429' })) {
      const kind = READ_ONLY_VERBS.has(s.labels.verb ?? '') ? 'readOnly' : 'mutating';
      byKind.set(kind, (byKind.get(kind) ?? 0) + s.value);
    }
    for (const [kind, count] of byKind) out.push({ reason: `max-in-flight ${kind}`, priorityLevel: null, count });
  }
  return out.sort((a, b) => (a.priorityLevel ?? '').localeCompare(b.priorityLevel ?? '') || a.reason.localeCompare(b.reason));
}

// The verbs WithMaxInFlightLimit counts against --max-requests-inflight (the rest are mutating).
const READ_ONLY_VERBS = new Set(['get', 'list', 'watch']);

export interface ProcessFigures {
  readonly residentMemoryBytes: number | null;
  readonly cpuSecondsTotal: number | null;
}

/** The server process's memory and CPU, when it exports them (kube-apiserver does; kemu may not). */
export function readProcess(m: MetricSamples): ProcessFigures {
  return { residentMemoryBytes: m.sum('process_resident_memory_bytes'), cpuSecondsTotal: m.sum('process_cpu_seconds_total') };
}
