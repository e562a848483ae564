// The generator's per-thread state: the kernel's `struct vgetrandom_state`
// (include/vdso/getrandom.h), byte for byte, over a slice of any ArrayBuffer or
// SharedArrayBuffer, so that it can live in an arena page the kernel may wipe at any time.
//
//   offset  size  field
//        0    96  batch       ChaCha20 output not yet handed out; bytes [pos, 96) are unused
//       96    32  key         the ChaCha20 key of the next refill
//        0   128  batch_key   batch ∥ key: exactly two ChaCha20 blocks, so one refill of two
//                             blocks writes a fresh batch and overwrites the key it came from
//      128     8  generation  u64 (host byte order): the generation the key was fetched in;
//                             0 never matches, so a zeroed state always rekeys
//      136     1  pos         u8: index of the next unused batch byte (96 = batch empty)
//      137     1  in_use      u8: reentrancy guard; set for the whole call
//      138     6  padding     to a multiple of 8, the struct's alignment
//
// A state must be 8-byte aligned and must not straddle a page: a page is dropped (zeroed) as a
// whole, and the generation check only proves the *page holding the generation* was not dropped.

import { U8, U32 } from '../base/intrinsics.js';
import { bufferOf, byteLengthOf, byteOffsetOf } from '../base/views.js';
import { LITTLE_ENDIAN } from './chacha20.js';

/** sizeof(struct vgetrandom_state). */
export const STATE_SIZE = 144;
/** Required alignment of a state (the u64 generation). */
const STATE_ALIGN = 8;
export const BATCH_SIZE = 96;
export const KEY_OFFSET = 96;
export const KEY_SIZE = 32;
export const GENERATION_OFFSET = 128;
export const POS_OFFSET = 136;
export const IN_USE_OFFSET = 137;

/**
 * Views of one 144-byte state, made once when the state is placed so the hot path allocates
 * nothing. `bytes` and `words` alias the same memory.
 */
export interface StateView {
  /** The 144 bytes. */
  readonly bytes: Uint8Array;
  /** The same bytes as 36 host-order u32 words (ChaCha20 reads and writes words). */
  readonly words: Uint32Array;
  /** The 32 key bytes: where a rekey writes the fresh key. */
  readonly key: Uint8Array;
}

/** Word index of the key and of the two halves of the u64 generation in `words`. */
export const KEY_WORD = KEY_OFFSET / 4;
export const GENERATION_LO_WORD = GENERATION_OFFSET / 4 + (LITTLE_ENDIAN ? 0 : 1);
export const GENERATION_HI_WORD = GENERATION_OFFSET / 4 + (LITTLE_ENDIAN ? 1 : 0);

/**
 * Places a state at `byteOffset` of `buffer` (which the caller has reserved for it).
 * Throws a RangeError if the slice is out of bounds or not 8-byte aligned.
 */
export function stateView(buffer: ArrayBufferLike, byteOffset: number): StateView {
  // Built-ins as captured at load (src/base/intrinsics.ts): a state must never pass through code
  // that replaced a global or a getter after the library loaded.
  const length = byteLengthOf(buffer);
  if (byteOffset % STATE_ALIGN !== 0 || byteOffset < 0 || byteOffset + STATE_SIZE > length) {
    throw new RangeError(
      `A vgetrandom state needs ${STATE_SIZE} bytes at an offset that is a multiple of ${STATE_ALIGN}; ` +
        `got offset ${byteOffset} in a buffer of ${length} bytes`,
    );
  }
  return {
    bytes: new U8(buffer, byteOffset, STATE_SIZE),
    words: new U32(buffer, byteOffset, STATE_SIZE / 4),
    key: new U8(buffer, byteOffset + KEY_OFFSET, KEY_SIZE),
  };
}

/** A state at `offset` of the memory `bytes` views (which the caller has reserved for it). */
export function stateIn(bytes: Uint8Array, offset: number): StateView {
  return stateView(bufferOf(bytes), byteOffsetOf(bytes) + offset);
}

/** A state in a private, ordinary (not droppable) buffer of its own. */
export function standaloneState(): StateView {
  return stateView(new ArrayBuffer(STATE_SIZE), 0);
}
