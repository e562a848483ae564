// Whether an output looks random: no 16 zero bytes in a row and none of the zero key's keystream
// (../../helpers/zero-key.ts), what a generator with a zeroed state would hand out.

import { Buffer } from 'node:buffer';
import { zeroStateEvidence } from '../../../helpers/zero-key.js';
import { U8 } from '../view/intrinsics.js';

const ZERO16 = Buffer.alloc(16);

/** Where `out` first has 16 zero bytes in a row, found fast (by indexOf) in outputs of any length; or null. */
export function zeroRun(out: Uint8Array): string | null {
  const run = Buffer.from(out.buffer, out.byteOffset, out.length).indexOf(ZERO16);
  return run === -1 ? null : `16 zero bytes ending at ${run + 15}`;
}

/**
 * Why `out` (16 bytes or more) does not look random: a zero run anywhere, or the zero key's
 * keystream near either end (a zeroed state restarts that keystream at every request, so it
 * shows from the start); null if it looks random.
 */
export function notRandom(out: Uint8Array): string | null {
  if (out.length <= 12288) return zeroStateEvidence(out);
  return (
    zeroRun(out) ??
    zeroStateEvidence(new U8(out.buffer, out.byteOffset, 8192)) ??
    zeroStateEvidence(new U8(out.buffer, out.byteOffset + out.length - 4096, 4096))
  );
}
