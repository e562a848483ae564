// The building blocks of the caller's lying objects: subclasses whose constructor ignores
// (buffer, offset, length), subclasses with lying getters, lying own properties, and a counter
// of calls into the caller's code (which must stay 0: the library reads only internal slots).

import { bufferByteLength } from '../view/real.js';

/** (1a) Its species constructor ignores subarray's (buffer, offset, length): a subarray of it is a fresh zero buffer. */
export class Bytes extends Uint8Array {
  constructor(x: number | ArrayBufferLike) {
    super(typeof x === 'number' ? x : bufferByteLength(x));
  }
}

/** (1b) A subclass with no constructor of its own. */
export class PlainSubclass extends Uint8Array {}

/** A counter of calls into the caller's code. */
export function counter() {
  let n = 0;
  return { hit: () => void n++, calls: () => n };
}

/** The properties a caller's object lies about. */
export type LieKey = 'length' | 'byteLength' | 'byteOffset' | 'buffer';
/** What each lying getter returns, given the view. */
export type Lies = Partial<Record<LieKey, (self: ArrayBufferView) => unknown>>;

/** A subclass of `Base` whose getters for `lies` return the lies (and count their calls). */
export function lyingSubclass<C extends new (...args: never[]) => ArrayBufferView>(Base: C, lies: Lies, hit: () => void): C {
  const Sub = class extends (Base as unknown as new (...args: unknown[]) => object) {};
  for (const [key, lie] of Object.entries(lies)) {
    Object.defineProperty(Sub.prototype, key, {
      get(this: ArrayBufferView) {
        hit();
        return lie!(this);
      },
      configurable: true,
    });
  }
  return Sub as unknown as C;
}

/** Own data properties that lie, on `view`. */
export function withOwn<T extends object>(view: T, props: Partial<Record<LieKey, unknown>>): T {
  for (const [key, value] of Object.entries(props)) Object.defineProperty(view, key, { value, configurable: true });
  return view;
}
