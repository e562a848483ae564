// A generator: one 144-byte state, the generation it answers to, its syscall path and its
// counters, behind the getrandom(2)-shaped API. Fails closed: after release() it throws.

import { type EntropySource, MAX_RW_COUNT, type SyscallPath, syscallFromEntropy, webcryptoSyscall } from './entropy.js';
import { invalidState, validateUint32 } from './errors.js';
import { type Clock, Generation } from './generation.js';
import { type StateView, standaloneState } from './state.js';
import { bytesOf } from './views.js';
import { type Counters, newCounters, vgetrandom } from './vgetrandom.js';

export interface GeneratorOptions {
  /** Replaces the syscall path (the OS): fills the whole buffer or throws. For tests and known answers. */
  entropy?: EntropySource;
  /** Monotonic milliseconds for key expiry. Default: `performance.now`. */
  clock?: Clock;
  /** How long a key may be used, in ms. Default 60 000, the kernel's reseed interval. */
  reseedIntervalMs?: number;
}

/** A snapshot of a generator's counters. */
export type GeneratorStats = Counters;

export interface Generator {
  /**
   * Fills `buffer` like getrandom(2) and returns the number of bytes written (all of them,
   * up to 0x7ffff000). Flags: GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE; others are EINVAL.
   * @example gen.getrandom(new Uint8Array(16))
   */
  getrandom(buffer: ArrayBufferView, flags?: number): number;
  /**
   * Fills the whole of `buffer`, however large, and returns it.
   * @example const key = gen.fill(new Uint8Array(32))
   */
  fill<T extends ArrayBufferView>(buffer: T): T;
  /** Starts a new generation: every state under it rekeys before its next output. */
  reseed(): void;
  /** Zeroes the state and gives it back; every later call throws. */
  release(): void;
  /** This generator's counters. */
  stats(): GeneratorStats;
  /** A view of the 144-byte state, for inspection. */
  readonly state: Uint8Array;
}

/** The generation of every generator that does not bring its own clock or interval. */
export const processGeneration: Generation = new Generation();

class StateGenerator implements Generator {
  #state: StateView | null;
  readonly #generation: Generation;
  readonly #current: () => number;
  readonly #syscall: SyscallPath;
  readonly #counters: Counters = newCounters();

  constructor(state: StateView, options: GeneratorOptions) {
    const { entropy, clock, reseedIntervalMs } = options;
    if (entropy !== undefined && typeof entropy !== 'function') {
      throw new TypeError('options.entropy must be a function');
    }
    this.#state = state;
    this.#generation =
      clock === undefined && reseedIntervalMs === undefined ? processGeneration : new Generation(clock, reseedIntervalMs);
    this.#current = () => this.#generation.current();
    this.#syscall = entropy === undefined ? webcryptoSyscall : syscallFromEntropy(entropy);
  }

  getrandom(buffer: ArrayBufferView, flags: number = 0): number {
    const state = this.#live();
    const out = bytesOf(buffer);
    if (flags !== 0) validateUint32(flags, 'flags');
    return vgetrandom(state, out, flags, this.#current, this.#syscall, this.#counters);
  }

  fill<T extends ArrayBufferView>(buffer: T): T {
    const state = this.#live();
    const out = bytesOf(buffer);
    for (let off = 0; off < out.byteLength; ) {
      const chunk = off === 0 && out.byteLength <= MAX_RW_COUNT ? out : out.subarray(off, off + MAX_RW_COUNT);
      off += vgetrandom(state, chunk, 0, this.#current, this.#syscall, this.#counters);
    }
    return buffer;
  }

  reseed(): void {
    this.#live();
    this.#generation.bump();
  }

  release(): void {
    this.#state?.bytes.fill(0);
    this.#state = null;
  }

  stats(): GeneratorStats {
    return { ...this.#counters };
  }

  get state(): Uint8Array {
    return this.#live().bytes;
  }

  #live(): StateView {
    if (this.#state === null) throw invalidState('this vgetrandom generator was released');
    return this.#state;
  }
}

/**
 * A generator with a state of its own.
 * @example
 * const gen = createGenerator();
 * const nonce = gen.fill(new Uint8Array(12));
 */
export function createGenerator(options: GeneratorOptions = {}): Generator {
  return new StateGenerator(standaloneState(), options);
}
