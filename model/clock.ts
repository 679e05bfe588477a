// Time is injected so the same code runs in real time in the server and in virtual time in a
// simulation.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(h: TimerHandle): void;
  /**
   * Marks real work in progress that a virtual clock cannot see (an LMDB commit on its writer
   * thread); the clock does not move until the returned release is called. Never hold across a
   * wait on the clock itself. The real clock has none: call as `clock.hold?.()`.
   */
  hold?(): () => void;
}

export interface TimerHandle {
  readonly id: unknown;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { id: t };
  },
  clearTimeout(h) {
    clearTimeout(h.id as NodeJS.Timeout);
  },
};

/** RFC 3339 with second precision in UTC, as metav1.Time serializes. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
