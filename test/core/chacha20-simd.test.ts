// The WebAssembly SIMD ChaCha20 core (src/core/chacha20-simd.ts): built from its source, the same
// bytes as the TypeScript core and as @noble/ciphers for every run length, counter (the low word
// carrying inside and across groups) and alignment, the tail left to the caller, and nothing of
// the key or the blocks left in the module's memory.

import { describe, expect, it, vi } from 'vitest';
import { assembleChacha20Simd } from '../../scripts/wasm/assemble.mjs';
import { chacha20SimdWat } from '../../scripts/wasm/chacha20-simd.wat.mjs';
import { chacha20Blocks } from '../../src/core/chacha20.js';
import { simdAvailable, simdBlocks, simdMemory, simdRefill } from '../../src/core/chacha20-simd.js';
import { CHACHA20_SIMD_WASM } from '../../src/core/generated/chacha20-simd-wasm.js';
import { nobleKeystream } from '../helpers/reference.js';

const TWO32 = 2 ** 32;
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function keyOf(seed: number): { words: Uint32Array; bytes: Uint8Array } {
  const words = Uint32Array.from({ length: 8 }, (_, i) => (seed * 0x9e3779b9 + i * 0x85ebca6b) >>> 0);
  return { words, bytes: new Uint8Array(words.buffer) };
}

/** The TypeScript core's blocks as bytes. */
function scalar(key: Uint32Array, counter: number, nblocks: number): Uint8Array {
  const out = new Uint32Array(nblocks * 16);
  chacha20Blocks(out, 0, key, 0, counter, nblocks);
  return new Uint8Array(out.buffer);
}

describe('the WebAssembly SIMD ChaCha20 core', () => {
  it('runs here: Node on x64 and arm64 has WebAssembly SIMD, and the module passed its known answer', () => {
    expect(simdAvailable()).toBe(true);
  });

  it('is exactly what its source assembles to (scripts/wasm/chacha20-simd.wat.mjs, by wabt)', async () => {
    const built = Buffer.from(CHACHA20_SIMD_WASM);
    expect(Buffer.from(await assembleChacha20Simd()).equals(built)).toBe(true);
  });

  it('is not used when its module lacks one of its exports (a refill would leave key and blocks behind, then throw)', async () => {
    // The core of this file's import as it would load from `bytes`, in a fresh module graph.
    const loadFrom = async (bytes: Uint8Array) => {
      vi.resetModules();
      vi.doMock('../../src/core/generated/chacha20-simd-wasm.js', () => ({ CHACHA20_SIMD_WASM: [...bytes] }));
      try {
        return await import('../../src/core/chacha20-simd.js');
      } finally {
        vi.doUnmock('../../src/core/generated/chacha20-simd-wasm.js');
        vi.resetModules();
      }
    };
    // The control: the module as built loads this way.
    expect((await loadFrom(await assembleChacha20Simd())).simdAvailable()).toBe(true);
    const text = chacha20SimdWat();
    for (const name of ['blocks4', 'refill2', 'wipeRefill']) {
      const unexported = text.replace(`(func (export "${name}")`, `(func $${name}`);
      expect(unexported).not.toBe(text);
      expect((await loadFrom(await assembleChacha20Simd(unexported))).simdAvailable(), name).toBe(false);
    }
  });

  it('writes the whole groups of four, byte for byte the TypeScript core and noble, for 0 to 70 blocks at any alignment', () => {
    for (let n = 0; n <= 70; n++) {
      const { words, bytes } = keyOf(n);
      const offset = n % 4;
      const out = new Uint8Array(offset + n * 64 + 7).fill(0xa5);
      const wrote = simdBlocks(out, offset, words, 0, 5, n);
      expect(wrote, `${n} blocks`).toBe(n - (n % 4));
      const want = scalar(words, 5, n).subarray(0, wrote * 64);
      expect(hex(out.subarray(offset, offset + wrote * 64)), `${n} blocks`).toBe(hex(want));
      expect(hex(want)).toBe(hex(nobleKeystream(bytes, 5, wrote * 64)));
      // Before and after its blocks, the caller's bytes are untouched.
      expect(out.subarray(0, offset).every((b) => b === 0xa5)).toBe(true);
      expect(out.subarray(offset + wrote * 64).every((b) => b === 0xa5)).toBe(true);
    }
  });

  it('carries the counter low word into the high one inside a group, across groups and across calls', () => {
    for (const counter of [TWO32 - 1, TWO32 - 2, TWO32 - 3, TWO32 - 4, TWO32 - 5, TWO32 - 37, 2 ** 40 - 6, 2 ** 53 - 100]) {
      const { words } = keyOf(counter % 1000);
      const out = new Uint8Array(40 * 64);
      expect(simdBlocks(out, 0, words, 0, counter, 40)).toBe(40);
      expect(hex(out), `from ${counter}`).toBe(hex(scalar(words, counter, 40)));
    }
  });

  it('a run longer than the module holds at once (1008 blocks) is made in chunks, the same bytes', () => {
    const { words, bytes } = keyOf(77);
    const out = new Uint8Array(2500 * 64);
    expect(simdBlocks(out, 0, words, 0, 3, 2500)).toBe(2500);
    expect(hex(out)).toBe(hex(scalar(words, 3, 2500)));
    expect(hex(out.subarray(0, 4096))).toBe(hex(nobleKeystream(bytes, 3, 4096)));
  });

  it('refills a state (two blocks over batch and key, the key read first) as the TypeScript core does, leaving the rest and nothing behind', () => {
    for (const counter of [0, 5, TWO32 - 1, TWO32, 2 ** 40 + 3, 2 ** 53 - 3]) {
      const { words } = keyOf(counter % 997);
      const viaSimd = Uint32Array.from({ length: 36 }, (_, i) => i * 0x01010101);
      viaSimd.set(words, 24);
      const viaTs = viaSimd.slice();
      expect(simdRefill(viaSimd, 24, counter)).toBe(true);
      chacha20Blocks(viaTs, 0, viaTs, 24, counter, 2);
      expect([...viaSimd], `from ${counter}`).toEqual([...viaTs]);
      // noble's counter is 32 bits: below the carry, it confirms the bytes independently.
      if (counter + 2 < TWO32)
        expect(hex(new Uint8Array(viaSimd.buffer, 0, 128))).toBe(hex(nobleKeystream(new Uint8Array(words.buffer), counter, 128)));
      expect(simdMemory()!.every((b) => b === 0)).toBe(true);
    }
  });

  it('a refill into too short an array throws, and leaves nothing in its memory', () => {
    const { words } = keyOf(11);
    const short = new Uint32Array(31);
    short.set(words, 20);
    expect(() => simdRefill(short, 20, 0)).toThrow(RangeError);
    expect(simdMemory()!.every((b) => b === 0)).toBe(true);
  });

  it('reads the key at any word of the given array, and leaves nothing of it or of the blocks in its memory', () => {
    const { words } = keyOf(9);
    const state = new Uint32Array(36);
    state.set(words, 24);
    const out = new Uint8Array(64 * 64);
    simdBlocks(out, 0, state, 24, 0, 64);
    expect(hex(out)).toBe(hex(scalar(words, 0, 64)));
    expect(simdMemory()!.every((b) => b === 0)).toBe(true);
  });
});
