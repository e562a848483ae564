// Byte views of caller buffers, with the checks every entry point shares.

import { invalidArgType, invalidArgValue } from './errors.js';

/**
 * %TypedArray%.prototype[Symbol.toStringTag]: the array's type name for any TypedArray (of any
 * realm, subclasses and Buffer included), undefined for everything else. It reads the array's
 * internal slot, so no prototype swap or own property can make it lie.
 */
export const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!
  .get as (this: unknown) => string | undefined;

/**
 * True for a real Uint8Array (or Buffer), of any realm. Not `instanceof`: a Uint16Array given
 * Uint8Array.prototype passes that, and filled through as bytes it would get 0..255 in each
 * 16-bit element, half its bytes zero.
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return typedArrayName.call(value) === 'Uint8Array';
}

/**
 * True if `view`'s buffer was detached (transferred or `structuredClone`d away). A detached
 * view reads as zero-length; only then is the (slower) probe needed: slicing a detached
 * ArrayBuffer throws.
 */
function isDetached(view: ArrayBufferView): boolean {
  if (view.byteLength !== 0) return false;
  const buffer = view.buffer;
  if (buffer.byteLength !== 0) return false;
  try {
    buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The bytes of `buffer` (any TypedArray or DataView) as a Uint8Array over the same memory.
 * Throws ERR_INVALID_ARG_TYPE for anything else and ERR_INVALID_ARG_VALUE for a detached view.
 */
export function bytesOf(buffer: unknown, name = 'buffer'): Uint8Array {
  // The common case, a non-empty Uint8Array (or Buffer), needs no new view and no probe. (Its
  // `length` is its byteLength, and much faster to read; an empty one may be detached.) Kept
  // this small so that the JIT inlines it and, after it, the generator.
  if (isUint8Array(buffer) && buffer.length !== 0) return buffer;
  return anyBytesOf(buffer, name);
}

/** bytesOf() for every other argument. */
function anyBytesOf(buffer: unknown, name: string): Uint8Array {
  if (!ArrayBuffer.isView(buffer)) {
    throw invalidArgType(name, ['TypedArray', 'DataView'], buffer);
  }
  if (isDetached(buffer)) throw invalidArgValue(name, buffer, 'is detached');
  return isUint8Array(buffer) ? buffer : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
