// Section (4) of the suite: views at unaligned offsets, every byte written, guards intact.

import { Buffer } from 'node:buffer';
import type { Hostile } from './hostile.js';

/** The lengths of (4), around the batch (96), the block (64) and the quota. */
export const UNALIGNED_LENGTHS = [1, 15, 16, 63, 64, 65, 96, 97, 255, 256, 4095, 4096, 65536];

/** (4) Views at unaligned offset `offset` (plus 64 guard bytes) of larger buffers, 64 guard bytes after. */
export function unalignedCases(offset: number, type: 'Uint8Array' | 'Buffer' | 'DataView'): Hostile[] {
  return UNALIGNED_LENGTHS.map((n) => ({
    label: `a ${n}-byte ${type} at byte offset ${64 + offset}`,
    // Buffers and DataViews take the same paths as Uint8Arrays past the argument checks: the whole-view forms suffice.
    kinds: type === 'DataView' ? (['randomFillSync', 'getrandom', 'fill', 'getRandomValues'] as const) : undefined,
    wholeOnly: type !== 'Uint8Array',
    make() {
      const ab = new ArrayBuffer(64 + offset + n + 64);
      const at = 64 + offset;
      const view = type === 'DataView' ? new DataView(ab, at, n) : type === 'Buffer' ? Buffer.from(ab, at, n) : new Uint8Array(ab, at, n);
      return { view };
    },
  }));
}
