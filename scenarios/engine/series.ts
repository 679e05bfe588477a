// Per-second time series of a run, kept column by column so a name that appears late (a phase's
// workqueue) or stops (a finished phase) still lines up with the time axis.
import type { Series } from '../report/types.js';

export class SeriesBuilder {
  private readonly seconds: number[] = [];
  private readonly values = new Map<string, (number | null)[]>();
  private readonly units: Record<string, string>;

  constructor(units: Readonly<Record<string, string>>) {
    this.units = { ...units };
  }

  push(t: number, row: Readonly<Record<string, number | null>>): void {
    const n = this.seconds.length;
    this.seconds.push(t);
    for (const [name, v] of Object.entries(row)) {
      let col = this.values.get(name);
      if (!col) {
        col = new Array<number | null>(n).fill(null);
        this.values.set(name, col);
      }
      col.push(v);
    }
    for (const col of this.values.values()) if (col.length === n) col.push(null);
  }

  /** Highest value of a series, or null when it has none. */
  peak(name: string): number | null {
    let best: number | null = null;
    for (const v of this.values.get(name) ?? []) if (v !== null && (best === null || v > best)) best = v;
    return best;
  }

  build(): Series {
    return { seconds: [...this.seconds], values: Object.fromEntries(this.values), units: this.units };
  }
}
