// The pure path's fast core: the ChaCha20 block function of src/core/chacha20.ts in WebAssembly
// SIMD (built from scripts/wasm/chacha20-simd.wat.mjs by the project's build): four blocks at a
// time in v128 lanes for runs of whole blocks where the addon's core is not in use (the simulated
// backend: macOS, Windows, no addon), and the two blocks of every refill of batch and key, row by
// row. The same bytes as chacha20Blocks(), which stays the core wherever WebAssembly SIMD is
// missing.
//
// Key material in the module's memory: the key is copied in for each call, and the blocks are
// made there before they are copied to the caller; both are zeroed before the call returns or
// throws, as the algorithm's scratch is (src/core/vgetrandom.ts). The module's memory is one page
// that never grows, so the views made of it here are never detached.
//
// Nothing of the caller's runs on the way: the module's bytes are copied when this file loads, and
// it is instantiated at first use through the built-ins as first captured in this process
// (src/base/intrinsics.ts: the WebAssembly constructors, the memory's `buffer` getter, the typed
// array constructors), so that code which replaces a global later can neither swap the module
// nor be handed a view of its memory. It must then compute a known answer of the TypeScript core
// (across carries of the counter's low word); one that does not is never used.

import { U8, U32, wasmIntrinsics } from '../base/intrinsics.js';
import { bytesAt, copyBytes, fillElements } from '../base/views.js';
import { CHACHA_BLOCK_SIZE, CHACHA_BLOCK_WORDS, chacha20Blocks, LITTLE_ENDIAN } from './chacha20.js';
import { CHACHA20_SIMD_WASM } from './generated/chacha20-simd-wasm.js';

/** The module's bytes, copied at load. */
const BINARY = new U8(CHACHA20_SIMD_WASM.length);
for (let i = 0; i < BINARY.length; i++) BINARY[i] = CHACHA20_SIMD_WASM[i]!;

/** Where the module reads the key and writes its blocks (scripts/wasm/chacha20-simd.wat.mjs). */
const OUT_OFFSET = 1024;
const MEMORY_SIZE = 65536;
/** Blocks per call: as many groups of four as the module's memory holds after the key. */
const MAX_BLOCKS = ((MEMORY_SIZE - OUT_OFFSET) / CHACHA_BLOCK_SIZE) & ~3;
const TWO_32 = 0x1_0000_0000;

interface Core {
  readonly blocks4: (lo: number, hi: number, groups: number) => void;
  readonly refill2: (lo: number, hi: number) => void;
  readonly wipeRefill: () => void;
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  /** Where refill2 writes its two blocks: words [OUT_OFFSET / 4 ..) of the memory, 32 of them. */
  readonly refillOut: Uint32Array;
}

// undefined until first use; null where there is no usable module.
let core: Core | null | undefined;

/** The core, instantiated at first use; null where there is none. */
function coreNow(): Core | null {
  if (core === undefined) core = instantiate();
  return core;
}

function instantiate(): Core | null {
  const wasm = wasmIntrinsics();
  // The module's words are little-endian; on a big-endian host the copies would need swapping.
  if (wasm === undefined || !LITTLE_ENDIAN) return null;
  try {
    // An instance's exports object is the engine's, frozen, with no prototype: nothing to patch.
    const { exports } = new wasm.Instance(new wasm.Module(BINARY), {});
    const buffer = wasm.memoryBuffer(exports.memory as WebAssembly.Memory);
    const made: Core = {
      blocks4: exports.blocks4 as Core['blocks4'],
      refill2: exports.refill2 as Core['refill2'],
      wipeRefill: exports.wipeRefill as Core['wipeRefill'],
      bytes: new U8(buffer),
      words: new U32(buffer),
      refillOut: new U32(buffer, OUT_OFFSET, 2 * CHACHA_BLOCK_WORDS),
    };
    return selfTest(made) ? made : null;
  } catch {
    // No SIMD in this engine (a CompileError), or no WebAssembly at all: the scalar core serves.
    return null;
  }
}

/**
 * The module's 8 blocks from counter 2^32 − 2 (the low word carries), and its refill's 2 from
 * 2^32 − 1, equal the TypeScript core's, and its wipe zeroes the key and the refill's blocks. A
 * module that lacks one of the three (assembled from other source) throws here, and is not used:
 * a missing wipe would otherwise throw only after a refill had left key and blocks behind.
 */
function selfTest(c: Core): boolean {
  const key = new U32(8);
  for (let i = 0; i < 8; i++) key[i] = 0x9e3779b9 * (i + 1);
  const want = new U32(10 * CHACHA_BLOCK_WORDS);
  chacha20Blocks(want, 0, key, 0, TWO_32 - 2, 8);
  chacha20Blocks(want, 8 * CHACHA_BLOCK_WORDS, key, 0, TWO_32 - 1, 2);
  const got = new U32(want.length);
  const w = c.words;
  const at = OUT_OFFSET / 4;
  try {
    for (let i = 0; i < 8; i++) w[i] = key[i]!;
    c.blocks4(TWO_32 - 2, 0, 2);
    for (let i = 0; i < 8 * CHACHA_BLOCK_WORDS; i++) got[i] = w[at + i]!;
    c.refill2(TWO_32 - 1, 0);
    for (let i = 0; i < 2 * CHACHA_BLOCK_WORDS; i++) got[8 * CHACHA_BLOCK_WORDS + i] = w[at + i]!;
    c.wipeRefill();
    for (let i = 0; i < 8; i++) if (w[i] !== 0) return false;
    for (let i = 0; i < 2 * CHACHA_BLOCK_WORDS; i++) if (w[at + i] !== 0) return false;
  } finally {
    fillElements(c.bytes, 0);
  }
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return false;
  return true;
}

/** The module's memory, for tests that check it holds nothing after a call; null where there is no core. */
export function simdMemory(): Uint8Array | null {
  return coreNow()?.bytes ?? null;
}

/** True where the SIMD core runs (WebAssembly SIMD, and the module passed its known answer). */
export function simdAvailable(): boolean {
  return coreNow() !== null;
}

/**
 * Writes the first floor(nblocks / 4) × 4 of the blocks chacha20Blocks(…, counter, nblocks)
 * would, under the key at words `key[keyPos ..]`, into `out[p ..]` (any alignment), and returns
 * how many it wrote (0 where the SIMD core does not run): the caller makes the rest. The key is
 * read before any output is written. The ranges are the caller's to bound.
 */
export function simdBlocks(out: Uint8Array, p: number, key: Uint32Array, keyPos: number, counter: number, nblocks: number): number {
  const c = coreNow();
  if (c === null || nblocks < 4) return 0;
  const words = c.words;
  const whole = nblocks & ~3;
  let used = 0;
  try {
    for (let i = 0; i < 8; i++) words[i] = key[keyPos + i]!;
    for (let done = 0; done < whole; ) {
      const n = whole - done < MAX_BLOCKS ? whole - done : MAX_BLOCKS;
      const at = counter + done;
      // The most any chunk wrote (the first), for the wipe.
      if (n > used) used = n;
      c.blocks4(at % TWO_32, (at / TWO_32) >>> 0, n >> 2);
      copyBytes(out, bytesAt(c.bytes, OUT_OFFSET, n * CHACHA_BLOCK_SIZE), p + done * CHACHA_BLOCK_SIZE);
      done += n;
    }
  } finally {
    // The key and every block made, off the module's memory.
    fillElements(c.bytes, 0, 0, OUT_OFFSET + used * CHACHA_BLOCK_SIZE);
  }
  return whole;
}

/**
 * The refill of the algorithm's step 6: the two blocks chacha20Blocks(words, 0, words, keyPos,
 * counter, 2) would write, into words[0 .. 32), on the SIMD core (the two blocks row by row,
 * side by side). False, with nothing written, where the SIMD core does not run. The key is read
 * before any word is written: the blocks overwrite it, as the batch refill does. The blocks leave
 * the module's memory in one copy, and the module wipes key and blocks there in one call.
 * Measured with callgrind, a 16-byte request (a refill every sixth) takes 1,294 instructions this
 * way, 1,366 with %TypedArray%.prototype.fill as the wipe, and 1,437 with element loops for both.
 */
export function simdRefill(words: Uint32Array, keyPos: number, counter: number): boolean {
  const c = coreNow();
  if (c === null) return false;
  const w = c.words;
  try {
    for (let i = 0; i < 8; i++) w[i] = words[keyPos + i]!;
    c.refill2(counter % TWO_32, (counter / TWO_32) >>> 0);
    copyBytes(words, c.refillOut, 0);
  } finally {
    c.wipeRefill();
  }
  return true;
}
