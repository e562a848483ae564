// node:crypto's randomInt, served by this thread's vgetrandom generator: the same argument
// handling and errors as Node 20, and the same unbiased rejection sampling over 48-bit draws,
// whose bytes come from this thread's ID pool (src/core/id-pool.ts), as Node's come from its
// cache of future output.

import { invalidArgType, outOfRange, validateFunction } from '../base/errors.js';
import { mathFloor, numberIsSafeInteger, U8 } from '../base/intrinsics.js';
import { uint48At } from '../core/id-pool.js';
import { defaultGenerator, defaultIdPool } from './default-generator.js';

/** The largest 48-bit value: each attempt draws 6 bytes, read big-endian as Node reads them. */
const RAND_MAX = 0xffff_ffff_ffff;

// One attempt's 6 bytes, reused by every call (randomInt allocates nothing) and zeroed before
// randomInt returns or throws, so no draw stays behind in it.
const draw = new U8(6);

/**
 * a mod b, for integers 0 <= a, b <= RAND_MAX, b > 0. The `%` operator on numbers beyond int32 is
 * a call to fmod in V8; this is one division. It is exact: a / b rounds to at least the integer
 * q = floor(a / b) (q is representable, rounding is monotonic) and below q + 1, which it could
 * only reach if b * (q + 1) >= 2^53, while b * (q + 1) <= a + b < 2^49. Then q * b <= a is exact.
 */
function mod(a: number, b: number): number {
  return a - mathFloor(a / b) * b;
}

// The range of the last call and its rejection limit (see uniformInt).
let lastRange = 0;
let lastLimit = 0;

/**
 * A uniform integer in [0, range), 0 < range <= RAND_MAX: each attempt is a fresh 48-bit draw
 * (from the ID pool, else from the generator), kept only if below the largest multiple of
 * `range` not above RAND_MAX, so its remainder is unbiased. Throws what the generator throws.
 */
function uniformInt(range: number): number {
  // Calls in a row mostly share one range: its limit is kept, a division saved.
  if (range !== lastRange) {
    lastLimit = RAND_MAX - mod(RAND_MAX, range);
    lastRange = range;
  }
  const randLimit = lastLimit;
  const pool = defaultIdPool();
  if (pool !== null) {
    for (;;) {
      const x = pool.take48();
      // -1: the pool failed its final check (and was discarded); draw from the generator.
      if (x < 0) break;
      if (x < randLimit) return mod(x, range);
    }
  }
  const generator = defaultGenerator();
  try {
    for (;;) {
      // 6 bytes never reach MAX_RW_COUNT: getrandom fills them all or throws.
      generator.getrandom(draw);
      const x = uint48At(draw, 0);
      if (x < randLimit) return mod(x, range);
    }
  } finally {
    for (let i = 0; i < 6; i++) draw[i] = 0;
  }
}

/**
 * randomInt's callback, typed as in @types/node; on success `err` is in fact `undefined` (as Node
 * passes it), on failure the error comes alone.
 */
export type RandomIntCallback = (err: Error | null, value: number) => void;

/**
 * A uniformly distributed integer n with min <= n < max, like node:crypto's `randomInt`: `min`
 * defaults to 0; both must be safe integers and max - min at most 2^48 - 1. With a callback, it
 * calls back `(undefined, n)` on the next tick (Node's usual path) or `(err)` if the entropy source
 * failed; bad arguments always throw synchronously. As in Node, `randomInt(max, undefined, cb)`
 * ignores `cb` and returns the number.
 * @example
 * randomInt(6) + 1;            // a die roll
 * randomInt(-10, 10);          // -10..9
 * randomInt(100, (err, n) => {});
 */
export function randomInt(max: number): number;
export function randomInt(min: number, max: number): number;
export function randomInt(max: number, callback: RandomIntCallback): void;
export function randomInt(min: number, max: number, callback: RandomIntCallback): void;
export function randomInt(min: unknown, max?: unknown, callback?: unknown): number | undefined {
  // The common calls, valid and synchronous, first: randomInt(max) (a callback after an
  // undefined max is ignored, as below) and randomInt(min, max). Anything else, an error
  // included, takes the general path below, which is Node's.
  if (typeof max === 'undefined') {
    if (numberIsSafeInteger(min) && (min as number) > 0 && (min as number) <= RAND_MAX) return uniformInt(min as number);
  } else if (typeof callback === 'undefined' && numberIsSafeInteger(min) && numberIsSafeInteger(max)) {
    const range = (max as number) - (min as number);
    if (range > 0 && range <= RAND_MAX) return uniformInt(range) + (min as number);
  }
  // Node's optional-min detection, literally: randomInt(max) and randomInt(max, callback).
  const minNotSpecified = typeof max === 'undefined' || typeof max === 'function';
  if (minNotSpecified) {
    callback = max;
    max = min;
    min = 0;
  }
  const isSync = typeof callback === 'undefined';
  if (!isSync) validateFunction(callback, 'callback');
  if (!numberIsSafeInteger(min)) throw invalidArgType('min', 'a safe integer', min);
  if (!numberIsSafeInteger(max)) throw invalidArgType('max', 'a safe integer', max);
  const lo = min as number;
  const hi = max as number;
  if (hi <= lo) throw outOfRange('max', `greater than the value of "min" (${lo})`, hi);
  const range = hi - lo;
  if (!(range <= RAND_MAX)) throw outOfRange(`max${minNotSpecified ? '' : ' - min'}`, `<= ${RAND_MAX}`, range);

  if (isSync) return uniformInt(range) + lo;

  const done = callback as (...args: unknown[]) => void;
  let n: number;
  try {
    n = uniformInt(range) + lo;
  } catch (err) {
    process.nextTick(done, err);
    return undefined;
  }
  process.nextTick(done, undefined, n);
  return undefined;
}
