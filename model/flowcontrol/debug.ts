// Text of /debug/api_priority_and_fairness/dump_priority_levels and dump_queues, in the
// format of apf_controller_debug.go: comma-terminated cells aligned by Go's text/tabwriter
// (minwidth 8, tabwidth 0, padding 1, padchar ' '). Levels come sorted by name; upstream
// prints dump_queues in Go map order, which is random.
import type { PriorityLevel } from './level.js';

const PRIORITY_LEVEL_HEADERS = [
  'PriorityLevelName', 'ActiveQueues', 'IsIdle', 'IsQuiescing', 'WaitingRequests', 'ExecutingRequests',
  'DispatchedRequests', 'RejectedRequests', 'TimedoutRequests', 'CancelledRequests',
];

const QUEUE_HEADERS = [
  'PriorityLevelName', 'Index', 'PendingRequests', 'ExecutingRequests', 'SeatsInUse', 'NextDispatchR',
  'InitialSeatsSum', 'MaxSeatsSum', 'TotalWorkSum',
];

const TAB_MIN_WIDTH = 8;
const TAB_PADDING = 1;
/** request.SeatSeconds is fixed-point with 1e8 units per seat-second. */
const SEAT_SECONDS_SCALE = 100_000_000;

export function dumpPriorityLevels(levels: Iterable<PriorityLevel>): string {
  const rows = [PRIORITY_LEVEL_HEADERS];
  for (const level of sortedByName(levels)) {
    const qs = level.queues;
    rows.push([
      level.name, String(qs.queuesWithWaiting()), String(qs.idle), String(level.quiescing), String(qs.waiting),
      // Upstream never counts a time-out as TimedoutRequests; it counts them as Rejected and Cancelled.
      String(qs.executing), String(qs.dispatched), String(qs.rejected), '0', String(qs.cancelled),
    ]);
  }
  return tabulate(rows);
}

export function dumpQueues(levels: Iterable<PriorityLevel>): string {
  const rows = [QUEUE_HEADERS];
  for (const level of sortedByName(levels)) {
    level.queues.queueRows().forEach((q, i) => {
      rows.push([
        level.name, String(i), String(q?.length ?? 0), String(q?.executing ?? 0), String(q?.seatsInUse ?? 0),
        seatSeconds(q?.nextDispatchR ?? 0), String(q?.initialSeatsSum ?? 0), String(q?.maxSeatsSum ?? 0),
        seatSeconds(q?.totalWorkSum ?? 0),
      ]);
    });
  }
  return tabulate(rows);
}

function sortedByName(levels: Iterable<PriorityLevel>): PriorityLevel[] {
  return [...levels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** SeatSeconds.String: whole seat-seconds, a dot, eight digits, `ss`. */
export function seatSeconds(value: number): string {
  const units = BigInt(Math.max(0, Math.round(value * SEAT_SECONDS_SCALE)));
  const scale = BigInt(SEAT_SECONDS_SCALE);
  return `${units / scale}.${String(units % scale).padStart(8, '0')}ss`;
}

/**
 * Each row is written as cells joined by ",\t" and ended by "\n"; tabwriter pads every
 * tab-terminated cell to its column's widest cell plus padding (at least minwidth), and leaves
 * the last cell of a line as it is.
 */
function tabulate(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) {
      widths[c] = Math.max(widths[c] ?? TAB_MIN_WIDTH, row[c].length + 1 + TAB_PADDING);
    }
  }
  let out = '';
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) out += `${row[c]},`.padEnd(widths[c], ' ');
    out += `${row[row.length - 1]}\n`;
  }
  return out;
}
