// The sources that keep a generation's words (src/core/generation.ts). Where the native addon is
// loaded, the process-wide generation lives in C: a ticker thread moves it on every interval and
// every thread reads its own cell, so a check costs two memory reads and sync() does nothing.
// There it also follows the kernel's CRNG generation (native/kernelgen.c): mapped, the high word
// read is the kernel's own, where the kernel keeps it; polled, the ticker folds the kernel's moves
// into the cell. Elsewhere, and for generators with a clock of their own, sync() reads the clock.

import { atomicsAdd, atomicsLoad, I32, U32 } from '../base/intrinsics.js';
import { advanceWords, DEFAULT_RESEED_INTERVAL_MS, type Generation } from '../core/generation.js';
import { loadNative, type NativeBinding } from './addon/binding.js';
import { bumpOnRestore, isBuildingSnapshot } from './snapshot.js';

/** A clock in milliseconds. A reading below an earlier one expires every key (see ClockGeneration). */
export type Clock = () => number;

/**
 * The default clock: the wall clock, as the addon's ticker uses CLOCK_BOOTTIME and not
 * CLOCK_MONOTONIC. A monotonic clock (`performance.now()`) stops while the machine is suspended,
 * so a key fetched before a suspend would outlive 60 s of real time after it. The wall clock runs
 * on through a suspend; when it is set back, ClockGeneration sees it go back and expires the key,
 * and when it is set forward a key only expires early.
 */
const wallClock: Clock = Date.now;

/**
 * A generation that expires by a clock, read at every check, and that also moves on whenever a
 * shared reseed counter it follows moves (another thread's reseed(): see follow()), or the
 * generation it is based on moves (the process's, for a generator with a shorter interval: it
 * rekeys on every kernel reseed and reseed() too).
 */
export class ClockGeneration implements Generation {
  readonly #words = new U32([1, 0]);
  readonly low = new U32(this.#words.buffer, 0, 1);
  readonly high = new U32(this.#words.buffer, 4, 1);
  readonly callsCaller: boolean;
  #start: number;
  #deadline: number;
  readonly #clock: Clock;
  readonly #interval: number;
  // The reseed counter this generation follows (its own until follow()), and its value when this
  // generation began.
  #reseeds: Int32Array<ArrayBufferLike> = new I32(1);
  #seen = 0;
  // The generation this one is based on, and its words when this generation began.
  readonly #base: Generation | undefined;
  #baseLow = 0;
  #baseHigh = 0;

  constructor(clock: Clock = wallClock, intervalMs: number = DEFAULT_RESEED_INTERVAL_MS, base?: Generation) {
    if (!(intervalMs > 0 && intervalMs <= DEFAULT_RESEED_INTERVAL_MS)) {
      throw new RangeError(`reseedIntervalMs must be in (0, ${DEFAULT_RESEED_INTERVAL_MS}], got ${intervalMs}`);
    }
    this.#clock = clock;
    this.callsCaller = clock !== wallClock;
    this.#interval = intervalMs;
    this.#base = base;
    this.#start = clock();
    this.#deadline = this.#start + intervalMs;
    this.#seeBase();
    // Made while a startup snapshot is built: every process restored from it bumps this one.
    bumpOnRestore(this);
  }

  /**
   * Reads the clock: once the interval that began with this generation has run out, or the clock
   * reads earlier than when it began (a wall clock set back: how far back is unknown), or the
   * followed reseed counter or the base generation moved, the generation moves on. So every key
   * fetched in it expires at most `intervalMs` after it was fetched.
   */
  sync(): void {
    const now = this.#clock();
    // `!(now < deadline)` rather than `now >= deadline`: a clock that returns NaN expires keys.
    if (!(now < this.#deadline) || now < this.#start || this.#reseeds[0] !== this.#seen || this.#baseMoved()) this.#advance(now);
  }

  /** Moves on now, and moves the followed counter, so that every generation following it moves too. */
  bump(): void {
    atomicsAdd(this.#reseeds, 0, 1);
    this.#advance(this.#clock());
  }

  /**
   * Moves on whenever `reseeds` (an Int32Array, usually over a SharedArrayBuffer that other
   * threads' generations follow too) moves, and moves it on every bump(): a reseed() on one
   * thread then reaches the states of every thread that follows the same counter.
   */
  follow(reseeds: Int32Array): void {
    this.#reseeds = reseeds;
    this.#seen = atomicsLoad(reseeds, 0);
  }

  #advance(now: number): void {
    advanceWords(this.#words);
    this.#seen = atomicsLoad(this.#reseeds, 0);
    this.#seeBase();
    this.#start = now;
    this.#deadline = now + this.#interval;
  }

  #baseMoved(): boolean {
    const base = this.#base;
    if (base === undefined) return false;
    base.sync();
    return base.low[0] !== this.#baseLow || base.high[0] !== this.#baseHigh;
  }

  #seeBase(): void {
    if (this.#base === undefined) return;
    this.#baseLow = this.#base.low[0]!;
    this.#baseHigh = this.#base.high[0]!;
  }
}

/**
 * The addon's process-wide generation, read from this thread's cell ({low, high} u32 words),
 * which the addon's ticker thread moves on every 59 s and bump() moves at once, for every thread.
 * Where the kernel's generation is mapped, the high word read is the kernel's low word instead,
 * in the kernel's own read-only page: a kernel reseed moves it, with no lag. The cell's low word
 * never comes back to a value while a state holds it (the addon expires every state first), and
 * is never 0, so a zeroed state never matches.
 */
export class NativeGeneration implements Generation {
  readonly low: Uint32Array;
  readonly high: Uint32Array;
  readonly callsCaller = false;
  readonly #binding: NativeBinding;

  constructor(binding: NativeBinding) {
    this.#binding = binding;
    const cell = binding.generationCell();
    const kernel = binding.kernelGenerationCell();
    this.low = new U32(cell, 0, 1);
    this.high = kernel === null ? new U32(cell, 4, 1) : new U32(kernel);
  }

  /** Nothing to do: the addon keeps the cell current. */
  sync(): void {}

  bump(): void {
    this.#binding.bumpGeneration();
  }
}

let processWide: Generation | undefined;
let buildTime: ClockGeneration | undefined;

/**
 * The generation of every generator that does not bring its own clock or interval: the addon's
 * ticker-driven one where the addon loads (two memory reads per call), else a ClockGeneration on
 * the wall clock, which follows the reseed counter of this thread's shared simulated arena.
 */
export function processGeneration(): Generation {
  if (processWide === undefined) {
    const { binding } = loadNative();
    // While a snapshot is built there is no addon; a restored process may load it, and every
    // thread of it must share the addon's generation, so the clock one made now is not kept.
    if (binding === null && isBuildingSnapshot()) {
      buildTime ??= new ClockGeneration();
      return buildTime;
    }
    processWide = binding === null ? new ClockGeneration() : new NativeGeneration(binding);
  }
  return processWide;
}

/**
 * Makes this thread's process generation follow `reseeds` (the reseed counter of the simulated
 * arena it shares with other threads), where it is a ClockGeneration. The addon's generation is
 * process-wide already.
 */
export function followReseeds(reseeds: Int32Array): void {
  const generation = processGeneration();
  if (generation instanceof ClockGeneration) generation.follow(reseeds);
}
