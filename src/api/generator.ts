// A generator: one 144-byte state slice from an arena, the generation it answers to, its
// syscall path and its counters, behind the getrandom(2)-shaped API. Fails closed: after
// release() it throws. A generator that is garbage-collected unreleased gives its slice back.

import { allocatorFor, type Backend, forkArena } from '../arena/backends.js';
import type { Slice, SliceAllocator } from '../arena/slice-allocator.js';
import { invalidState, outOfRange, validateNumber, validateUint32 } from '../base/errors.js';
import { enqueueMicrotask } from '../base/intrinsics.js';
import { assertAttached, bytesAt, bytesOf, typedArrayByteLength, wipe } from '../base/views.js';
import { DEFAULT_RESEED_INTERVAL_MS, type Generation } from '../core/generation.js';
import { IN_USE_OFFSET, type StateView } from '../core/state.js';
import { MAX_RW_COUNT, type SyscallPath } from '../core/syscall.js';
import { type BulkCore, type Counters, newCounters, vgetrandom } from '../core/vgetrandom.js';
import type { SimulatedMm } from '../mm/simulated.js';
import { type Clock, ClockGeneration, processGeneration } from '../platform/generation-sources.js';
import { type EntropySource, osSyscall, syscallFromEntropy } from '../platform/syscall-path.js';

export interface GeneratorOptions {
  /** Replaces the syscall path (the OS): fills the whole buffer or throws. For tests and known answers. */
  entropy?: EntropySource;
  /** Milliseconds for key expiry (a clock that goes back expires keys). Default: the wall clock, `Date.now`. */
  clock?: Clock;
  /** How long a key may be used, in ms: more than 0, at most (and by default) 60 000, the kernel's reseed interval. */
  reseedIntervalMs?: number;
  /** Where the state lives. Default: 'native' where the addon is built, else 'simulated'. */
  backend?: Backend;
  /** The simulated mm whose droppable pages hold the state. Default: this thread's. */
  mm?: SimulatedMm;
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
  /**
   * A live view of the 144-byte state, for inspection and for tests that wipe it on purpose.
   * It is the generator's key material: never hand it out as output. After release() it belongs
   * to no generator: on the native backend it is detached; on the simulated one (SharedArrayBuffer
   * pages cannot be detached) it may later show another generator's state, so drop it.
   */
  readonly state: Uint8Array;
  /**
   * Forks the simulated mm this generator's state lives in, as fork(2) would from the thread
   * that owns it: returns the child mm and this generator's counterpart in the child, whose
   * state (droppable, so wiped on fork) reads zero. Every other slice is free in the child.
   */
  fork(): { mm: SimulatedMm; generator: Generator };
}

/** Gives the slice of a generator that was dropped without release() back to its arena. */
const unreleased = new FinalizationRegistry<{ allocator: SliceAllocator; slice: Slice }>(({ allocator, slice }) =>
  allocator.release(slice),
);

class StateGenerator implements Generator {
  #slice: Slice | null;
  readonly #allocator: SliceAllocator;
  readonly #options: GeneratorOptions;
  readonly #generation: Generation;
  readonly #syscall: SyscallPath;
  readonly #bulk: BulkCore | undefined;
  readonly #counters: Counters = newCounters();
  #staleCheck = false;

  constructor(allocator: SliceAllocator, slice: Slice, options: GeneratorOptions, generation: Generation) {
    this.#allocator = allocator;
    this.#slice = slice;
    this.#options = options;
    this.#generation = generation;
    this.#syscall = options.entropy === undefined ? osSyscall() : syscallFromEntropy(options.entropy);
    this.#bulk = allocator.bulk;
    unreleased.register(this, { allocator, slice }, this);
  }

  getrandom(buffer: ArrayBufferView, flags: number = 0): number {
    const state = this.#live();
    const out = bytesOf(buffer);
    if (flags !== 0) validateUint32(flags, 'flags');
    if (state.bytes[IN_USE_OFFSET] !== 0) this.#busy(state);
    const n = vgetrandom(state, out, flags, this.#generation, this.#syscall, this.#counters, this.#bulk);
    if (n === 0) assertAttached(out);
    return n;
  }

  fill<T extends ArrayBufferView>(buffer: T): T {
    const state = this.#live();
    const out = bytesOf(buffer);
    const length = typedArrayByteLength(out);
    if (length === 0) assertAttached(out);
    if (state.bytes[IN_USE_OFFSET] !== 0) this.#busy(state);
    for (let off = 0; off < length; ) {
      const chunk =
        off === 0 && length <= MAX_RW_COUNT ? out : bytesAt(out, off, length - off < MAX_RW_COUNT ? length - off : MAX_RW_COUNT);
      // Every path returns the whole chunk (at most MAX_RW_COUNT) or throws: the loop ends.
      off += vgetrandom(state, chunk, 0, this.#generation, this.#syscall, this.#counters, this.#bulk);
    }
    return buffer;
  }

  /**
   * The state is marked in use as this call begins. Either a call further up this thread's stack
   * holds it (a reentrant call from an entropy or clock callback, or from a debugger paused in
   * one): the syscall path serves this request and the state is left alone. Or a call was cut
   * short by a terminated execution (a `vm` timeout, `worker.terminate()`), which runs no
   * `finally`, and left `in_use` set for good: every later call would silently take the syscall
   * path. A microtask tells them apart: it runs only once this thread's stack has unwound, when
   * no call can hold the state, so `in_use` still set then is stale. The state is wiped (in_use,
   * the generation, key and batch: the cut-short call may have handed out part of its batch), and
   * the next call rekeys.
   */
  #busy(state: StateView): void {
    if (this.#staleCheck) return;
    this.#staleCheck = true;
    enqueueMicrotask(() => {
      this.#staleCheck = false;
      if (this.#slice?.view === state && state.bytes[IN_USE_OFFSET] !== 0) {
        wipe(state.bytes);
        this.#counters.recoveries++;
      }
    });
  }

  reseed(): void {
    this.#live();
    this.#generation.bump();
  }

  release(): void {
    if (this.#slice === null) return;
    unreleased.unregister(this);
    this.#allocator.release(this.#slice);
    this.#slice = null;
  }

  stats(): GeneratorStats {
    return { ...this.#counters };
  }

  get state(): Uint8Array {
    return this.#live().bytes;
  }

  fork(): { mm: SimulatedMm; generator: Generator } {
    const slice = this.#liveSlice();
    const child = forkArena(this.#allocator, slice);
    const generator = new StateGenerator(child.allocator, child.kept, this.#options, this.#generation);
    return { mm: child.mm, generator };
  }

  #liveSlice(): Slice {
    if (this.#slice === null) throw invalidState('this vgetrandom generator was released');
    return this.#slice;
  }

  #live(): StateView {
    return this.#liveSlice().view;
  }
}

/**
 * A generator with a state slice of its own, from the arena `options` name.
 * @example
 * const gen = createGenerator();
 * const nonce = gen.fill(new Uint8Array(12));
 */
export function createGenerator(options: GeneratorOptions = {}): Generator {
  const { entropy, clock, reseedIntervalMs } = options;
  if (entropy !== undefined && typeof entropy !== 'function') {
    throw new TypeError('options.entropy must be a function');
  }
  if (clock !== undefined && typeof clock !== 'function') {
    throw new TypeError('options.clock must be a function');
  }
  if (reseedIntervalMs !== undefined) {
    // Bounded above too: a key must never outlive the kernel's 60 s (invariant 5); Infinity or
    // NaN would let one live forever.
    validateNumber(reseedIntervalMs, 'options.reseedIntervalMs');
    if (!(reseedIntervalMs > 0 && reseedIntervalMs <= DEFAULT_RESEED_INTERVAL_MS)) {
      throw outOfRange('options.reseedIntervalMs', `> 0 && <= ${DEFAULT_RESEED_INTERVAL_MS}`, reseedIntervalMs);
    }
  }
  // A generator with only a shorter interval still follows the process's generation (the kernel's
  // reseeds, reseed()). One with a clock or an entropy source of its own (tests, known answers:
  // its keys never came from the kernel) follows its own clock alone, the wall clock by default,
  // so that no reseed elsewhere changes its output.
  const own = clock !== undefined || entropy !== undefined;
  const generation =
    !own && reseedIntervalMs === undefined
      ? processGeneration()
      : new ClockGeneration(clock, reseedIntervalMs, own ? undefined : processGeneration());
  const allocator = allocatorFor(options);
  return new StateGenerator(allocator, allocator.allocate(), { ...options }, generation);
}
