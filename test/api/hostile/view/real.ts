// What a view really is, per its internal slots (read through ./intrinsics.ts), and the views
// the suite makes from that truth: an honest twin to hand node:crypto in place of a lying
// object, a detached view, and the whole of a buffer.

import { types } from 'node:util';
import { abByteLength, DV, get, sabByteLength, TA, U8 } from './intrinsics.js';

/** What a view really is, per its internal slots. */
export interface Real {
  /** 'Uint8Array', 'Uint32Array', ... or 'DataView'. */
  type: string;
  buffer: ArrayBufferLike;
  byteOffset: number;
  /** 0 for a detached or out-of-bounds view. */
  byteLength: number;
  elementSize: number;
  /** The buffer was transferred away: no memory to check. */
  detached: boolean;
}

/** The real byte length of `buffer`: 0 once detached. */
export function bufferByteLength(buffer: ArrayBufferLike): number {
  return types.isSharedArrayBuffer(buffer) ? get<number>(sabByteLength, buffer) : get<number>(abByteLength, buffer);
}

/**
 * A detached buffer has byteLength 0 and refuses a new view; a 0-byte live one accepts it. The
 * same test as src/base/views.ts makes, written again on purpose: the checks must not rest on the
 * code they check.
 */
function isDetachedBuffer(buffer: ArrayBufferLike): boolean {
  if (types.isSharedArrayBuffer(buffer) || bufferByteLength(buffer) !== 0) return false;
  try {
    new U8(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Reads `view` through the intrinsic getters only: its own properties and prototype are never consulted. */
export function realView(view: ArrayBufferView): Real {
  const tag = get<string | undefined>(TA.tag, view);
  if (tag !== undefined) {
    const buffer = get<ArrayBufferLike>(TA.buffer, view);
    const C = (globalThis as unknown as Record<string, { BYTES_PER_ELEMENT: number }>)[tag]!;
    return {
      type: tag,
      buffer,
      byteOffset: get<number>(TA.byteOffset, view),
      byteLength: get<number>(TA.byteLength, view),
      elementSize: C.BYTES_PER_ELEMENT,
      detached: isDetachedBuffer(buffer),
    };
  }
  const buffer = get<ArrayBufferLike>(DV.buffer, view);
  let byteOffset = 0;
  let byteLength = 0;
  try {
    byteOffset = get<number>(DV.byteOffset, view);
    byteLength = get<number>(DV.byteLength, view);
  } catch {
    // A detached or out-of-bounds DataView: its getters throw.
  }
  return { type: 'DataView', buffer, byteOffset, byteLength, elementSize: 1, detached: isDetachedBuffer(buffer) };
}

/** A plain same-type view of the same real length, with nothing to lie about: what Node may be given. */
export function honestTwin(view: ArrayBufferView): ArrayBufferView {
  const real = realView(view);
  const make = (ab: ArrayBufferLike): ArrayBufferView =>
    real.type === 'DataView'
      ? new DataView(ab)
      : new (globalThis as unknown as Record<string, new (ab: ArrayBufferLike) => ArrayBufferView>)[real.type]!(ab);
  if (real.detached) return detachedView(make);
  return make(types.isSharedArrayBuffer(real.buffer) ? new SharedArrayBuffer(real.byteLength) : new ArrayBuffer(real.byteLength));
}

/** All of `buffer`, as bytes. */
export function wholeBuffer(buffer: ArrayBufferLike): Uint8Array {
  return new U8(buffer, 0, bufferByteLength(buffer));
}

/** `make(ab)` over an 8-byte ArrayBuffer that is then transferred away. */
export function detachedView<T>(make: (ab: ArrayBuffer) => T): T {
  const ab = new ArrayBuffer(8);
  const view = make(ab);
  structuredClone(ab, { transfer: [ab] });
  return view;
}
