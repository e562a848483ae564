// Copying, filling and comparing bytes for the checks. Patches are live only inside our call
// (see ../run/attempt.ts), so these may use TypedArray methods; they still go through the
// intrinsics captured at load, to be sure.

import { Buffer } from 'node:buffer';
import { TypedArrayPrototype, U8 } from './intrinsics.js';

const taSet = Reflect.get(TypedArrayPrototype, 'set') as (this: Uint8Array, src: Uint8Array, offset?: number) => void;
const taFill = Reflect.get(TypedArrayPrototype, 'fill') as (this: Uint8Array, v: number, start?: number, end?: number) => Uint8Array;

/** A copy of bytes [from, to) of `b`. */
export function copyOf(b: Uint8Array, from = 0, to = b.length): Uint8Array {
  const out = new U8(to - from);
  Reflect.apply(taSet, out, [new U8(b.buffer, b.byteOffset + from, to - from)]);
  return out;
}

/** Sets bytes [start, end) of `b` to `v`. */
export function fillBytes(b: Uint8Array, v: number, start = 0, end = b.length): void {
  Reflect.apply(taFill, b, [v, start, end]);
}

/** Whether bytes [from, to) of `a` and `b` are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  if (to <= from) return true;
  return Buffer.from(a.buffer, a.byteOffset + from, to - from).equals(Buffer.from(b.buffer, b.byteOffset + from, to - from));
}
