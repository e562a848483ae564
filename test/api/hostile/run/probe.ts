// The ordinary request after each hostile call, even one that threw: the next
// getrandom(new Uint8Array(4096)) must return 4096, look random and repeat no earlier output.

import { zeroStateEvidence } from '../../../helpers/zero-key.js';
import { U8 } from '../view/intrinsics.js';
import { showError } from './errors.js';
import type { OutputLog } from './output-log.js';
import { zeroRun } from './randomness.js';

/** Draws one ordinary request into `out` and returns the count: getrandom of a generator. */
export type Draw = (out: Uint8Array) => number;

/** Why the next ordinary getrandom(new Uint8Array(4096)) is wrong, or null. */
export function probe(draw: Draw, log: OutputLog): string | null {
  const out = new U8(4096);
  let n: unknown;
  try {
    n = draw(out);
  } catch (e) {
    return `the next ordinary getrandom(new Uint8Array(4096)) threw ${showError(e)}`;
  }
  if (n !== 4096) return `the next ordinary getrandom(new Uint8Array(4096)) returned ${String(n)}`;
  // A zero key's keystream starts within the first 96 + 64 bytes of a request: look for it in
  // the first KiB, for zero runs everywhere.
  const evidence = zeroRun(out) ?? zeroStateEvidence(new U8(out.buffer, 0, 1024));
  if (evidence !== null) return `the next ordinary 4096-byte request is not random: ${evidence}`;
  const repeat = log.repeat(out);
  if (repeat !== null) return `the next ordinary 4096-byte request repeats earlier output: ${repeat}`;
  log.add(out);
  return null;
}
