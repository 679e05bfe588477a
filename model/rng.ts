// Randomness is injected everywhere it shapes output (generated names, jitter) so a seeded run
// replays byte-for-byte, while a served cluster still gets unpredictable names.
import { randomBytes } from 'node:crypto';

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
}

const TWO_POW_32 = 0x1_0000_0000;

/**
 * mulberry32: 32 bits of state, passes the usual smoke tests, and is cheap enough that name
 * generation under load never shows up in a profile. Not for anything security-sensitive.
 */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
    },
  };
}

// One syscall per 1 KiB instead of one per draw; generateName takes five draws per object.
const POOL_BYTES = 1024;

export function cryptoRng(): Rng {
  let pool = randomBytes(POOL_BYTES);
  let offset = 0;
  return {
    next(): number {
      if (offset + 4 > pool.length) {
        pool = randomBytes(POOL_BYTES);
        offset = 0;
      }
      const v = pool.readUInt32LE(offset);
      offset += 4;
      return v / TWO_POW_32;
    },
  };
}
