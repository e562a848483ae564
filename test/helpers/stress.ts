// A million requests of mixed sizes, aligned and not, across generators, checking every output
// for the marks of a zeroed state: the load under which drops from another thread are tested.

import type { Generator } from '../../src/index.js';
import { zeroStateEvidence } from './zero-key.js';

const SIZES = [1, 4, 7, 16, 16, 32, 33, 63, 64, 95, 96, 100, 130, 200, 513];

/** Draws `requests` times round-robin from `gens`; returns how many outputs looked zero-state. */
export function drawMixed(gens: readonly Generator[], requests = 1_000_000): { problems: number; first: string | null } {
  const bufs = SIZES.map((n, i) => new Uint8Array(n + (i & 1)).subarray(i & 1)); // every other one unaligned
  let problems = 0;
  let first: string | null = null;
  for (let i = 0; i < requests; i++) {
    const out = bufs[i % bufs.length]!;
    gens[i % gens.length]!.getrandom(out);
    if (out.length < 16) continue;
    const evidence = zeroStateEvidence(out);
    if (evidence !== null) {
      problems++;
      first ??= evidence;
    }
  }
  return { problems, first };
}
