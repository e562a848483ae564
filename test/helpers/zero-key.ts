// Checks that output never came from a zeroed state: no 16-byte run of zeros, and nothing
// from the all-zero key's keystream (what a generator that missed a drop would hand out).

import { nobleKeystream } from './reference.js';

// The zero key's first 64 blocks: a generator using a zeroed key restarts its counter at 0 on
// every call, so anything it hands out comes from the first few blocks.
const ZERO_KEYSTREAM = nobleKeystream(new Uint8Array(32), 0, 64 * 64);
const word = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

// Every 32-bit window of that keystream, for a fast first filter.
const windows = new Set<number>();
for (let i = 0; i + 4 <= ZERO_KEYSTREAM.length; i++) windows.add(word(ZERO_KEYSTREAM, i));

/** Why `out` looks like output of a zeroed state, or null if it does not. */
export function zeroStateEvidence(out: Uint8Array): string | null {
  let zeros = 0;
  for (let i = 0; i < out.length; i++) {
    zeros = out[i] === 0 ? zeros + 1 : 0;
    if (zeros === 16) return `16 zero bytes ending at ${i}`;
  }
  for (let i = 0; i + 16 <= out.length; i++) {
    if (!windows.has(word(out, i))) continue;
    const chunk = Buffer.from(out.buffer, out.byteOffset + i, 16);
    if (Buffer.from(ZERO_KEYSTREAM.buffer).indexOf(chunk) !== -1) return `zero-key keystream at ${i}`;
  }
  return null;
}
