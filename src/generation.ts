// The userspace stand-in for the kernel's `vdso_rng_data.generation`: a positive counter that a
// state's key is tied to. The kernel bumps it on every CRNG reseed (at most every 60 s), on VM
// fork and on resume; here it changes when the key interval expires, on `reseed()`, on fork of a
// simulated mm and when a Node startup snapshot is deserialized. Neither it nor its low 32-bit
// word is ever 0, so a state that was zeroed (dropped page, fork child) never matches and
// always rekeys, even for a reader that sees the two words of the u64 from different moments.
//
// Two sources keep it. Where the native addon is loaded, the process-wide generation lives in
// C: a ticker thread moves it on every interval and every thread reads its own cell, so the
// generator's two checks per call cost two memory reads. Elsewhere, and for generators with a
// clock of their own, the clock is read at every check.

import { type NativeBinding } from './native/binding.js';
import { bumpOnRestore } from './snapshot.js';

/** Kernel CRNG_RESEED_INTERVAL: a key is used for at most this long. */
const DEFAULT_RESEED_INTERVAL_MS = 60_000;

/** A monotonic clock in milliseconds. */
export type Clock = () => number;

const monotonicClock: Clock = () => performance.now();

/** What a generator reads its generation from. */
export interface Generation {
  /** The current generation: an integer in [1, 2^53) whose low u32 word is never 0. */
  current(): number;
  /** Moves to a new generation now: every state under it rekeys before its next output. */
  bump(): void;
}

/** The next generation after `g`, skipping values whose low word is 0. */
export function nextGeneration(g: number): number {
  const n = g + 1;
  return n % 0x1_0000_0000 === 0 ? n + 1 : n;
}

/** A generation that expires by a clock: read at every check. */
export class ClockGeneration implements Generation {
  #value = 1;
  #deadline: number;
  readonly #clock: Clock;
  readonly #interval: number;

  constructor(clock: Clock = monotonicClock, intervalMs: number = DEFAULT_RESEED_INTERVAL_MS) {
    if (!(intervalMs > 0)) throw new RangeError(`reseedIntervalMs must be a positive number, got ${intervalMs}`);
    this.#clock = clock;
    this.#interval = intervalMs;
    this.#deadline = clock() + intervalMs;
    // Made while a startup snapshot is built: every process restored from it bumps this one.
    bumpOnRestore(this);
  }

  /**
   * Reads the clock: once the interval that began with this generation has run out, the
   * generation moves on, so every key fetched in it expires at most `intervalMs` after it was
   * fetched.
   */
  current(): number {
    const now = this.#clock();
    // `!(now < deadline)` rather than `now >= deadline`: a clock that returns NaN expires keys.
    if (!(now < this.#deadline)) this.#advance(now);
    return this.#value;
  }

  bump(): void {
    this.#advance(this.#clock());
  }

  #advance(now: number): void {
    this.#value = nextGeneration(this.#value);
    this.#deadline = now + this.#interval;
  }
}

/**
 * The addon's process-wide generation, read from this thread's cell ({low, high} u32 words),
 * which the addon's ticker thread moves on every 59 s and bump() moves at once, for every thread.
 */
export class NativeGeneration implements Generation {
  readonly #cell: Uint32Array;
  readonly #binding: NativeBinding;

  constructor(binding: NativeBinding) {
    this.#binding = binding;
    this.#cell = new Uint32Array(binding.generationCell());
  }

  current(): number {
    return this.#cell[0]! + this.#cell[1]! * 0x1_0000_0000;
  }

  bump(): void {
    this.#binding.bumpGeneration();
  }
}
