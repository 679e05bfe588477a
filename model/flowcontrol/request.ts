// One request's life inside a priority level, and the per (priority level, flow schema) numbers
// the metrics are made of. The admitted request object is itself the Admission handed back to
// the caller, so admitting costs one allocation.
import type { TimerHandle } from '../clock.js';
import type { PriorityLevel } from './level.js';
import type { Admission, Admitted, ObjectRef } from './types.js';
import type { WorkEstimate } from './work-estimate.js';

/** Counters and gauges of one (priority level, flow schema) pair, read by the metrics at scrape. */
export class FlowStats {
  waiting = 0;
  waitingSeats = 0;
  executing = 0;
  executingSeats = 0;
  dispatched = 0;
  rejectedQueueFull = 0;
  rejectedConcurrencyLimit = 0;
  rejectedTimeOut = 0;

  constructor(readonly priorityLevel: string, readonly flowSchema: string) {}

  get idle(): boolean {
    return this.waiting === 0 && this.executing === 0 && this.executingSeats === 0;
  }
}

/** What happens to a request that leaves the queueing machinery. */
export interface RequestOwner {
  /** The request started executing after waiting in a queue. */
  dispatched(req: Request, now: number): void;
  /** The admitted request called finish(). */
  finished(req: Request): void;
  /** The client went away while the request waited. */
  abandoned(req: Request): void;
}

export type Phase = 'new' | 'waiting' | 'executing' | 'finished' | 'rejected';

/** The owner of a request's queue links; Queue in queueset.ts. */
export interface QueueLike {
  readonly index: number;
}

export class Request implements Admitted {
  readonly admitted = true as const;
  phase: Phase = 'new';
  initialSeats: number;
  finalSeats: number;
  additionalLatencyMs: number;
  maxSeats: number;
  /** Seat-seconds of work fair queuing charges: initial seats for G plus the final-seat rectangle. */
  readonly totalWork: number;

  queue: QueueLike | undefined;
  prev: Request | undefined;
  next: Request | undefined;
  /** Virtual time R when the request arrived. */
  arrivalR = 0;
  startMs = 0;

  resolve: ((a: Admission) => void) | undefined;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;

  constructor(
    private readonly owner: RequestOwner,
    readonly level: PriorityLevel,
    readonly flow: FlowStats,
    readonly flowSchema: ObjectRef,
    readonly priorityLevel: ObjectRef,
    estimate: WorkEstimate,
    estimatedServiceSeconds: number,
    readonly isWatch: boolean,
    readonly mutating: boolean,
    readonly arrivalMs: number,
  ) {
    this.initialSeats = estimate.initialSeats;
    this.finalSeats = estimate.finalSeats;
    this.additionalLatencyMs = estimate.additionalLatencyMs;
    this.maxSeats = Math.max(this.initialSeats, this.finalSeats);
    this.totalWork = this.initialSeats * estimatedServiceSeconds + (this.finalSeats * this.additionalLatencyMs) / 1000;
  }

  get isExecuting(): boolean {
    return this.phase === 'executing';
  }

  finish(): void {
    if (this.phase !== 'executing') return;
    this.phase = 'finished';
    this.owner.finished(this);
  }

  /** AbortSignal listener: the object itself, so waiting needs no closure. */
  handleEvent(): void {
    if (this.phase === 'waiting') this.owner.abandoned(this);
  }
}
