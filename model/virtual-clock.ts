// A Clock whose time jumps to the next due timer whenever the process has nothing else to do, so
// waiting costs no real time while real work (loopback HTTP, LMDB commits, JSON) runs at full
// speed with time standing still. `kemu run --clock virtual` runs the embedded server, its
// capacity model and lifecycle delays, and the load client on one of these.
//
// Idle detection. Node has no "event loop idle" API, so the clock looks for it:
//   1. Holds: `hold()` marks work the clock cannot see, such as an LMDB commit on lmdb-js's
//      writer thread (which shows in no handle or request list for thousands of loop turns).
//      Nothing advances while a hold is taken. Holds must never span a wait on this clock (a
//      request's service time, an APF queue): that would wait for itself.
//   2. In flight: nothing advances while the process has a threadpool or write request
//      outstanding (`process.getActiveResourcesInfo()`: FSReqCallback, FSReqPromise, WriteWrap,
//      …), a socket still connecting, or bytes in transit between two of its own sockets. The
//      embedded target talks to itself over loopback, so both ends of each connection are here:
//      when one end has written more than its peer has read (counted on the TCP handles, below
//      TLS), a request, response, handshake or watch event is still in the kernel, and nothing
//      promises it arrives by the next poll (Nagle and delayed ACKs hold small segments back). A
//      peer that stops reading (backpressure) would hold time forever, so an imbalance no longer
//      counts once nothing has changed for STALL_MS of real time.
//   3. Settling: then the clock waits for SETTLE_TURNS consecutive setImmediate turns in which
//      nothing changed, so work that hops through immediates and I/O callbacks finishes (each
//      turn runs the poll phase, and microtasks and nextTicks drain after every callback). A
//      change is a timer set, cleared or fired, a hold taken or released (a generation counter),
//      or any change in the bytes read and written on the process's TCP sockets or their number.
// Then the clock moves to the earliest due timer and fires every timer due then that was set
// before this advance began, in (due time, insertion) order; timers they set, even for 0 ms, wait
// for the next advance, as a real setTimeout(0) waits for I/O already pending.
//
// Cost (measured, Node 20, 2 shared cores): 7–12 µs per advance with no sockets open (10,000
// chained one-hour timers in 70–120 ms of real time), so tens of thousands of advances per real
// second; each turn scans the open sockets, so the cost grows with their number. In a scenario
// the real work between advances dominates (the runner scrapes /metrics every modeled second).
//
// Time starts at `start` (default: Date.now() at creation, so object timestamps look current);
// reports use seconds since their own start.
//
// Keeping the process alive: the loop's immediates must be ref'd (an unref'd immediate does not
// stop the poll phase from blocking, so each turn would wait for unrelated I/O), but virtual
// timers must not keep the process alive on their own, as realClock's unref'd timers do not. So
// before each advance the clock looks for anything else that keeps the loop alive (a listening
// server, a socket, a ref'd real timer, a request in flight; not stdio); when there is nothing,
// it pauses, and the process exits unless someone sets a timer or releases a hold again.
import { Socket } from 'node:net';
import type { Clock, TimerHandle } from './clock.js';

/** Quiet turns in a row before time may jump. */
const SETTLE_TURNS = 3;
/** Real ms after which bytes unread by a peer that is not reading no longer hold time. */
const STALL_MS = 100;

// Resources that stay open while idle; any other (a request in flight on the threadpool, a
// pending socket write, a DNS lookup, zlib work) means some I/O has not finished yet.
const STANDING = new Set([
  'TCPSocketWrap', 'TCPServerWrap', 'PipeWrap', 'PipeServerWrap', 'TTYWrap', 'Timeout', 'Immediate',
  'SignalWrap', 'ProcessWrap', 'FSEventWrap', 'StatWatcher', 'UDPWrap', 'MessagePort', 'Worker',
]);

// Handles that do not keep a process alive by being listed (stdio), and the loop's own turns.
const NOT_ALIVE = new Set(['PipeWrap', 'TTYWrap', 'Immediate']);

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

// Undocumented but present since Node 0.x: the owners of the loop's active (ref'd) handles, the
// only way to reach the sockets other modules (undici, the HTTPS server) opened.
const activeHandles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.bind(process) ?? (() => []);

interface ByteCounts {
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

// The wire's counts: a TLS socket's own counts are cleartext, its TCP handle's (the TLSWrap's
// `_parent`) are what the peer's plain socket counts. Internal fields, so with a fallback.
function wireCounts(s: Socket): ByteCounts {
  const handle = (s as unknown as { _handle?: Partial<ByteCounts> & { _parent?: Partial<ByteCounts> } })._handle;
  const tcp = handle?._parent ?? handle;
  return typeof tcp?.bytesRead === 'number' && typeof tcp.bytesWritten === 'number' ? tcp as ByteCounts : s;
}

export interface VirtualClockStats {
  /** Times the clock moved to the next due timer. */
  readonly advances: number;
  /** Timers fired. */
  readonly fired: number;
  /** Timers set and not yet fired or cleared. */
  readonly pending: number;
}

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  /** Min-heap on (due, seq); cleared timers stay in it until popped or compacted. */
  private heap: Timer[] = [];
  private readonly live = new Map<number, Timer>();
  private holds = 0;
  /** Bumped by every timer set, cleared or fired and every hold taken or released. */
  private generation = 0;
  private scheduled = false;
  private stopped = false;
  private quiet = 0;
  private lastSignature = '';
  /** performance.now() when the signature last changed. */
  private changedAt = 0;
  private advances = 0;
  private fired = 0;

  constructor(start = Date.now()) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { due: this.t + Math.max(0, ms), seq: ++this.seq, fn };
    this.live.set(timer.seq, timer);
    this.push(timer);
    this.generation++;
    this.wake();
    return { id: timer.seq };
  }

  clearTimeout(h: TimerHandle): void {
    if (!this.live.delete(h.id as number)) return;
    this.generation++;
    // Cleared timers are dropped lazily; rebuild when they outnumber the live ones.
    if (this.heap.length > 1024 && this.heap.length > 2 * this.live.size) this.compact();
  }

  hold(): () => void {
    this.holds++;
    this.generation++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.generation++;
      this.wake();
    };
  }

  /** Ends the advancing loop: pending timers stay pending and never fire. */
  stop(): void {
    this.stopped = true;
  }

  get stats(): VirtualClockStats {
    return { advances: this.advances, fired: this.fired, pending: this.live.size };
  }

  /** Starts the settle loop unless it runs, has nothing to wait for, or must not run. */
  private wake(): void {
    if (this.scheduled || this.stopped || this.holds > 0 || this.live.size === 0) return;
    this.scheduled = true;
    this.quiet = 0;
    this.lastSignature = '';
    setImmediate(this.turn);
  }

  // `scheduled` stays set while a turn runs, so timers set by the timers it fires do not start a
  // second loop.
  private readonly turn = (): void => {
    if (this.stopped || this.holds > 0 || this.live.size === 0) {
      // release() and setTimeout() wake the loop again.
      this.scheduled = false;
      return;
    }
    const s = this.sense();
    if (s.signature !== this.lastSignature) {
      this.lastSignature = s.signature;
      this.changedAt = performance.now();
      this.quiet = 0;
    } else if (s.busy || (s.inTransit && performance.now() - this.changedAt < STALL_MS)) {
      this.quiet = 0;
    } else if (++this.quiet >= SETTLE_TURNS) {
      if (!s.alive) {
        this.scheduled = false;
        return;
      }
      this.quiet = 0;
      this.lastSignature = '';
      // A timer that throws must not leave the loop stopped with `scheduled` set.
      try {
        this.advance();
      } finally {
        setImmediate(this.turn);
      }
      return;
    }
    setImmediate(this.turn);
  };

  /**
   * signature: what changes while work goes on; busy: I/O certainly in flight; inTransit: bytes
   * written by one of the process's sockets and not yet read by its peer; alive: something
   * besides this loop keeps the process up.
   */
  private sense(): { signature: string; busy: boolean; inTransit: boolean; alive: boolean } {
    let busy = false;
    let alive = false;
    for (const r of process.getActiveResourcesInfo()) {
      if (!STANDING.has(r)) busy = true;
      if (!NOT_ALIVE.has(r)) alive = true;
    }
    let bytes = 0;
    const ends = new Map<string, ByteCounts>();
    for (const h of activeHandles()) {
      if (!(h instanceof Socket)) continue;
      if (h.connecting) busy = true;
      // Pipes and TTYs (stdout, stderr) have no remote port: their traffic is not the run's.
      if (h.remotePort === undefined) continue;
      const c = wireCounts(h);
      bytes += c.bytesRead + c.bytesWritten;
      ends.set(`${h.localAddress}:${h.localPort}>${h.remoteAddress}:${h.remotePort}`, c);
    }
    let inTransit = false;
    for (const [key, c] of ends) {
      const [local, remote] = key.split('>');
      const peer = ends.get(`${remote}>${local}`);
      if (peer !== undefined && peer.bytesRead !== c.bytesWritten) inTransit = true;
    }
    return { signature: `${this.generation}/${ends.size}/${bytes}`, busy, inTransit, alive };
  }

  /** Moves to the earliest live timer and fires every timer due then that existed before. */
  private advance(): void {
    let first = this.peekLive();
    if (first === undefined) return;
    this.t = Math.max(this.t, first.due);
    this.advances++;
    const batchEnd = this.seq;
    while (first !== undefined && first.due <= this.t && first.seq <= batchEnd) {
      this.pop();
      this.live.delete(first.seq);
      this.fired++;
      this.generation++;
      first.fn();
      first = this.peekLive();
    }
  }

  private peekLive(): Timer | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].seq)) this.pop();
    return this.heap[0];
  }

  private compact(): void {
    this.heap = [...this.live.values()].sort(before);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(h[parent], h[i]) <= 0) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m]) < 0) m = l;
      if (r < h.length && before(h[r], h[m]) < 0) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}

function before(a: Timer, b: Timer): number {
  return a.due - b.due || a.seq - b.seq;
}
