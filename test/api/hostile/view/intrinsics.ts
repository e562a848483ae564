// The intrinsic getters of %TypedArray%.prototype, DataView.prototype and the two buffers'
// byteLength, captured when this module loads, before any test patches the realm. The suite
// reads every view through these, never through the caller's object or the live prototypes, so
// neither a lying object nor a patch can mislead the checks.

type Getter = (this: unknown) => unknown;

/** The getter of `key` on `proto`, as it is now. */
const getterOf = (proto: object, key: PropertyKey): Getter => Object.getOwnPropertyDescriptor(proto, key)!.get as Getter;

/** %TypedArray%, the constructor every TypedArray extends, and its prototype. */
export const TypedArray = Object.getPrototypeOf(Uint8Array) as object;
export const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

/** %TypedArray%.prototype's getters: the truth about a TypedArray (its internal slots). */
export const TA = {
  tag: getterOf(TypedArrayPrototype, Symbol.toStringTag),
  buffer: getterOf(TypedArrayPrototype, 'buffer'),
  byteOffset: getterOf(TypedArrayPrototype, 'byteOffset'),
  byteLength: getterOf(TypedArrayPrototype, 'byteLength'),
  length: getterOf(TypedArrayPrototype, 'length'),
};

/** DataView.prototype's getters: the truth about a DataView. */
export const DV = {
  buffer: getterOf(DataView.prototype, 'buffer'),
  byteOffset: getterOf(DataView.prototype, 'byteOffset'),
  byteLength: getterOf(DataView.prototype, 'byteLength'),
};

/** The byteLength getters of ArrayBuffer and SharedArrayBuffer. */
export const abByteLength = getterOf(ArrayBuffer.prototype, 'byteLength');
export const sabByteLength = getterOf(SharedArrayBuffer.prototype, 'byteLength');

/** Calls a captured getter on `self`. */
export const get = <T>(getter: Getter, self: unknown): T => Reflect.apply(getter, self, []) as T;

/** Uint8Array as it was at load. */
export const U8 = Uint8Array;
