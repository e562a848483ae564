// Byte views of caller buffers, with the checks every entry point shares.
//
// Every caller object is hostile: a subclass, an own `length`, a getter, a patched
// `Symbol.species` or prototype method. So a caller's view is read only through the intrinsic
// getters of %TypedArray%.prototype and DataView.prototype, captured when this module loads, which
// read the object's internal slots; sub-views are made with the Uint8Array constructor captured
// here, never with `subarray` (which builds its result through the caller's species, user code);
// and copies and wipes go through %TypedArray%.prototype.set and .fill, also captured here. No
// method or getter of the caller's object, or of a prototype patched after load, ever runs on the
// way to output. Indexed writes into a real Uint8Array are safe as they are: a TypedArray's
// integer-indexed elements cannot be shadowed by own properties, getters or the prototype chain.

import { types } from 'node:util';
import { invalidArgType, invalidArgValue } from './errors.js';
import { U8, U32, uncurryThis } from './intrinsics.js';

/** The getter of `proto[key]`, uncurried. */
function getterOf<R>(proto: object, key: PropertyKey): (self: unknown) => R {
  return uncurryThis(Object.getOwnPropertyDescriptor(proto, key)!.get as () => R);
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const isView = ArrayBuffer.isView;
/** ArrayBuffer.isView, as it was when this module loaded. */
export const isArrayBufferView = isView;
const { isSharedArrayBuffer } = types;

/**
 * %TypedArray%.prototype[Symbol.toStringTag]: the array's type name for any TypedArray (of any
 * realm, subclasses and Buffer included), undefined for everything else. It reads the array's
 * internal slot, so no prototype swap or own property can make it lie.
 */
export const typedArrayName = getterOf<string | undefined>(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayBuffer = getterOf<ArrayBufferLike>(TypedArrayPrototype, 'buffer');
const typedArrayByteOffset = getterOf<number>(TypedArrayPrototype, 'byteOffset');
/** A TypedArray's element count from its internal slots (0 once detached or out of bounds). */
export const typedArrayLength = getterOf<number>(TypedArrayPrototype, 'length');
/** A TypedArray's byte length from its internal slots (0 once detached or out of bounds). */
export const typedArrayByteLength = getterOf<number>(TypedArrayPrototype, 'byteLength');
const dataViewBuffer = getterOf<ArrayBufferLike>(DataView.prototype, 'buffer');
const dataViewByteOffset = getterOf<number>(DataView.prototype, 'byteOffset');
const dataViewByteLength = getterOf<number>(DataView.prototype, 'byteLength');
const arrayBufferByteLength = getterOf<number>(ArrayBuffer.prototype, 'byteLength');

// SharedArrayBuffer is absent while a startup snapshot is built (Node turns it off) and present
// in a process restored from it: its getter is captured at first use in a process that has one
// (no SharedArrayBuffer can be passed in before).
const captureSharedByteLength = () =>
  typeof SharedArrayBuffer === 'function' ? getterOf<number>(SharedArrayBuffer.prototype, 'byteLength') : undefined;
let sharedByteLength = captureSharedByteLength();

/** A SharedArrayBuffer's byte length, from its internal slot. */
function sharedArrayBufferByteLength(buffer: unknown): number {
  sharedByteLength ??= captureSharedByteLength();
  return sharedByteLength!(buffer);
}

/**
 * %TypedArray%.prototype.set: copies `source` into `target` at `offset` (in elements of the
 * one type both share, so the copy is of bytes), by internal slots only.
 */
export const copyBytes = uncurryThis(Reflect.get(TypedArrayPrototype, 'set') as (source: ArrayLike<number>, offset?: number) => void) as ((
  target: Uint8Array,
  source: Uint8Array,
  offset?: number,
) => void) &
  ((target: Uint32Array, source: Uint32Array, offset?: number) => void);

/** %TypedArray%.prototype.fill: writes `value` into elements [start, end) of `target`. */
export const fillElements = uncurryThis(
  Reflect.get(TypedArrayPrototype, 'fill') as (value: number, start?: number, end?: number) => unknown,
) as (target: Uint8Array | Uint32Array, value: number, start?: number, end?: number) => void;

/** Zeroes every byte of `bytes` (a view this library made or checked). */
export function wipe(bytes: Uint8Array | Uint32Array): void {
  fillElements(bytes, 0);
}

/**
 * True for a real Uint8Array (or Buffer, or a subclass), of any realm. Not `instanceof`: a
 * Uint16Array given Uint8Array.prototype passes that, and filled through as bytes it would get
 * 0..255 in each 16-bit element, half its bytes zero.
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return typedArrayName(value) === 'Uint8Array';
}

/** The buffer under `view` (a TypedArray or DataView), from its internal slot. */
export function bufferOf(view: ArrayBufferView): ArrayBufferLike {
  return typedArrayName(view) === undefined ? dataViewBuffer(view) : typedArrayBuffer(view);
}

/**
 * The byte length of a view (TypedArray or DataView) or of an ArrayBuffer or SharedArrayBuffer,
 * from its internal slots: what the caller's `byteLength` property says does not matter. A
 * detached or out-of-bounds TypedArray has length 0; for such a DataView the getter throws its
 * TypeError, as it does for node:crypto, which reads the same getter.
 */
export function byteLengthOf(target: ArrayBufferView | ArrayBufferLike): number {
  if (typedArrayName(target) !== undefined) return typedArrayByteLength(target);
  if (isView(target)) return dataViewByteLength(target);
  return isSharedArrayBuffer(target) ? sharedArrayBufferByteLength(target) : arrayBufferByteLength(target);
}

/**
 * A Uint8Array this library makes over bytes [start, start + length) of `target` (a view, an
 * ArrayBuffer or a SharedArrayBuffer): a plain, fixed-length view with no property of the
 * caller's. The range must lie inside `target` (the constructor throws a RangeError otherwise).
 */
export function bytesAt(target: ArrayBufferView | ArrayBufferLike, start: number, length: number): Uint8Array {
  if (!isView(target)) return new U8(target, start, length);
  return new U8(bufferOf(target), byteOffsetOf(target) + start, length);
}

/** The byte offset of `view` (a TypedArray or DataView) in its buffer, from its internal slot. */
export function byteOffsetOf(view: ArrayBufferView): number {
  return typedArrayName(view) === undefined ? dataViewByteOffset(view) : typedArrayByteOffset(view);
}

/**
 * A Uint32Array over `count` words of `bytes` (a Uint8Array) from byte `start`, if that byte is
 * 4-aligned in its buffer, else undefined: ChaCha20 writes whole words where it can.
 */
export function alignedWordsAt(bytes: Uint8Array, start: number, count: number): Uint32Array | undefined {
  const at = typedArrayByteOffset(bytes) + start;
  return at % 4 === 0 ? new U32(typedArrayBuffer(bytes), at, count) : undefined;
}

/**
 * True if `buffer` was detached (transferred or `structuredClone`d away). Only an ArrayBuffer of
 * length 0 can be; the Uint8Array constructor then tells, as it throws for a detached one.
 */
function isDetached(buffer: ArrayBufferLike): boolean {
  if (isSharedArrayBuffer(buffer) || arrayBufferByteLength(buffer) !== 0) return false;
  try {
    new U8(buffer);
    return false;
  } catch {
    return true;
  }
}

/** True if `view`'s buffer was detached. */
function isDetachedView(view: ArrayBufferView): boolean {
  return isDetached(bufferOf(view));
}

/**
 * The bytes of `buffer` (any TypedArray or DataView) as a Uint8Array over the same memory: a real
 * Uint8Array (Buffer and subclasses included) as it is, since only its elements and its intrinsic
 * byte length are ever used; any other view as a Uint8Array made here. Throws ERR_INVALID_ARG_TYPE
 * for anything else and ERR_INVALID_ARG_VALUE for a detached view.
 */
export function bytesOf(buffer: unknown, name = 'buffer'): Uint8Array {
  // The common case, kept this small so that the JIT inlines it and, after it, the generator.
  // A detached Uint8Array passes here; its byte length reads 0, and the generator checks it then.
  if (isUint8Array(buffer)) return buffer;
  return anyBytesOf(buffer, name);
}

/** bytesOf() for every view but a Uint8Array. */
function anyBytesOf(buffer: unknown, name: string): Uint8Array {
  if (!isView(buffer)) throw invalidArgType(name, ['TypedArray', 'DataView'], buffer);
  assertAttached(buffer, name);
  return bytesAt(buffer, 0, byteLengthOf(buffer));
}

/**
 * Throws ERR_INVALID_ARG_VALUE if `view` is detached. The message names the view's type, not
 * what `inspect` would print: that reads the view's getters, which are the caller's code.
 */
export function assertAttached(view: ArrayBufferView, name = 'buffer'): void {
  if (isDetachedView(view)) {
    throw invalidArgValue(name, view, 'is detached', `a ${typedArrayName(view) ?? 'DataView'} over a detached ArrayBuffer`);
  }
}
