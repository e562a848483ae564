// ChaCha20 block function in the original DJB layout, as the kernel's vDSO uses it
// (`__arch_chacha20_blocks_nostack`): a 256-bit key, a 64-bit block counter and a zero nonce.
//
// The 16-word input state, column by column:
//
//   0 const   1 const   2 const   3 const      "expand 32-byte k"
//   4 key     5 key     6 key     7 key
//   8 key     9 key    10 key    11 key
//  12 ctr lo 13 ctr hi 14 zero   15 zero      64-bit counter, low word first
//
// Output block i is (rounds(x) + x) as little-endian words, with the counter at its i-th value.
// Input and output are addressed in 32-bit words: word stores run about twice as fast as byte
// stores in V8, and every buffer this core touches (state slices, aligned caller buffers, the
// generator's scratch) is 4-byte aligned.

/** Size of one ChaCha20 block in bytes. */
export const CHACHA_BLOCK_SIZE = 64;
/** Size of one ChaCha20 block in 32-bit words. */
export const CHACHA_BLOCK_WORDS = 16;

/** True where typed arrays are little-endian (x64, arm64): words need no byte swap. */
export const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// "expand 32-byte k" as four little-endian words (RFC 8439 §2.3).
const C0 = 0x61707865;
const C1 = 0x3320646e;
const C2 = 0x79622d32;
const C3 = 0x6b206574;

/**
 * Writes `nblocks` ChaCha20 blocks into words `out[outPos ..]`.
 *
 * The key is the 32 bytes at words `key[keyPos .. keyPos + 8]`. All eight key words are read
 * *before* any output word is written, so `out` may overlap the key: the batch refill writes
 * the new key over the old one. `counter` is the 64-bit block counter of the first block
 * (an integer below 2^53): block i uses counter + i, split into words 12 (low) and 13 (high),
 * so the low word carries into the high one exactly like the kernel's `counter[2]`. Words are
 * stored so that the bytes of the buffer read as the RFC's little-endian serialisation on any
 * host.
 *
 * Allocates nothing. The caller guarantees that the ranges are in bounds.
 *
 * @example
 * const out = new Uint32Array(32);
 * chacha20Blocks(out, 0, key32, 0, 0, 2); // blocks 0 and 1
 */
// biome-ignore format: the ChaCha20 state laid out as the spec draws it: four words a row, four rounds a line
export function chacha20Blocks(
  out: Uint32Array,
  outPos: number,
  key: Uint32Array,
  keyPos: number,
  counter: number,
  nblocks: number,
): void {
  // Read the whole key first: the caller may be about to overwrite it with our output. Each word
  // as an int32 (`| 0`), not as the uint32 the Uint32Array gives: V8 14 (Node 26) keeps a uint32
  // above 2^31 boxed, a HeapNumber per key word per block (32 B per block, measured); the
  // sums below are taken mod 2^32, so the output is the same bits either way.
  let k0 = key[keyPos]! | 0, k1 = key[keyPos + 1]! | 0, k2 = key[keyPos + 2]! | 0, k3 = key[keyPos + 3]! | 0;
  let k4 = key[keyPos + 4]! | 0, k5 = key[keyPos + 5]! | 0, k6 = key[keyPos + 6]! | 0, k7 = key[keyPos + 7]! | 0;
  if (!LITTLE_ENDIAN) {
    k0 = bswap32(k0) | 0; k1 = bswap32(k1) | 0; k2 = bswap32(k2) | 0; k3 = bswap32(k3) | 0;
    k4 = bswap32(k4) | 0; k5 = bswap32(k5) | 0; k6 = bswap32(k6) | 0; k7 = bswap32(k7) | 0;
  }
  let c0 = counter >>> 0;
  let c1 = ((counter - c0) / 0x1_0000_0000) >>> 0;

  for (let b = 0, o = outPos; b < nblocks; b++, o += CHACHA_BLOCK_WORDS) {
    let x0 = C0, x1 = C1, x2 = C2, x3 = C3;
    let x4 = k0, x5 = k1, x6 = k2, x7 = k3;
    let x8 = k4, x9 = k5, x10 = k6, x11 = k7;
    let x12 = c0, x13 = c1, x14 = 0, x15 = 0;

    // 10 double rounds: a column round then a diagonal round (RFC 8439 §2.3).
    for (let r = 0; r < 10; r++) {
      // Columns: (0,4,8,12) (1,5,9,13) (2,6,10,14) (3,7,11,15)
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16);
      x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20);
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24);
      x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);

      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16);
      x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24);
      x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);

      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16);
      x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24);
      x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);

      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16);
      x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24);
      x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);

      // Diagonals: (0,5,10,15) (1,6,11,12) (2,7,8,13) (3,4,9,14)
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16);
      x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20);
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24);
      x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);

      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16);
      x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24);
      x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);

      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16);
      x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24);
      x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);

      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16);
      x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24);
      x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
    }

    // Feed-forward: add the input words back.
    out[o] = (x0 + C0) | 0;
    out[o + 1] = (x1 + C1) | 0;
    out[o + 2] = (x2 + C2) | 0;
    out[o + 3] = (x3 + C3) | 0;
    out[o + 4] = (x4 + k0) | 0;
    out[o + 5] = (x5 + k1) | 0;
    out[o + 6] = (x6 + k2) | 0;
    out[o + 7] = (x7 + k3) | 0;
    out[o + 8] = (x8 + k4) | 0;
    out[o + 9] = (x9 + k5) | 0;
    out[o + 10] = (x10 + k6) | 0;
    out[o + 11] = (x11 + k7) | 0;
    out[o + 12] = (x12 + c0) | 0;
    out[o + 13] = (x13 + c1) | 0;
    out[o + 14] = x14;
    out[o + 15] = x15;

    // 64-bit counter: the low word wraps into the high one (the kernel's counter[2]).
    c0 = (c0 + 1) >>> 0;
    if (c0 === 0) c1 = (c1 + 1) >>> 0;
  }
  // Big-endian hosts: serialise the words little-endian, as the RFC and the kernel do.
  if (!LITTLE_ENDIAN) {
    for (let i = outPos, end = outPos + nblocks * CHACHA_BLOCK_WORDS; i < end; i++) {
      out[i] = bswap32(out[i]!);
    }
  }
}

function bswap32(x: number): number {
  return ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}
