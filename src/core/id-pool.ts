// The ID pool (design.md §4, "IDs may draw from a droppable pool"): one page of future output of
// the kernel algorithm, from which randomUUID() and randomInt() take their few bytes, so that
// they need not run the whole algorithm per call. It keeps a state's discipline:
//
//   - it lives in a page of the droppable arena (dropped under pressure, wiped on fork, never
//     swapped, never dumped), the whole pool in one page, so a drop takes all of it at once;
//   - it records the generation it was filled under, written *before* the fill, as a rekey writes
//     the state's generation before fetching the key: a drop during the fill zeroes it, and a
//     fork or reseed during the fill leaves it behind the current one;
//   - every byte is erased as it is handed out (forward secrecy, as for the batch);
//   - after the copy, the generation is re-read with Atomics.load (design §3, final check): a
//     mismatch (drop, fork wipe, reseed, expiry) discards the pool and the bytes just copied.
//     A take syncs the generation once, for that check: the refill test before the copy reads
//     its words as they are, so a generation that moves only when synced (a clock's expiry) is
//     caught by the final check, and the take after the discard finds `pos` zeroed and refills.
//
//   offset  size  field
//        0     8  generation  u64 (host byte order), as in a state: 0 never matches
//        8     4  pos         u32: offset in the page of the next unused byte (end: empty)
//       64   end  data        the pool's bytes, [pos, end) not yet handed out
//
// Nothing but randomUUID() and randomInt() reads it: every byte source stays byte for byte the
// kernel algorithm (invariant 1).

import { atomicsLoad, U16, U32 } from '../base/intrinsics.js';
import { bufferOf, byteLengthOf, byteOffsetOf, bytesAt, fillElements, wipe } from '../base/views.js';
import { LITTLE_ENDIAN } from './chacha20.js';
import type { Generation } from './generation.js';

const GENERATION_LO_WORD = LITTLE_ENDIAN ? 0 : 1;
const GENERATION_HI_WORD = LITTLE_ENDIAN ? 1 : 0;
const POS_WORD = 2;
/** Where the pool's bytes start: a cache line of their own after the header. */
export const ID_POOL_DATA_OFFSET = 64;

/** bytes[at .. at + 6) as a big-endian 48-bit integer: how randomInt reads a draw, as Node does. */
export function uint48At(bytes: Uint8Array, at: number): number {
  return (
    bytes[at]! * 2 ** 40 +
    bytes[at + 1]! * 2 ** 32 +
    (((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0)
  );
}

/** Fills the whole of `out` with output of the kernel algorithm, or throws. */
export type PoolFill = (out: Uint8Array) => void;

/** One thread's pool (made by idPool()). */
export interface IdPool {
  /**
   * Moves the next 16 pool bytes, as four words, to out[0 .. 4), erasing them in the pool. False
   * if the pool failed its final check: it is discarded and `out[0 .. 4)` zeroed, so the caller
   * must draw its bytes elsewhere. Throws what the fill throws.
   */
  take16(out: Uint32Array): boolean;
  /**
   * The next 6 pool bytes as a big-endian 48-bit integer (as randomInt reads its draws), erased
   * in the pool; -1 if the pool failed its final check (it is discarded). Throws what the fill
   * throws.
   */
  take48(): number;
  /** Erases the pool: the next take refills it. */
  discard(): void;
}

/**
 * A pool over `page` (one page of droppable memory, zero, 8-aligned), filled by `fill` under
 * `generation`. Closures over constants rather than a class with private fields: V8 keeps them
 * in registers (measured: a take in about two thirds of the time).
 */
export function idPool(page: Uint8Array, generation: Generation, fill: PoolFill): IdPool {
  const end = byteLengthOf(page);
  // The whole page as words: the header's, and the data's for take16.
  const words = new U32(bufferOf(page), byteOffsetOf(page), end >> 2);
  // And as 16-bit halves, for take48: its draws start at even offsets (see next()).
  const halves = new U16(bufferOf(page), byteOffsetOf(page), end >> 1);
  const data = bytesAt(page, ID_POOL_DATA_OFFSET, end - ID_POOL_DATA_OFFSET);
  const g = generation;
  const low = g.low;
  const high = g.high;
  // Held here, not read through the import: V8 folds a closure's constants into a take's code,
  // but reads an imported binding from its cell on every call.
  const littleEndian = LITTLE_ENDIAN;

  const discard = (): void => {
    wipe(page);
  };

  const refill = (): void => {
    // Generation first, then the bytes (see the header); `pos` says empty until the fill is
    // done, so a fill that throws leaves nothing to hand out.
    words[POS_WORD] = end;
    g.sync();
    words[GENERATION_LO_WORD] = low[0]!;
    words[GENERATION_HI_WORD] = high[0]!;
    try {
      fill(data);
    } catch (err) {
      discard();
      throw err;
    }
    words[POS_WORD] = ID_POOL_DATA_OFFSET;
  };

  // Where the next `n` bytes start, after a refill if the pool is stale (filled under other
  // words than the generation's now: a reseed, or never filled) or holds fewer than `n` (used
  // up, or discarded: a drop, a fork wipe and discard() zero `pos` too). `pos` is range-checked,
  // and must be even (every take moves it by an even count from an even start): a page written
  // from outside must never send reads past the pool or across take48's halves.
  const next = (n: number): number => {
    const pos = words[POS_WORD]!;
    if (
      words[GENERATION_LO_WORD] === low[0] &&
      words[GENERATION_HI_WORD] === high[0] &&
      pos >= ID_POOL_DATA_OFFSET &&
      pos <= end - n &&
      (pos & 1) === 0
    ) {
      return pos;
    }
    refill();
    return ID_POOL_DATA_OFFSET;
  };

  // The final check, as in the algorithm's step 7, after the bytes were copied: a drop zeroes
  // the generation with the bytes, so if it still holds when read with Atomics.load after the
  // copy, every byte copied was read intact, under the current generation. On a mismatch
  // (this included: a pool filled under a generation that has since moved on) it is discarded.
  const holds = (): boolean => {
    g.sync();
    if (atomicsLoad(words, GENERATION_LO_WORD) === low[0] && words[GENERATION_HI_WORD] === high[0]) return true;
    discard();
    return false;
  };

  return {
    take16(out: Uint32Array): boolean {
      // Word-aligned: takes of other sizes may have left `pos` anywhere. The bytes skipped are
      // erased like the rest.
      const at = next(16 + (-words[POS_WORD]! & 3));
      const pos = (at + 3) & ~3;
      // `pos` moves first: a call cut short from here on (a terminated execution) leaves these
      // bytes behind it, never in front of the next take.
      words[POS_WORD] = pos + 16;
      for (let i = at; i < pos; i++) page[i] = 0;
      const w = pos >> 2;
      out[0] = words[w]!;
      out[1] = words[w + 1]!;
      out[2] = words[w + 2]!;
      out[3] = words[w + 3]!;
      words[w] = 0;
      words[w + 1] = 0;
      words[w + 2] = 0;
      words[w + 3] = 0;
      if (holds()) return true;
      fillElements(out, 0, 0, 4);
      return false;
    },
    take48(): number {
      const pos = next(6);
      words[POS_WORD] = pos + 6; // first, as in take16
      let x: number;
      if (littleEndian) {
        // Three halves read and three erased: half the accesses of a byte-wise copy.
        const h = pos >> 1;
        const a = halves[h]!;
        const b = halves[h + 1]!;
        const c = halves[h + 2]!;
        halves[h] = 0;
        halves[h + 1] = 0;
        halves[h + 2] = 0;
        x = (((a & 0xff) << 8) | (a >>> 8)) * 2 ** 32 + ((((b & 0xff) << 24) | ((b >>> 8) << 16) | ((c & 0xff) << 8) | (c >>> 8)) >>> 0);
      } else {
        x = uint48At(page, pos);
        for (let i = pos; i < pos + 6; i++) page[i] = 0;
      }
      return holds() ? x : -1;
    },
    discard,
  };
}
