// The memory a call may touch, watched: everything it must not write is filled with 0xA5 (or,
// in Buffer's shared pool, snapshotted) and the target zeroed before the call, and compared
// after it.

import { Buffer } from 'node:buffer';
import { types } from 'node:util';
import type { Made } from '../cases/hostile.js';
import { copyOf, fillBytes, sameBytes } from '../view/bytes.js';
import { bufferByteLength, type Real, wholeBuffer } from '../view/real.js';

/**
 * Buffer's shared pool: neighbouring bytes belong to others, so the suite compares them by
 * snapshot. The pool's ArrayBuffer is at least Buffer.poolSize bytes (Node 26 allocates 65 600 for
 * its 64 KiB pool), so a smaller view over one that large is taken for a pooled Buffer.
 */
const isPooled = (real: Real) =>
  !types.isSharedArrayBuffer(real.buffer) &&
  real.byteLength < bufferByteLength(real.buffer) &&
  bufferByteLength(real.buffer) >= Buffer.poolSize;

/** The memory a call may touch, snapshotted: the view's whole buffer and any decoys. */
export interface Watch {
  real: Real;
  buffer: Uint8Array | null;
  before: Uint8Array | null;
  decoys: Array<{ bytes: Uint8Array; before: Uint8Array }>;
  pooled: boolean;
}

/** Fills everything the call must not write with 0xA5 (snapshots a pool instead), zeroes the target. */
export function prepare(made: Made, real: Real, from: number, to: number): Watch {
  const decoys = (made.decoys ?? []).map((d) => {
    const bytes = wholeBuffer(d);
    fillBytes(bytes, 0xa5);
    return { bytes, before: copyOf(bytes) };
  });
  if (real.detached) return { real, buffer: null, before: null, decoys, pooled: false };
  const buffer = wholeBuffer(real.buffer);
  const pooled = isPooled(real);
  if (!pooled) fillBytes(buffer, 0xa5);
  fillBytes(buffer, 0, real.byteOffset + from, real.byteOffset + to);
  return { real, buffer, before: copyOf(buffer), decoys, pooled };
}

/** The first byte outside [from, to) of the view that changed, in `lo..hi` of its buffer; or null. */
export function changedOutside(w: Watch, from: number, to: number, lo = 0, hi = Infinity): string | null {
  for (const { bytes, before } of w.decoys) {
    if (!sameBytes(bytes, before, 0, bytes.length)) return 'wrote into a decoy buffer (the one a lying `buffer` named)';
  }
  if (w.buffer === null || w.before === null) return null;
  const start = w.real.byteOffset + from;
  const end = w.real.byteOffset + to;
  const first = Math.max(lo, 0);
  const stop = Math.min(hi, w.buffer.length);
  if (sameBytes(w.buffer, w.before, first, Math.min(start, stop)) && sameBytes(w.buffer, w.before, Math.max(end, first), stop)) return null;
  for (let i = first; i < stop; i++) {
    if (i >= start && i < end) continue;
    if (w.buffer[i] !== w.before[i]) {
      const rel = i - w.real.byteOffset;
      const where =
        rel < 0
          ? `${-rel} bytes before the view`
          : rel >= w.real.byteLength
            ? `${rel - w.real.byteLength} bytes after the view`
            : `byte ${rel} of the view`;
      return `wrote ${where}${to > from ? `, outside the bytes [${from}, ${to}) it had to fill` : ''}${w.pooled ? ' (in Buffer’s pool)' : ''}`;
    }
  }
  return null;
}
