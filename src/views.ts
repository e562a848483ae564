// Byte views of caller buffers, with the checks every entry point shares.

import { invalidArgType, invalidArgValue } from './errors.js';

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
  if (ArrayBuffer.isView(buffer) && buffer instanceof Uint8Array && buffer.length !== 0) return buffer;
  return anyBytesOf(buffer, name);
}

/** bytesOf() for every other argument. */
function anyBytesOf(buffer: unknown, name: string): Uint8Array {
  if (!ArrayBuffer.isView(buffer)) {
    throw invalidArgType(name, ['TypedArray', 'DataView'], buffer);
  }
  if (isDetached(buffer)) throw invalidArgValue(name, buffer, 'is detached');
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
