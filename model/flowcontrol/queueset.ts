// Fair queuing for server requests within one priority level, after
// staging/src/k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset/queueset.go.
// Virtual time R advances, per active queue, by min(seats wanted, limit) / active queues per
// second; a queue dispatches its oldest request when that request's virtual finish
// (queue's nextDispatchR + work) is the smallest. Queues are created on first use, so an idle
// level with 128 queues costs an array of empty slots.
import type { Clock } from '../clock.js';
import type { Integrator } from './borrowing.js';
import type { RejectReason } from './types.js';
import type { QueueLike, Request, RequestOwner } from './request.js';

/** G, the service time fair queuing charges up front (queueset.go estimatedServiceDuration). */
export const ESTIMATED_SERVICE_SECONDS = 0.003;

export interface QueuingConfig {
  /** -1: exempt, never limited; 0: no queues, reject over the limit; n: fair queuing over n queues. */
  readonly desiredNumQueues: number;
  readonly queueLengthLimit: number;
  readonly handSize: number;
}

export class Queue implements QueueLike {
  head: Request | undefined;
  tail: Request | undefined;
  length = 0;
  initialSeatsSum = 0;
  maxSeatsSum = 0;
  /** Seat-seconds of work waiting in this queue. */
  totalWorkSum = 0;
  nextDispatchR = 0;
  executing = 0;
  seatsInUse = 0;

  constructor(public index: number) {}

  get idle(): boolean {
    return this.length === 0 && this.executing === 0;
  }

  push(r: Request): void {
    r.queue = this;
    r.prev = this.tail;
    r.next = undefined;
    if (this.tail) this.tail.next = r; else this.head = r;
    this.tail = r;
    this.count(r, 1);
  }

  remove(r: Request): void {
    if (r.prev) r.prev.next = r.next; else this.head = r.next;
    if (r.next) r.next.prev = r.prev; else this.tail = r.prev;
    r.prev = undefined;
    r.next = undefined;
    this.count(r, -1);
  }

  private count(r: Request, sign: 1 | -1): void {
    this.length += sign;
    this.initialSeatsSum += sign * r.initialSeats;
    this.maxSeatsSum += sign * r.maxSeats;
    this.totalWorkSum += sign * r.totalWork;
  }
}

export type StartOutcome = 'executing' | 'waiting' | RejectReason;

export class QueueSet {
  concurrencyLimit = 0;
  private config: QueuingConfig = { desiredNumQueues: 0, queueLengthLimit: 0, handSize: 0 };
  private queues: (Queue | undefined)[] = [];
  private currentR = 0;
  private lastRealMs: number;
  private robinIndex = 0;
  private enqueues = 0;
  private activeQueues = 0;

  waiting = 0;
  executing = 0;
  seatsInUse = 0;
  seatsWaiting = 0;
  dispatched = 0;
  rejected = 0;
  cancelled = 0;

  constructor(private readonly clock: Clock, private readonly owner: RequestOwner, private readonly seatDemand: Integrator) {
    this.lastRealMs = clock.now();
  }

  get idle(): boolean {
    return this.waiting === 0 && this.executing === 0;
  }

  configure(config: QueuingConfig, concurrencyLimit: number, now: number): void {
    this.syncTime(now);
    this.config = config;
    this.concurrencyLimit = concurrencyLimit;
    while (this.queues.length < config.desiredNumQueues) this.queues.push(undefined);
    // Trailing idle queues beyond the desired number go at once; busy ones leave by attrition.
    while (this.queues.length > Math.max(config.desiredNumQueues, 0) && (this.queues[this.queues.length - 1]?.idle ?? true)) this.queues.pop();
    if (this.robinIndex >= this.queues.length) this.robinIndex = 0;
    this.dispatchAsMuchAsPossible(now);
  }

  setConcurrencyLimit(limit: number, now: number): void {
    this.syncTime(now);
    this.concurrencyLimit = limit;
    this.dispatchAsMuchAsPossible(now);
  }

  /** Executes, enqueues or rejects a new request; `hand` is its shuffle-sharded queue indexes. */
  start(req: Request, hand: readonly number[], now: number): StartOutcome {
    this.syncTime(now);
    req.arrivalR = this.currentR;
    if (this.config.desiredNumQueues < 1) {
      if (!this.canAccommodate(req.maxSeats)) {
        this.rejected++;
        return 'concurrency-limit';
      }
      this.beginExecution(req, undefined, now);
      return 'executing';
    }
    const queueIndex = this.chooseQueue(hand);
    let queue = this.queues[queueIndex];
    if (this.seatsInUse >= this.concurrencyLimit && (queue?.length ?? 0) >= this.config.queueLengthLimit) {
      this.rejected++;
      return 'queue-full';
    }
    if (queue === undefined) queue = this.queues[queueIndex] = new Queue(queueIndex);
    if (queue.idle) {
      queue.nextDispatchR = this.currentR;
      this.activeQueues++;
    }
    queue.push(req);
    req.phase = 'waiting';
    this.waiting++;
    this.seatsWaiting += req.maxSeats;
    req.flow.waiting++;
    req.flow.waitingSeats += req.maxSeats;
    this.boundNextDispatch(queue);
    this.seatDemand.set(this.seatsInUse + this.seatsWaiting, now);
    if (this.waiting === 1) {
      // Only this request waits, so the round-robin scan would pick its queue: skip the scan.
      if (this.seatsInUse < this.concurrencyLimit && this.canAccommodate(req.maxSeats)) this.dispatchHead(queue, now);
    } else {
      this.dispatchAsMuchAsPossible(now);
    }
    return req.isExecuting ? 'executing' : 'waiting';
  }

  /** Takes a waiting request out of its queue (its wait limit passed or its client left). */
  cancel(req: Request, now: number): void {
    this.syncTime(now);
    const queue = req.queue as Queue;
    queue.remove(req);
    req.phase = 'rejected';
    this.waiting--;
    this.seatsWaiting -= req.maxSeats;
    req.flow.waiting--;
    req.flow.waitingSeats -= req.maxSeats;
    this.rejected++;
    this.cancelled++;
    if (queue.idle) this.activeQueues--;
    this.boundNextDispatch(queue);
    this.seatDemand.set(this.seatsInUse + this.seatsWaiting, now);
  }

  finish(req: Request, now: number): void {
    this.syncTime(now);
    this.executing--;
    req.flow.executing--;
    const queue = req.queue as Queue | undefined;
    if (queue) {
      queue.executing--;
      if (queue.idle) this.activeQueues--;
      // Charge the queue for the real service time instead of the G it was charged up front.
      queue.nextDispatchR -= req.initialSeats * (ESTIMATED_SERVICE_SECONDS - (now - req.startMs) / 1000);
      this.boundNextDispatch(queue);
    }
    if (req.additionalLatencyMs <= 0) {
      this.releaseSeats(req, now);
      this.dispatchAsMuchAsPossible(now);
      return;
    }
    // The final seats stay taken while watchers are notified, unseen by the client.
    this.clock.setTimeout(() => {
      const later = this.clock.now();
      this.syncTime(later);
      this.releaseSeats(req, later);
      this.dispatchAsMuchAsPossible(later);
    }, req.additionalLatencyMs);
  }

  /** Rows for dump_queues: one per queue, created or not. */
  queueRows(): readonly (Queue | undefined)[] {
    return this.queues;
  }

  /** Queues with waiting requests (dump_priority_levels' ActiveQueues). */
  queuesWithWaiting(): number {
    let n = 0;
    for (const q of this.queues) if (q && q.length > 0) n++;
    return n;
  }

  private syncTime(now: number): void {
    const dt = (now - this.lastRealMs) / 1000;
    this.lastRealMs = now;
    if (this.activeQueues > 0 && dt > 0) {
      this.currentR += (Math.min(this.seatsInUse + this.seatsWaiting, this.concurrencyLimit) / this.activeQueues) * dt;
    }
  }

  /** The queue in the hand with the least waiting work, starting at a rotating offset. */
  private chooseQueue(hand: readonly number[]): number {
    const offset = this.enqueues % hand.length;
    this.enqueues++;
    let best = -1;
    let least = Infinity;
    for (let i = 0; i < hand.length; i++) {
      const idx = hand[(offset + i) % hand.length];
      const work = this.queues[idx]?.totalWorkSum ?? 0;
      if (work < least) {
        least = work;
        best = idx;
      }
    }
    return best;
  }

  private canAccommodate(seats: number): boolean {
    if (this.config.desiredNumQueues < 0) return true;
    // A request wider than the whole limit runs alone rather than never.
    if (seats > this.concurrencyLimit) return this.executing === 0;
    return this.seatsInUse + seats <= this.concurrencyLimit;
  }

  private dispatchAsMuchAsPossible(now: number): void {
    while (this.waiting !== 0 && this.seatsInUse < this.concurrencyLimit && this.dispatchOne(now)) { /* keep dispatching */ }
  }

  /** Dispatches from the queue whose oldest request finishes first in virtual time. */
  private dispatchOne(now: number): boolean {
    let best: Queue | undefined;
    let bestIndex = 0;
    let minFinish = Infinity;
    const n = this.queues.length;
    for (let k = 0; k < n; k++) {
      this.robinIndex = (this.robinIndex + 1) % n;
      const q = this.queues[this.robinIndex];
      if (q === undefined || q.head === undefined) continue;
      const finish = q.nextDispatchR + q.head.totalWork;
      if (finish < minFinish) {
        minFinish = finish;
        best = q;
        bestIndex = this.robinIndex;
      }
    }
    if (best === undefined || best.head === undefined || !this.canAccommodate(best.head.maxSeats)) return false;
    // Ties go to the queues after this one next time.
    this.robinIndex = bestIndex;
    this.dispatchHead(best, now);
    return true;
  }

  private dispatchHead(queue: Queue, now: number): void {
    const req = queue.head as Request;
    queue.remove(req);
    this.waiting--;
    this.seatsWaiting -= req.maxSeats;
    req.flow.waiting--;
    req.flow.waitingSeats -= req.maxSeats;
    if (req.finalSeats > this.concurrencyLimit && this.concurrencyLimit > 0) {
      // Final seats beyond the limit are reshaped into a longer, narrower rectangle of equal area.
      req.additionalLatencyMs = (req.finalSeats * req.additionalLatencyMs) / this.concurrencyLimit;
      req.finalSeats = this.concurrencyLimit;
      req.maxSeats = Math.max(req.initialSeats, req.finalSeats);
    }
    this.beginExecution(req, queue, now);
    queue.nextDispatchR += req.totalWork;
    this.boundNextDispatch(queue);
    this.owner.dispatched(req, now);
  }

  private beginExecution(req: Request, queue: Queue | undefined, now: number): void {
    req.phase = 'executing';
    req.startMs = now;
    if (queue) {
      req.queue = queue;
      queue.executing++;
      queue.seatsInUse += req.maxSeats;
    }
    this.executing++;
    this.seatsInUse += req.maxSeats;
    this.dispatched++;
    req.flow.executing++;
    req.flow.executingSeats += req.maxSeats;
    req.flow.dispatched++;
    this.seatDemand.set(this.seatsInUse + this.seatsWaiting, now);
  }

  private releaseSeats(req: Request, now: number): void {
    this.seatsInUse -= req.maxSeats;
    req.flow.executingSeats -= req.maxSeats;
    this.seatDemand.set(this.seatsInUse + this.seatsWaiting, now);
    const queue = req.queue as Queue | undefined;
    if (queue === undefined) return;
    queue.seatsInUse -= req.maxSeats;
    if (this.queues.length > this.config.desiredNumQueues && queue.idle && this.queues[queue.index] === queue) {
      this.queues.splice(queue.index, 1);
      for (let i = queue.index; i < this.queues.length; i++) {
        const q = this.queues[i];
        if (q) q.index = i;
      }
      if (this.robinIndex >= queue.index) this.robinIndex--;
    }
  }

  /** Anti-windup: a queue's next dispatch never precedes its oldest request's arrival. */
  private boundNextDispatch(queue: Queue): void {
    const head = queue.head;
    if (head && queue.nextDispatchR < head.arrivalR) queue.nextDispatchR = head.arrivalR;
  }
}
