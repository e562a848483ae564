// node:crypto's randomBytes, randomFillSync and randomFill, served by this thread's vgetrandom
// generator. Arguments are checked in the running Node's order with its errors (lib/internal/
// crypto/random.js), so a caller sees the same exception for every bad input; where Node lines
// differ, src/base/node-behaviour.ts asks node:crypto which way it goes.
//
// Failure: when the generator throws (the OS entropy source failed), the error reaches the
// caller (thrown, or the callback's only argument) and the requested byte range is zeroed
// first, so it never holds part of a draw that could pass for random output; bytes outside the
// range are untouched. randomBytes never hands out its buffer after a failure.
//
// Async forms generate at call time, then call back on a later turn of the event loop
// (setImmediate: where Node's thread-pool job would complete). Unlike Node 20, a zero-byte
// request also calls back asynchronously: a callback never runs inside the call that takes it.

import { Buffer, constants as bufferConstants } from 'node:buffer';
import { types } from 'node:util';
import { invalidArgType, outOfRange, validateFunction, validateNumber } from '../base/errors.js';
import { numberIsNaN } from '../base/intrinsics.js';
import { elementSizeByType, randomFillSizesByByteLength } from '../base/node-behaviour.js';
import { byteLengthOf, bytesAt, isArrayBufferView, isUint8Array, typedArrayLength, typedArrayName, wipe } from '../base/views.js';
import { defaultGenerator } from './default-generator.js';

/** What Node's randomFill and randomFillSync accept: any ArrayBuffer or ArrayBufferView. */
export type RandomFillTarget = ArrayBufferView | ArrayBufferLike;

/** The most bytes one request may ask for, as in Node: min(buffer.constants.MAX_LENGTH, 2^31 - 1). */
const kMaxPossibleLength = Math.min(bufferConstants.MAX_LENGTH, 2 ** 31 - 1);

/** Node's assertOffset: `offset` counts elements; returns it in bytes. */
function assertOffset(offset: unknown, elementSize: number, length: number): number {
  validateNumber(offset, 'offset');
  const bytes = offset * elementSize;
  const maxLength = length < kMaxPossibleLength ? length : kMaxPossibleLength;
  if (numberIsNaN(bytes) || bytes > maxLength || bytes < 0) {
    throw outOfRange('offset', `>= 0 && <= ${maxLength}`, bytes);
  }
  return bytes >>> 0;
}

/** Node's assertSize: `size` counts elements; returns it in bytes (fractions truncated). */
function assertSize(size: unknown, elementSize: number, offset: number, length: number): number {
  validateNumber(size, 'size');
  const bytes = size * elementSize;
  if (numberIsNaN(bytes) || bytes > kMaxPossibleLength || bytes < 0) {
    throw outOfRange('size', `>= 0 && <= ${kMaxPossibleLength}`, bytes);
  }
  if (bytes + offset > length) throw outOfRange('size + offset', `<= ${length}`, bytes + offset);
  return bytes >>> 0;
}

const { isAnyArrayBuffer } = types;
// Captured at load, as every built-in on the way to output (src/base/intrinsics.ts).
const { allocUnsafeSlow } = Buffer;

/** Node's buffer check, shared by randomFill and randomFillSync. */
function assertTarget(buf: unknown): asserts buf is RandomFillTarget {
  // isView first: the common case, and cheaper than the native isAnyArrayBuffer.
  if (!isArrayBufferView(buf) && !isAnyArrayBuffer(buf)) {
    throw invalidArgType('buf', ['ArrayBuffer', 'ArrayBufferView'], buf);
  }
}

/** Bytes per element by a TypedArray's type name (Node 26's getElementSize); 1 for the rest. */
const ELEMENT_SIZES: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, {
    Int16Array: 2,
    Uint16Array: 2,
    Float16Array: 2,
    Int32Array: 4,
    Uint32Array: 4,
    Float32Array: 4,
    Float64Array: 8,
    BigInt64Array: 8,
    BigUint64Array: 8,
  }),
);

/**
 * The element size `offset` and `size` count in, read as the running Node reads it, before any
 * length. Node 26 takes it from the view's type (internal slot); Node 20 to 24 read
 * `buf.BYTES_PER_ELEMENT || 1` from the object, the one property of the caller's that is read. It
 * only scales `offset` and `size`, which are then checked against the intrinsic byte length, so a
 * lie moves the range within the view, never out.
 */
function elementSizeOf(buf: RandomFillTarget): number {
  if (elementSizeByType()) {
    const name = typedArrayName(buf);
    return (name !== undefined && ELEMENT_SIZES[name]) || 1;
  }
  return (buf as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT || 1;
}

/**
 * Fills bytes [offset, offset + size) of `buf` from this thread's generator; the caller has
 * checked the range against `buf`. A whole Uint8Array (Buffer included) goes to the generator as
 * it is, without a new view. On failure the range is zeroed and the error rethrown.
 * @example fillRange(array, 0, array.byteLength)
 */
export function fillRange(buf: RandomFillTarget, offset: number, size: number): void {
  if (size === 0) return;
  // A whole Uint8Array as it is; any other range as a view made from the internal slots.
  const bytes = isUint8Array(buf) && offset === 0 && size === byteLengthOf(buf) ? buf : bytesAt(buf, offset, size);
  try {
    defaultGenerator().fill(bytes);
  } catch (err) {
    wipe(bytes);
    throw err;
  }
}

/**
 * Fills `buf` (an ArrayBuffer, SharedArrayBuffer, TypedArray, DataView or Buffer) with random
 * bytes and returns it, like node:crypto's `randomFillSync`. `offset` and `size` count elements
 * of a TypedArray (bytes otherwise); the default is from `offset` to the end.
 * Throws Node's errors for bad arguments, and the generator's error (with the range zeroed) if
 * the entropy source fails.
 * @example
 * const key = randomFillSync(Buffer.alloc(32));
 * randomFillSync(new Uint32Array(8), 2, 4); // fills elements 2..5
 */
export function randomFillSync<T extends RandomFillTarget>(buf: T, offset?: number, size?: number): T;
export function randomFillSync(buf: unknown, offset: unknown = 0, size?: unknown): RandomFillTarget {
  assertTarget(buf);
  const elementSize = elementSizeOf(buf);
  // The intrinsic byte length, where Node reads `buf.byteLength`: a caller's that lies larger
  // makes Node's native code abort the process, one that lies smaller leaves bytes unfilled.
  const length = byteLengthOf(buf);
  const start = assertOffset(offset, elementSize, length);
  const count = size === undefined ? length - start : assertSize(size, elementSize, start, length);
  fillRange(buf, start, count);
  return buf;
}

/** The async forms' tail: fills now, then calls back `(null, buf)` or `(err)` on a later turn. */
function fillThenCallBack(buf: RandomFillTarget, offset: number, size: number, callback: unknown): void {
  const done = callback as (...args: unknown[]) => void;
  try {
    fillRange(buf, offset, size);
  } catch (err) {
    setImmediate(done, err);
    return;
  }
  setImmediate(done, null, buf);
}

/** randomFill's callback: `(null, buf)` on success, `(err)` alone on failure, as Node calls it. */
export type RandomFillCallback<T> = (err: Error | null, buf: T) => void;

/**
 * Fills `buf` with random bytes like node:crypto's `randomFill` and calls back `(null, buf)` on
 * a later turn of the event loop, or `(err)` if the entropy source failed (the range is then
 * zeroed). Bad arguments throw synchronously, as in Node. `offset` and `size` count elements of a
 * TypedArray. Node's quirks are kept: `randomFill(buf, offset, cb)` with an ArrayBuffer or
 * DataView throws ERR_OUT_OF_RANGE (size NaN) where Node computes `buf.length - offset` (20, 22),
 * and fills to the end where it falls back to the byte length (24+).
 * @example
 * randomFill(new Uint8Array(16), (err, buf) => { if (err) throw err; use(buf); });
 * randomFill(Buffer.alloc(64), 8, 32, (err, buf) => {});
 */
export function randomFill<T extends RandomFillTarget>(buf: T, callback: RandomFillCallback<T>): void;
export function randomFill<T extends RandomFillTarget>(buf: T, offset: number, callback: RandomFillCallback<T>): void;
export function randomFill<T extends RandomFillTarget>(buf: T, offset: number, size: number, callback: RandomFillCallback<T>): void;
export function randomFill(buf: unknown, offset?: unknown, size?: unknown, callback?: unknown): void {
  assertTarget(buf);
  const elementSize = elementSizeOf(buf);
  // Node's argument shuffle, literally: `length` is the element count (undefined for an
  // ArrayBuffer or DataView) and the subtraction coerces, or throws for a bigint or symbol. The
  // count comes from the array's internal slots, not from a `length` of the caller's.
  const length = typedArrayName(buf) === undefined ? undefined : typedArrayLength(buf);
  if (typeof offset === 'function') {
    callback = offset;
    offset = 0;
    size = length;
  } else if (typeof size === 'function') {
    callback = size;
    // Node 24+ falls back to the byte length (a detached DataView's getter throws, as theirs).
    const count = length ?? (randomFillSizesByByteLength() ? byteLengthOf(buf) : undefined);
    size = (count as number) - (offset as number);
  } else {
    validateFunction(callback, 'callback');
  }
  const byteLength = byteLengthOf(buf);
  const start = assertOffset(offset, elementSize, byteLength);
  const count = size === undefined ? byteLength - start : assertSize(size, elementSize, start, byteLength);
  fillThenCallBack(buf, start, count, callback);
}

/**
 * `size` random bytes in a new Buffer, like node:crypto's `randomBytes`: returned, or passed to
 * `callback(null, buf)` on a later turn of the event loop. If the entropy source fails the error
 * is thrown, or passed alone to the callback, and the buffer is dropped. A fractional `size` is
 * truncated, as in Node; the Buffer has an ArrayBuffer of its own (never from the pool).
 * @example
 * const salt = randomBytes(16);
 * randomBytes(32, (err, key) => { if (err) throw err; use(key); });
 */
export function randomBytes(size: number): Buffer<ArrayBuffer>;
export function randomBytes(size: number, callback: (err: Error | null, buf: Buffer<ArrayBuffer>) => void): void;
export function randomBytes(size: unknown, callback?: unknown): Buffer<ArrayBuffer> | undefined {
  const count = assertSize(size, 1, 0, Infinity);
  if (callback !== undefined) validateFunction(callback, 'callback');
  // Unzeroed: every byte is overwritten by the fill, or zeroed by fillRange when it fails.
  const buf = allocUnsafeSlow(count);
  if (callback === undefined) {
    fillRange(buf, 0, count);
    return buf;
  }
  fillThenCallBack(buf, 0, count, callback);
  return undefined;
}
