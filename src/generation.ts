// The userspace stand-in for the kernel's `vdso_rng_data.generation`: a positive counter that a
// state's key is tied to. The kernel bumps it on every CRNG reseed (at most every 60 s), on VM
// fork and on resume; here it changes when the key interval expires, on `reseed()`, on fork of a
// simulated mm and when a Node startup snapshot is deserialized. It is never 0, so a state that
// was zeroed (dropped page, fork child) never matches and always rekeys.

/** Kernel CRNG_RESEED_INTERVAL: a key is used for at most this long. */
export const DEFAULT_RESEED_INTERVAL_MS = 60_000;

/** A monotonic clock in milliseconds. */
export type Clock = () => number;

export const monotonicClock: Clock = () => performance.now();

/** The generation source of one or more generators. */
export class Generation {
  #value = 1;
  #deadline: number;
  readonly #clock: Clock;
  readonly #interval: number;

  constructor(clock: Clock = monotonicClock, intervalMs: number = DEFAULT_RESEED_INTERVAL_MS) {
    if (!(intervalMs > 0)) throw new RangeError(`reseedIntervalMs must be a positive number, got ${intervalMs}`);
    this.#clock = clock;
    this.#interval = intervalMs;
    this.#deadline = clock() + intervalMs;
  }

  /**
   * The current generation. Reads the clock: once the interval that began with this
   * generation has run out, the generation moves on, so every key fetched in it expires
   * at most `intervalMs` after it was fetched.
   */
  current(): number {
    const now = this.#clock();
    // `!(now < deadline)` rather than `now >= deadline`: a clock that returns NaN expires keys.
    if (!(now < this.#deadline)) this.#advance(now);
    return this.#value;
  }

  /** Moves to a new generation now: every state rekeys before its next output. */
  bump(): void {
    this.#advance(this.#clock());
  }

  #advance(now: number): void {
    // Stays positive and exact: 2^53 bumps would take longer than the universe has left.
    this.#value += 1;
    this.#deadline = now + this.#interval;
  }
}
