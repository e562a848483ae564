// The userspace stand-in for the kernel's `vdso_rng_data.generation`: a positive counter that a
// state's key is tied to. The kernel bumps it on every CRNG reseed (at most every 60 s), on VM
// fork and on resume; here it changes when the key interval expires, on `reseed()`, on fork of a
// simulated mm and when a Node startup snapshot is deserialized. Neither it nor its low 32-bit
// word is ever 0, so a state that was zeroed (dropped page, fork child) never matches and
// always rekeys, even for a reader that sees the two words of the u64 from different moments.
//
// The generator reads it as the kernel's vDSO does: two u32 words in memory, {low, high}, compared
// with the state's at both checks of every call. Two sources keep the words. Where the native
// addon is loaded, the process-wide generation lives in C: a ticker thread moves it on every
// interval and every thread reads its own cell, so a check costs two memory reads and sync()
// does nothing. Elsewhere, and for generators with a clock of their own, sync() reads the clock.

import { type NativeBinding } from './native/binding.js';
import { bumpOnRestore } from './snapshot.js';

/** Kernel CRNG_RESEED_INTERVAL: a key is used for at most this long. */
const DEFAULT_RESEED_INTERVAL_MS = 60_000;

/** A monotonic clock in milliseconds. */
export type Clock = () => number;

const monotonicClock: Clock = () => performance.now();

/** What a generator reads its generation from. */
export interface Generation {
  /**
   * The generation, an integer in [1, 2^53) whose low word is never 0, as two u32 words:
   * [0] the low, [1] the high. Current after sync(); read at every check, never cached.
   */
  readonly words: Uint32Array;
  /** Brings `words` up to date: a clock read, or nothing where another thread keeps them. */
  sync(): void;
  /** Moves to a new generation now: every state under it rekeys before its next output. */
  bump(): void;
}

const TWO_32 = 0x1_0000_0000;

/** The current generation of `g` as a number (for inspection and tests; generators compare words). */
export function currentGeneration(g: Generation): number {
  g.sync();
  return g.words[0]! + g.words[1]! * TWO_32;
}

/** The next generation after `g`, skipping values whose low word is 0. */
export function nextGeneration(g: number): number {
  const n = g + 1;
  return n % TWO_32 === 0 ? n + 1 : n;
}

/** A generation that expires by a clock: read at every check. */
export class ClockGeneration implements Generation {
  readonly words = new Uint32Array([1, 0]);
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
  sync(): void {
    const now = this.#clock();
    // `!(now < deadline)` rather than `now >= deadline`: a clock that returns NaN expires keys.
    if (!(now < this.#deadline)) this.#advance(now);
  }

  bump(): void {
    this.#advance(this.#clock());
  }

  #advance(now: number): void {
    const value = nextGeneration(this.words[0]! + this.words[1]! * TWO_32);
    this.words[0] = value;
    this.words[1] = Math.floor(value / TWO_32);
    this.#deadline = now + this.#interval;
  }
}

/**
 * The addon's process-wide generation, read from this thread's cell ({low, high} u32 words),
 * which the addon's ticker thread moves on every 59 s and bump() moves at once, for every thread.
 */
export class NativeGeneration implements Generation {
  readonly words: Uint32Array;
  readonly #binding: NativeBinding;

  constructor(binding: NativeBinding) {
    this.#binding = binding;
    this.words = new Uint32Array(binding.generationCell());
  }

  /** Nothing to do: the addon keeps the cell current. */
  sync(): void {}

  bump(): void {
    this.#binding.bumpGeneration();
  }
}
