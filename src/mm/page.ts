// Pages of simulated memory: whether one is resident, and dropping it (zeroing it so that a
// generator running in another thread survives, as it survives the kernel's atomic drop). Pages
// are addressed as 32-bit words of the SharedArrayBuffer that backs their mapping; every page
// starts at a multiple of PAGE_SIZE in it.

import { I32 } from '../base/intrinsics.js';
import { GENERATION_OFFSET, POS_OFFSET, STATE_SIZE } from '../core/state.js';
import { PAGE_SIZE } from './constants.js';
import { type Vma, vmaEnd } from './vma.js';

/** 32-bit words per page. */
const PAGE_WORDS = PAGE_SIZE / 4;

// The vgetrandom state slots of a page, in words: 144-byte states from the page's start, as
// src/arena/state-allocator.ts and the kernel selftest carve them (28 per page, 64 bytes left over).
const SLOT_WORDS = STATE_SIZE / 4;
const SLOTS = Math.floor(PAGE_WORDS / SLOT_WORDS);
const GENERATION_WORD = GENERATION_OFFSET / 4; // and the word after it: the u64 generation
const POS_WORD = POS_OFFSET / 4; // pos, in_use, 2 bytes of padding; the word after it: padding

/** The words of one slot as they were before its generation was zeroed. */
const before = new I32(SLOT_WORDS);

/**
 * True if the page holds any nonzero byte. The model has no page tables: a page that was never
 * written, or was dropped, reads as zero exactly like a page the kernel never faulted in, so
 * "resident" means "not all zero".
 * @example isResident(new Int32Array(sab), 0)
 */
function isResident(words: Int32Array, firstWord: number): boolean {
  for (let i = firstWord, end = firstWord + PAGE_WORDS; i < end; i++) {
    if (words[i] !== 0) return true;
  }
  return false;
}

/**
 * Zeroes one page with atomic word writes, each state slot's generation before anything else
 * of that slot, so that a generator reading the page in another thread meanwhile either sees
 * its state intact or fails its final generation check.
 * @example dropPage(new Int32Array(sab), 2 * PAGE_WORDS) // the third page of sab
 */
function dropPage(words: Int32Array, firstWord: number): void {
  // The kernel drops a page at once: a reader sees the old page or a zero page. Zeroing a
  // SharedArrayBuffer is not atomic, and the generator's only defence is its final check: it
  // re-reads the generation with Atomics.load after copying bytes out, and a zero generation
  // never matches. So in every state, the generation must be zero before any byte the
  // generator may use is: the key and batch below it, and pos above it (offset 136). Zeroing
  // the page from its end towards its start would clear pos first: a generator that read
  // pos = 0 then would hand its batch out again (already erased to zeros) and still pass its
  // check. No single order over the page serves states at every 8-aligned offset (a generation
  // must precede the word on each side of it), nor both 144- and 192-byte strides (glibc and Go
  // space states a cache line apart), so this follows the layout of the only allocator that puts
  // states in simulated pages, src/arena/state-allocator.ts: 144-byte slots from the page's start. The tail
  // after the last slot goes first; then each slot, from the last: the generation, then the pos
  // word, then the key and the batch from their end towards their start.
  //
  // A generator may also find the zero generation mid-drop and rekey: write a new generation,
  // key and pos, then refill the batch. On a real page those writes land after the drop and
  // stay. A plain store would zero them under a valid generation (a new pos of 0 hands out the
  // erased batch again), so every other word of the slot is zeroed with compareExchange against
  // its value before the drop: a word written meanwhile keeps its new value, as if written just
  // after an atomic drop. (Only a rekey that completed between reading a word and its
  // compareExchange, and left it at exactly its old value, would be zeroed: that takes a whole
  // entropy fetch between two atomic operations of this loop.)
  //
  // All accesses are Atomics (sequentially consistent): neither the JIT nor the CPU reorders them.
  for (let i = firstWord + PAGE_WORDS - 1; i >= firstWord + SLOTS * SLOT_WORDS; i--) Atomics.store(words, i, 0);
  for (let slot = firstWord + (SLOTS - 1) * SLOT_WORDS; slot >= firstWord; slot -= SLOT_WORDS) {
    for (let i = 0; i < SLOT_WORDS; i++) before[i] = Atomics.load(words, slot + i);
    Atomics.store(words, slot + GENERATION_WORD + 1, 0);
    Atomics.store(words, slot + GENERATION_WORD, 0);
    for (let i = SLOT_WORDS - 1; i >= POS_WORD; i--) Atomics.compareExchange(words, slot + i, before[i]!, 0);
    for (let i = GENERATION_WORD - 1; i >= 0; i--) Atomics.compareExchange(words, slot + i, before[i]!, 0);
  }
}

/**
 * Drops up to `max` resident pages of `vma` in [from, to) (page-aligned, inside the mapping),
 * lowest address first, and returns how many it dropped.
 * @example dropResident(vma, vma.addr, vmaEnd(vma), Infinity)
 */
export function dropResident(vma: Vma, from: number, to: number, max: number): number {
  const words = new I32(vma.buffer);
  let dropped = 0;
  for (let page = from; page < to && dropped < max; page += PAGE_SIZE) {
    const firstWord = (vma.offset + page - vma.addr) / 4;
    if (isResident(words, firstWord)) {
      dropPage(words, firstWord);
      dropped++;
    }
  }
  return dropped;
}

/**
 * How many pages of `vma` are resident (smaps' Rss, in pages).
 * @example residentPages(vma) * PAGE_SIZE // Rss in bytes
 */
export function residentPages(vma: Vma): number {
  const words = new I32(vma.buffer);
  let count = 0;
  for (let page = vma.addr; page < vmaEnd(vma); page += PAGE_SIZE) {
    if (isResident(words, (vma.offset + page - vma.addr) / 4)) count++;
  }
  return count;
}
