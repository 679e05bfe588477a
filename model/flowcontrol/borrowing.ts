// Seat borrowing between priority levels (KEP-1040 "borrowing"): every adjustment period each
// level's seat demand is summarised, smoothed, and the server's nominal seats are re-split by
// a fair proportion of the targets within each level's [lower, upper] bounds. Follows
// apf_controller.go (updateBorrowingLocked, seatDemandStats), fairqueuing/integrator.go and
// conc_alloc.go (computeConcurrencyAllocation).

/** apf_controller.go borrowingAdjustmentPeriod. */
export const BORROWING_ADJUSTMENT_PERIOD_MS = 10_000;
/** apf_controller.go seatDemandSmoothingCoefficient: a 5-minute half-life at 10 s steps. */
const SEAT_DEMAND_SMOOTHING = 0.977;
/** conc_alloc.go MinTarget: targets below it count as it, so none divides by zero. */
const MIN_TARGET = 0.001;
/** conc_alloc.go epsilon, for comparing sums. */
const EPSILON = 0.0000001;

export interface IntegratorResults {
  readonly durationSeconds: number;
  readonly average: number;
  readonly deviation: number;
  readonly max: number;
}

/** Time-weighted average, standard deviation and maximum of a piecewise-constant value. */
export class Integrator {
  private x = 0;
  private lastMs: number;
  private elapsed = 0;
  private integralX = 0;
  private integralXX = 0;
  private max = 0;

  constructor(nowMs: number) {
    this.lastMs = nowMs;
  }

  set(x: number, nowMs: number): void {
    this.advance(nowMs);
    this.x = x;
    if (x > this.max) this.max = x;
  }

  /** The results since the last reset; the next period starts at the current value. */
  reset(nowMs: number): IntegratorResults {
    this.advance(nowMs);
    const avg = this.elapsed > 0 ? this.integralX / this.elapsed : NaN;
    const variance = this.elapsed > 0 ? this.integralXX / this.elapsed - avg * avg : NaN;
    const results = { durationSeconds: this.elapsed, average: avg, deviation: variance >= 0 ? Math.sqrt(variance) : NaN, max: this.max };
    this.elapsed = 0;
    this.integralX = 0;
    this.integralXX = 0;
    this.max = this.x;
    return results;
  }

  private advance(nowMs: number): void {
    const dt = (nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    if (dt <= 0) return;
    this.elapsed += dt;
    this.integralX += this.x * dt;
    this.integralXX += this.x * this.x * dt;
  }
}

/** seatDemandStats: the envelope avg+stddev, smoothed so demand decays slowly but rises at once. */
export class SeatDemandStats {
  average = 0;
  deviation = 0;
  highWatermark = 0;
  smoothed = 0;

  update(obs: IntegratorResults): void {
    this.highWatermark = obs.max;
    if (obs.durationSeconds <= 0) return;
    const deviation = Number.isNaN(obs.deviation) ? 0 : obs.deviation;
    this.average = obs.average;
    this.deviation = deviation;
    const envelope = obs.average + deviation;
    this.smoothed = Math.max(envelope, SEAT_DEMAND_SMOOTHING * this.smoothed + (1 - SEAT_DEMAND_SMOOTHING) * envelope);
  }
}

export interface AllocationItem {
  readonly target: number;
  readonly lowerBound: number;
  readonly upperBound: number;
}

/**
 * Allocations summing to `requiredSum`, each `clamp(fairProp * target, lower, upper)` for the one
 * fairProp that makes them sum up; undefined when the bounds make that impossible.
 */
export function computeConcurrencyAllocation(requiredSum: number, items: readonly AllocationItem[]): number[] | undefined {
  let lowSum = 0;
  let highSum = 0;
  const targets: number[] = [];
  for (const item of items) {
    if (item.lowerBound < 0 || item.target < item.lowerBound || item.upperBound < item.lowerBound) return undefined;
    targets.push(Math.max(item.target, MIN_TARGET));
    lowSum += item.lowerBound;
    highSum += item.upperBound;
  }
  if (lowSum - requiredSum > EPSILON || requiredSum - highSum > EPSILON) return undefined;
  if (requiredSum === 0) return items.map(() => 0);
  if (lowSum - requiredSum > -EPSILON) return items.map((i) => i.lowerBound);
  if (requiredSum - highSum > -EPSILON) return items.map((i) => i.upperBound);

  // sum(clamp(p * target)) grows piecewise linearly in p; walk its breakpoints (each bound
  // divided by its target) upwards until the segment that reaches requiredSum.
  const breakpoints: { p: number; target: number; entering: boolean }[] = [];
  items.forEach((item, idx) => {
    breakpoints.push({ p: item.lowerBound / targets[idx], target: targets[idx], entering: true });
    breakpoints.push({ p: item.upperBound / targets[idx], target: targets[idx], entering: false });
  });
  breakpoints.sort((a, b) => a.p - b.p);
  let p = breakpoints[0].p;
  let sum = lowSum;
  let slope = 0;
  for (const bp of breakpoints) {
    if (bp.p > p) {
      if (slope > 0 && sum + (bp.p - p) * slope >= requiredSum) break;
      sum += (bp.p - p) * slope;
      p = bp.p;
    }
    slope += bp.entering ? bp.target : -bp.target;
  }
  const fairProp = slope > 0 ? p + (requiredSum - sum) / slope : p;
  return items.map((item, idx) => Math.max(item.lowerBound, Math.min(item.upperBound, fairProp * targets[idx])));
}
