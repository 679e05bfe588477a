// A priority level's state: its configuration object, its concurrency limits (nominal, lower,
// upper, current) and its queues. Spec checks and defaults follow apf_controller.go
// (queueSetCompleterForPL, plSpecCommons) and pkg/apis/flowcontrol/v1/defaults.go.
import type { Clock } from '../clock.js';
import { Integrator, SeatDemandStats } from './borrowing.js';
import { QueueSet, type QueuingConfig } from './queueset.js';
import type { RequestOwner } from './request.js';
import { dealerProblem } from './shuffle-shard.js';
import { PRIORITY_LEVEL_EXEMPT, type ObjectRef, type PriorityLevelConfiguration } from './types.js';

/** v1 defaults (PriorityLevelConfigurationDefault*). */
const DEFAULT_NOMINAL_CONCURRENCY_SHARES = 30;
const DEFAULT_QUEUES = 64;
const DEFAULT_HAND_SIZE = 8;
const DEFAULT_QUEUE_LENGTH_LIMIT = 50;
/** apf_controller.go priorityLevelMaxSeatsPercent: a level's widest request, as a share of its seats. */
const MAX_SEATS_FRACTION = 0.15;

export interface SpecCommons {
  readonly shares: number;
  readonly lendablePercent: number | undefined;
  readonly borrowingLimitPercent: number | undefined;
}

/** Why a level's spec cannot be used (upstream then ignores the object), or undefined. */
export function priorityLevelProblem(pl: PriorityLevelConfiguration): string | undefined {
  const spec = pl.spec;
  if (spec.type !== 'Limited' && spec.type !== 'Exempt') return `unknown type ${String(spec.type)}`;
  if ((spec.type === 'Limited') !== (spec.limited !== undefined)) return 'broken union structure at the top, for Limited';
  if ((spec.type === 'Exempt') !== (spec.exempt !== undefined)) return 'broken union structure at the top, for Exempt';
  if ((spec.type === 'Exempt') !== (pl.metadata.name === PRIORITY_LEVEL_EXEMPT)) return 'non-alignment between name and type';
  const limited = spec.limited;
  if (limited === undefined) return undefined;
  if ((limited.limitResponse.type === 'Reject') !== (limited.limitResponse.queuing === undefined)) return 'broken union structure for limit response';
  const q = queuingConfig(pl);
  return q.desiredNumQueues > 0 ? dealerProblem(q.desiredNumQueues, q.handSize) : undefined;
}

export function specCommons(pl: PriorityLevelConfiguration): SpecCommons {
  const limited = pl.spec.limited;
  if (limited) {
    return {
      shares: limited.nominalConcurrencyShares ?? DEFAULT_NOMINAL_CONCURRENCY_SHARES,
      lendablePercent: limited.lendablePercent ?? 0,
      borrowingLimitPercent: limited.borrowingLimitPercent,
    };
  }
  const exempt = pl.spec.exempt;
  return { shares: exempt?.nominalConcurrencyShares ?? 0, lendablePercent: exempt?.lendablePercent ?? 0, borrowingLimitPercent: undefined };
}

export function queuingConfig(pl: PriorityLevelConfiguration): QueuingConfig {
  const limited = pl.spec.limited;
  if (limited === undefined) return { desiredNumQueues: -1, queueLengthLimit: 0, handSize: 0 };
  const q = limited.limitResponse.queuing;
  if (limited.limitResponse.type === 'Reject' || q === undefined) return { desiredNumQueues: 0, queueLengthLimit: 0, handSize: 0 };
  return {
    desiredNumQueues: q.queues || DEFAULT_QUEUES,
    queueLengthLimit: q.queueLengthLimit || DEFAULT_QUEUE_LENGTH_LIMIT,
    handSize: q.handSize || DEFAULT_HAND_SIZE,
  };
}

export class PriorityLevel {
  pl: PriorityLevelConfiguration;
  ref: ObjectRef;
  readonly queues: QueueSet;
  readonly seatDemand: Integrator;
  readonly demand = new SeatDemandStats();
  nominalCL = 0;
  minCL = 0;
  maxCL = 0;
  currentCL = 0;
  /** Widest request the work estimator may hand this level; 0 means the estimator's limit. */
  maxSeats = 0;
  /** No longer configured; kept until its requests drain. */
  quiescing = false;
  /** Limits not yet computed: the first split starts it between nominal and lower limit. */
  fresh = true;

  constructor(pl: PriorityLevelConfiguration, clock: Clock, owner: RequestOwner) {
    this.pl = pl;
    this.ref = refOf(pl);
    this.seatDemand = new Integrator(clock.now());
    this.queues = new QueueSet(clock, owner, this.seatDemand);
  }

  get name(): string {
    return this.pl.metadata.name;
  }

  setObject(pl: PriorityLevelConfiguration): void {
    this.pl = pl;
    this.ref = refOf(pl);
  }

  /** Derives the level's limits from the server's share split (finishQueueSetReconfigsLocked). */
  setLimits(serverConcurrencyLimit: number, shareSum: number): void {
    const { shares, lendablePercent, borrowingLimitPercent } = specCommons(this.pl);
    // Rounding each level up means the levels may sum to a little more than the server limit.
    const nominal = shareSum > 0 ? Math.ceil((serverConcurrencyLimit * shares) / shareSum) : 0;
    const lendable = lendablePercent !== undefined ? Math.round((nominal * lendablePercent) / 100) : 0;
    const borrowing = borrowingLimitPercent !== undefined ? Math.round((nominal * borrowingLimitPercent) / 100) : serverConcurrencyLimit;
    this.nominalCL = nominal;
    this.minCL = nominal - lendable;
    this.maxCL = nominal + borrowing;
    const q = queuingConfig(this.pl);
    this.maxSeats = q.desiredNumQueues > 0
      ? Math.max(1, Math.min(Math.ceil(nominal * MAX_SEATS_FRACTION), Math.floor(nominal / q.handSize)))
      : 0;
    if (this.fresh) {
      this.currentCL = nominal - Math.floor(lendable / 2);
      this.fresh = false;
    }
  }
}

function refOf(pl: PriorityLevelConfiguration): ObjectRef {
  return { name: pl.metadata.name, uid: pl.metadata.uid ?? '' };
}
