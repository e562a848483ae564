// The generation a state's key is tied to: the userspace stand-in for the kernel's
// `vdso_rng_data.generation`, a positive counter. The kernel bumps it on every CRNG reseed (at
// most every 60 s), on VM fork and on resume; here it also changes when the key interval expires,
// on `reseed()`, on fork of a simulated mm and when a Node startup snapshot is deserialized.
// Neither it nor its low 32-bit word is ever 0, so a state that was zeroed (dropped page, fork
// child) never matches and always rekeys, even for a reader that sees the two words of the u64
// from different moments.
//
// The algorithm reads it as the kernel's vDSO does: two u32 words in memory, {low, high},
// compared with the state's at both checks of every call. The two words need not lie side by
// side: on the native backend the high one may be the kernel's own generation, read in the page
// where the kernel keeps it. This module says what the algorithm is handed; the sources that keep
// the words are the platform's (src/platform/generation-sources.ts).

import { mathFloor } from '../base/intrinsics.js';

/** Kernel CRNG_RESEED_INTERVAL: a key is used for at most this long. */
export const DEFAULT_RESEED_INTERVAL_MS = 60_000;

/** What a generator reads its generation from. */
export interface Generation {
  /**
   * The generation's low u32 word, at index 0: never 0. Current after sync(); read at every
   * check, never cached.
   */
  readonly low: Uint32Array;
  /** Its high u32 word, at index 0 (the two together: an integer in [1, 2^64)). */
  readonly high: Uint32Array;
  /** Brings `words` up to date: a clock read, or nothing where another thread keeps them. */
  sync(): void;
  /** Moves to a new generation now: every state under it rekeys before its next output. */
  bump(): void;
  /**
   * sync() runs code of the caller's (the clock it gave), which may resize or detach the buffer
   * being filled: the algorithm reads the output's length again after it.
   */
  readonly callsCaller: boolean;
}

const TWO_32 = 0x1_0000_0000;

/** The current generation of `g` as a number (for inspection and tests; generators compare words). */
export function currentGeneration(g: Generation): number {
  g.sync();
  return g.low[0]! + g.high[0]! * TWO_32;
}

/** The next generation after `g`, skipping values whose low word is 0. */
export function nextGeneration(g: number): number {
  const n = g + 1;
  return n % TWO_32 === 0 ? n + 1 : n;
}

/** Moves the generation held in `words` ({low, high}) to the next one. */
export function advanceWords(words: Uint32Array): void {
  const value = nextGeneration(words[0]! + words[1]! * TWO_32);
  words[0] = value;
  words[1] = mathFloor(value / TWO_32);
}
