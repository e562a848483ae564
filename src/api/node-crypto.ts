// Drop-ins for node:crypto's random functions and for the random half of WebCrypto's `crypto`
// object, all served by this thread's vgetrandom generator (never by node:crypto's RNG). Each
// behaves as the running Node's does for every input, errors included: same class, name, code and
// message, thrown or passed to the callback at the same point (src/base/node-behaviour.ts tells where
// Node lines differ). The fill functions, randomInt and
// randomUUID live in their own modules; getRandomValues and `webcrypto` are here.

import { types } from 'node:util';
import { domException, invalidThis, quotaExceeded, requiredArguments } from '../base/errors.js';
import { defineProperty, uncurryThis } from '../base/intrinsics.js';
import { errorFrom, type ViewConversion, viewConversion } from '../base/node-behaviour.js';
import { bufferOf, isArrayBufferView, typedArrayByteLength, typedArrayName } from '../base/views.js';
import { fillRange } from './random-fill.js';
import { randomUUID, type UUID } from './random-uuid.js';

export { type RandomFillCallback, type RandomFillTarget, randomBytes, randomFill, randomFillSync } from './random-fill.js';
export { type RandomIntCallback, randomInt } from './random-int.js';
export { type RandomUUIDOptions, randomUUID, type UUID } from './random-uuid.js';

/** WebCrypto's limit on one getRandomValues request, in bytes. */
const QUOTA = 65536;

/**
 * The TypedArray types WebCrypto fills: the integer ones (no Float16/32/64Array, no DataView).
 * A frozen object without a prototype, not a Set: no later patch of a built-in reaches it.
 */
const INTEGER_ARRAYS: Readonly<Record<string, true>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, true>, {
    Int8Array: true,
    Uint8Array: true,
    Uint8ClampedArray: true,
    Int16Array: true,
    Uint16Array: true,
    Int32Array: true,
    Uint32Array: true,
    BigInt64Array: true,
    BigUint64Array: true,
  }),
);

const { isSharedArrayBuffer } = types;
const resizableGetter = Reflect.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;
/** ArrayBuffer.prototype.resizable, captured: true for a resizable ArrayBuffer (its internal slot). */
const isResizable = resizableGetter === undefined ? () => false : uncurryThis(resizableGetter as () => boolean);

// What the running Node's getRandomValues refuses before its type check (src/base/node-behaviour.ts),
// probed at the first call (kept once settled). `backing` is true where it refuses some views by
// their buffer.
let conversion: ViewConversion | undefined;
let backing = false;

function conversionNow(): ViewConversion {
  const c = viewConversion();
  backing = c.shared !== undefined || c.resizable !== undefined;
  if (c.settled) conversion = c;
  return c;
}

/**
 * Throws what the running Node throws for a view's buffer, if it refuses it: a WebIDL
 * ArrayBufferView does not accept a SharedArrayBuffer or a resizable ArrayBuffer behind it.
 * The buffer is read from the view's internal slot.
 */
function checkBacking(c: ViewConversion, view: ArrayBufferView): void {
  const buffer = bufferOf(view);
  if (isSharedArrayBuffer(buffer)) {
    if (c.shared !== undefined) throw errorFrom(c.shared);
  } else if (c.resizable !== undefined && isResizable(buffer)) {
    throw errorFrom(c.resizable);
  }
}

/** The error for anything but an integer TypedArray, in the running Node's order. */
function refusal(c: ViewConversion, value: unknown): Error | DOMException {
  if (c.notAView !== undefined) {
    if (!isArrayBufferView(value)) return errorFrom(c.notAView);
    try {
      checkBacking(c, value as ArrayBufferView);
    } catch (err) {
      return err as Error;
    }
  }
  return domException('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
}

/**
 * Fills an integer TypedArray with random values and returns it, like node:crypto's
 * `getRandomValues` (which may be called unbound). Anything else, a missing argument included,
 * throws what the running Node throws: a DOMException named TypeMismatchError on Node 20, a
 * TypeError ERR_INVALID_ARG_TYPE for a non-view where Node converts its argument first (and there
 * also for a view on a SharedArrayBuffer or resizable ArrayBuffer); more than 65536 bytes throws a
 * QuotaExceededError. A Uint8Array or Buffer is filled in place without allocating.
 * @example const nonce = getRandomValues(new Uint8Array(12));
 */
export function getRandomValues<T extends ArrayBufferView>(typedArray: T): T {
  const c = conversion ?? conversionNow();
  const name = typedArrayName(typedArray);
  if (name === undefined || INTEGER_ARRAYS[name] !== true) throw refusal(c, typedArray);
  if (backing) checkBacking(c, typedArray);
  // The intrinsic byte length, as Node's TypedArrayPrototypeGetByteLength: a `byteLength` of the
  // caller's must not let more than the quota through, or hold the fill to less than the array.
  const length = typedArrayByteLength(typedArray);
  if (length > QUOTA) throw quotaExceeded('The requested length exceeds 65,536 bytes', QUOTA, length);
  fillRange(typedArray, 0, length);
  return typedArray;
}

/** The random half of WebCrypto's `Crypto` interface, as lib.dom types it. */
export interface RandomCrypto {
  getRandomValues<T extends ArrayBufferView>(array: T): T;
  randomUUID(): UUID;
}

/**
 * Node's `Crypto.prototype.getRandomValues` and `randomUUID`, drawing from vgetrandom: the same
 * names and lengths, and the same checks: called on anything but `receiver()`, ERR_INVALID_THIS;
 * getRandomValues without its argument, ERR_MISSING_ARGS, as WebIDL does. For `webcrypto` below,
 * and for Node's own `globalThis.crypto` under vgetrandom/register.
 */
export function cryptoMethods(receiver: () => unknown): RandomCrypto {
  return {
    getRandomValues<T extends ArrayBufferView>(this: unknown, array: T): T {
      if (this !== receiver()) throw invalidThis('Crypto');
      // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given; a rest parameter would change getRandomValues.length (1, as Node's)
      requiredArguments(arguments.length, 1, "Failed to execute 'getRandomValues' on 'Crypto'");
      return getRandomValues(array);
    },
    randomUUID(this: unknown): UUID {
      if (this !== receiver()) throw invalidThis('Crypto');
      return randomUUID();
    },
  };
}

/** The class of `webcrypto`, mirroring Node's `Crypto`: its methods must be called on `webcrypto` itself. */
class Crypto {
  get [Symbol.toStringTag](): string {
    return 'Crypto';
  }
}
const methods = cryptoMethods(() => webcrypto);
for (const name of ['getRandomValues', 'randomUUID'] as const) {
  // As a class method would be: writable, configurable, not enumerable.
  defineProperty(Crypto.prototype, name, { value: methods[name], writable: true, enumerable: false, configurable: true });
}

/**
 * A stand-in for `globalThis.crypto` where only randomness is needed: `getRandomValues` and
 * `randomUUID` behave as the running Node's do, `this` checks included (a detached method throws
 * ERR_INVALID_THIS), but draw from vgetrandom. There is no `subtle`.
 * @example
 * const rng: Pick<Crypto, 'getRandomValues' | 'randomUUID'> = webcrypto;
 * webcrypto.getRandomValues(new Uint32Array(4));
 */
export const webcrypto: RandomCrypto = new Crypto() as unknown as RandomCrypto;
