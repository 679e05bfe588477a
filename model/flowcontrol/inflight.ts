// Request kinds both flow-control filters share: which requests are long-running (and so never
// held by the max-in-flight filter, nor by APF unless they are watches), which are read-only,
// and the per-second in-flight watermarks behind apiserver_current_inflight_requests.
import type { RequestDigest } from './types.js';

// kube-apiserver's LongRunningFunc (pkg/controlplane/apiserver/config.go):
// BasicLongRunningRequestCheck({watch, proxy}, {attach, exec, proxy, log, portforward}).
const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
/** server/filters/maxinflight.go nonMutatingRequestVerbs; every other verb counts as mutating. */
const READ_ONLY_VERBS = new Set(['get', 'list', 'watch']);
/** The watermarks are published once a second (inflightUsageMetricUpdatePeriod). */
const WATERMARK_PERIOD_MS = 1000;

export function isLongRunning(rd: RequestDigest): boolean {
  if (LONG_RUNNING_VERBS.has(rd.verb)) return true;
  if (rd.isResourceRequest) return LONG_RUNNING_SUBRESOURCES.has(rd.subresource);
  return rd.path.startsWith('/debug/pprof/');
}

export function isReadOnly(verb: string): boolean {
  return READ_ONLY_VERBS.has(verb);
}

export type RequestKind = 'readOnly' | 'mutating';

/**
 * The highest count seen during the last whole second, as the filters' requestWatermark
 * reports it: each period starts from 0, so a period without changes reports 0.
 */
export class Watermark {
  private max = 0;
  private published = 0;
  private periodStart: number;

  constructor(nowMs: number) {
    this.periodStart = nowMs;
  }

  note(value: number, nowMs: number): void {
    this.roll(nowMs);
    if (value > this.max) this.max = value;
  }

  read(nowMs: number): number {
    this.roll(nowMs);
    return this.published;
  }

  private roll(nowMs: number): void {
    const periods = Math.floor((nowMs - this.periodStart) / WATERMARK_PERIOD_MS);
    if (periods <= 0) return;
    this.published = periods === 1 ? this.max : 0;
    this.max = 0;
    this.periodStart += periods * WATERMARK_PERIOD_MS;
  }
}

/** Executing and waiting counts by request kind, with their watermarks. */
export class InflightCounts {
  readonly executing: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };
  readonly waiting: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };
  readonly executingMark: Record<RequestKind, Watermark>;
  readonly waitingMark: Record<RequestKind, Watermark>;

  constructor(nowMs: number) {
    this.executingMark = { readOnly: new Watermark(nowMs), mutating: new Watermark(nowMs) };
    this.waitingMark = { readOnly: new Watermark(nowMs), mutating: new Watermark(nowMs) };
  }

  addExecuting(kind: RequestKind, delta: number, nowMs: number): void {
    this.executingMark[kind].note((this.executing[kind] += delta), nowMs);
  }

  addWaiting(kind: RequestKind, delta: number, nowMs: number): void {
    this.waitingMark[kind].note((this.waiting[kind] += delta), nowMs);
  }
}
