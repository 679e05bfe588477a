// API Priority and Fairness for one emulated apiserver: classifies each request by FlowSchema,
// queues it fairly in its priority level, and admits or rejects it, as kube-apiserver 1.32's
// apf_controller.go / apf_filter.go and server/filters/priority-and-fairness.go do. Everything
// runs on the injected clock; nothing here knows about HTTP.
import type { Clock, TimerHandle } from '../clock.js';
import { BORROWING_ADJUSTMENT_PERIOD_MS, computeConcurrencyAllocation } from './borrowing.js';
import { digestConfiguration, type CompiledFlowSchema, type FlowSchemaStatusUpdate } from './config.js';
import { InflightCounts, isLongRunning, isReadOnly, type RequestKind } from './inflight.js';
import { PriorityLevel, queuingConfig } from './level.js';
import { flowDistinguisher, matchesFlowSchema } from './match.js';
import { ESTIMATED_SERVICE_SECONDS } from './queueset.js';
import { FlowStats, Request, type RequestOwner } from './request.js';
import { DroppedRequestsTracker } from './retry-after.js';
import { tooManyRequests, UNLIMITED } from './too-many-requests.js';
import {
  FLOW_SCHEMA_CATCH_ALL, PRIORITY_LEVEL_EXEMPT, type Admission, type FlowSchema,
  type PriorityLevelConfiguration, type RejectReason, type Rejected, type RequestDigest,
} from './types.js';
import { estimateWork, type WorkEstimatorHooks } from './work-estimate.js';

/** --max-requests-inflight (400) + --max-mutating-requests-inflight (200): APF's server-wide seats. */
export const DEFAULT_SERVER_CONCURRENCY_LIMIT = 400 + 200;
/**
 * A request without a deadline (a WATCH) may wait RequestTimeout/4 = 60 s / 4
 * (server/config.go DefaultBuildHandlerChain passes c.RequestTimeout/4).
 */
const DEFAULT_REQUEST_WAIT_LIMIT_MS = 15_000;
/** priority-and-fairness.go getRequestWaitContext: never more than a minute in a queue. */
const MAX_REQUEST_WAIT_LIMIT_MS = 60_000;
/** A level with one queue puts every flow in it (its flows all hash to 0). */
const SINGLE_QUEUE: readonly number[] = [0];

/** Histogram observations the metrics take per request. */
export interface FlowObserver {
  /** Time spent between arrival and dispatch or rejection (not called for the exempt level). */
  waited(flow: FlowStats, execute: boolean, seconds: number): void;
  executed(flow: FlowStats, isWatch: boolean, seconds: number): void;
}

export interface FlowControllerOptions extends WorkEstimatorHooks {
  readonly clock: Clock;
  readonly serverConcurrencyLimit?: number;
  readonly observer?: FlowObserver;
}

export class FlowController implements RequestOwner {
  readonly inflight: InflightCounts;
  private readonly clock: Clock;
  private readonly serverConcurrencyLimit: number;
  private readonly hooks: WorkEstimatorHooks;
  private readonly observer: FlowObserver | undefined;
  private levels = new Map<string, PriorityLevel>();
  private flowSchemas: readonly CompiledFlowSchema[] = [];
  private catchAll: CompiledFlowSchema;
  private nominalSum = 0;
  private readonly flows = new Map<string, FlowStats>();
  private readonly dropped = new DroppedRequestsTracker();
  private objects: { flowSchemas: readonly FlowSchema[]; priorityLevels: readonly PriorityLevelConfiguration[] } = { flowSchemas: [], priorityLevels: [] };
  private borrowingTimer: TimerHandle | undefined;

  constructor(options: FlowControllerOptions) {
    this.clock = options.clock;
    this.serverConcurrencyLimit = options.serverConcurrencyLimit ?? DEFAULT_SERVER_CONCURRENCY_LIMIT;
    this.hooks = options;
    this.observer = options.observer;
    this.inflight = new InflightCounts(this.clock.now());
    // Until configured, only the mandatory objects apply, as on a server whose informers have not synced.
    this.catchAll = this.apply().catchAll;
    this.scheduleBorrowing();
  }

  /** Replaces the configuration with the stored objects; returns FlowSchema status conditions to write. */
  setConfiguration(flowSchemas: readonly FlowSchema[], priorityLevels: readonly PriorityLevelConfiguration[]): readonly FlowSchemaStatusUpdate[] {
    this.objects = { flowSchemas, priorityLevels };
    const { statusUpdates, catchAll } = this.apply();
    this.catchAll = catchAll;
    return statusUpdates;
  }

  /**
   * Admits, queues or rejects a request. A Promise comes back only when the request waits in a
   * queue; `signal` aborting takes it out (client gone). `requestTimeoutMs` is the request's
   * deadline (min(?timeout, --request-timeout)); omit it for watches.
   */
  begin(rd: RequestDigest, signal?: AbortSignal, requestTimeoutMs?: number): Admission | Promise<Admission> {
    const isWatch = rd.verb === 'watch';
    // Long-running requests other than watches bypass APF entirely (no seats, no headers).
    if (!isWatch && isLongRunning(rd)) return UNLIMITED;
    const fs = this.classify(rd);
    const level = fs.level;
    const hand = fs.hands ? fs.hands.hand(flowDistinguisher(fs.fs, rd)) : SINGLE_QUEUE;
    const estimate = estimateWork(rd, level.maxSeats, this.hooks);
    const now = this.clock.now();
    const req = new Request(this, level, fs.flow, fs.ref, level.ref, estimate, ESTIMATED_SERVICE_SECONDS, isWatch, !isReadOnly(rd.verb), now);
    const outcome = level.queues.start(req, hand, now);
    if (outcome === 'executing') {
      this.beginExecution(req, now);
      return req;
    }
    if (outcome === 'waiting') return this.wait(req, signal, requestTimeoutMs, now);
    return this.reject(req, outcome, now, false);
  }

  dispatched(req: Request, now: number): void {
    const resolve = req.resolve;
    // Dispatched during its own begin(): begin() answers for it.
    if (resolve === undefined) return;
    this.stopWaiting(req, now);
    this.beginExecution(req, now);
    resolve(req);
  }

  finished(req: Request): void {
    const now = this.clock.now();
    req.level.queues.finish(req, now);
    this.inflight.addExecuting(kindOf(req), -1, now);
    this.observer?.executed(req.flow, req.isWatch, (now - req.startMs) / 1000);
    this.reapIfDrained(req.level);
  }

  abandoned(req: Request): void {
    this.timeOut(req);
  }

  /** Stops the periodic borrowing adjustment. */
  close(): void {
    if (this.borrowingTimer !== undefined) this.clock.clearTimeout(this.borrowingTimer);
    this.borrowingTimer = undefined;
  }

  priorityLevels(): Iterable<PriorityLevel> {
    return this.levels.values();
  }

  flowStats(): Iterable<FlowStats> {
    return this.flows.values();
  }

  private classify(rd: RequestDigest): CompiledFlowSchema {
    for (const fs of this.flowSchemas) if (matchesFlowSchema(fs.rules, rd)) return fs;
    // Every authenticated or anonymous user matches catch-all; a digest without those groups lands there too.
    return this.catchAll;
  }

  private beginExecution(req: Request, now: number): void {
    this.inflight.addExecuting(kindOf(req), 1, now);
    if (req.level.name !== PRIORITY_LEVEL_EXEMPT) this.observer?.waited(req.flow, true, (now - req.arrivalMs) / 1000);
  }

  private wait(req: Request, signal: AbortSignal | undefined, requestTimeoutMs: number | undefined, now: number): Admission | Promise<Admission> {
    this.inflight.addWaiting(kindOf(req), 1, now);
    if (signal?.aborted) return this.cancel(req, now);
    const limit = requestTimeoutMs === undefined ? DEFAULT_REQUEST_WAIT_LIMIT_MS : Math.min(requestTimeoutMs / 4, MAX_REQUEST_WAIT_LIMIT_MS);
    req.timer = this.clock.setTimeout(() => this.timeOut(req), limit);
    if (signal) {
      req.signal = signal;
      signal.addEventListener('abort', req);
    }
    return new Promise((resolve) => {
      req.resolve = resolve;
    });
  }

  private stopWaiting(req: Request, now: number): void {
    req.resolve = undefined;
    if (req.timer !== undefined) this.clock.clearTimeout(req.timer);
    req.timer = undefined;
    req.signal?.removeEventListener('abort', req);
    req.signal = undefined;
    this.inflight.addWaiting(kindOf(req), -1, now);
  }

  private timeOut(req: Request): void {
    if (req.phase !== 'waiting') return;
    const resolve = req.resolve;
    const rejection = this.cancel(req, this.clock.now());
    resolve?.(rejection);
  }

  /** Upstream ends every wait cut short, by deadline or by the client, as a `time-out` rejection. */
  private cancel(req: Request, now: number): Rejected {
    req.level.queues.cancel(req, now);
    this.stopWaiting(req, now);
    return this.reject(req, 'time-out', now, true);
  }

  private reject(req: Request, reason: RejectReason, now: number, wasQueued: boolean): Rejected {
    req.phase = 'rejected';
    const flow = req.flow;
    if (reason === 'queue-full') flow.rejectedQueueFull++;
    else if (reason === 'concurrency-limit') flow.rejectedConcurrencyLimit++;
    else flow.rejectedTimeOut++;
    // apf_filter.go labels the wait `execute="true"` for any request that got into a queue.
    this.observer?.waited(flow, wasQueued, (now - req.arrivalMs) / 1000);
    const retryAfterSeconds = this.dropped.recordAndGet(req.level.name, now);
    this.reapIfDrained(req.level);
    return {
      admitted: false, reason, retryAfterSeconds, status: tooManyRequests(retryAfterSeconds),
      flowSchema: req.flowSchema, priorityLevel: req.priorityLevel,
    };
  }

  /** A level no longer configured goes once its queues are empty (maybeReap). */
  private reapIfDrained(level: PriorityLevel): void {
    if (level.quiescing && level.queues.idle) this.catchAll = this.apply().catchAll;
  }

  private apply(): { statusUpdates: readonly FlowSchemaStatusUpdate[]; catchAll: CompiledFlowSchema } {
    const now = this.clock.now();
    const digested = digestConfiguration({
      flowSchemas: this.objects.flowSchemas,
      priorityLevels: this.objects.priorityLevels,
      previous: this.levels,
      newLevel: (pl) => new PriorityLevel(pl, this.clock, this),
      flowStats: (pl, fs) => this.flowStatsFor(pl, fs),
      serverConcurrencyLimit: this.serverConcurrencyLimit,
      now,
    });
    this.levels = digested.levels;
    this.flowSchemas = digested.flowSchemas;
    this.nominalSum = digested.nominalSum;
    this.dropped.retain(new Set(this.levels.keys()));
    this.pruneFlowStats();
    this.updateBorrowing(now);
    for (const level of this.levels.values()) level.queues.configure(queuingConfig(level.pl), level.currentCL, now);
    const catchAll = this.flowSchemas.find((fs) => fs.ref.name === FLOW_SCHEMA_CATCH_ALL) as CompiledFlowSchema;
    return { statusUpdates: digested.statusUpdates, catchAll };
  }

  private flowStatsFor(priorityLevel: string, flowSchema: string): FlowStats {
    const key = `${priorityLevel}\u0000${flowSchema}`;
    let stats = this.flows.get(key);
    if (stats === undefined) {
      stats = new FlowStats(priorityLevel, flowSchema);
      this.flows.set(key, stats);
    }
    return stats;
  }

  /** Keeps the per-flow numbers bounded by the configuration: unused, idle pairs are dropped. */
  private pruneFlowStats(): void {
    const inUse = new Set(this.flowSchemas.map((fs) => fs.flow));
    for (const [key, stats] of this.flows) if (!inUse.has(stats) && stats.idle) this.flows.delete(key);
  }

  /** Re-splits the server's nominal seats by each level's recent seat demand (updateBorrowingLocked). */
  private updateBorrowing(now: number): void {
    const levels = [...this.levels.values()];
    const items = levels.map((level) => {
      level.demand.update(level.seatDemand.reset(now));
      // At least what the level used lately, up to its nominal limit, and never below its lower limit.
      const lowerBound = Math.max(level.minCL, Math.min(level.nominalCL, level.demand.highWatermark));
      return { lowerBound, upperBound: level.maxCL, target: Math.max(lowerBound, level.demand.smoothed) };
    });
    const allocs = computeConcurrencyAllocation(this.nominalSum, items);
    if (allocs === undefined) return;
    levels.forEach((level, i) => { level.currentCL = Math.round(allocs[i]); });
  }

  private scheduleBorrowing(): void {
    this.borrowingTimer = this.clock.setTimeout(() => {
      const now = this.clock.now();
      this.updateBorrowing(now);
      for (const level of this.levels.values()) level.queues.setConcurrencyLimit(level.currentCL, now);
      this.scheduleBorrowing();
    }, BORROWING_ADJUSTMENT_PERIOD_MS);
  }
}

function kindOf(req: Request): RequestKind {
  return req.mutating ? 'mutating' : 'readOnly';
}
