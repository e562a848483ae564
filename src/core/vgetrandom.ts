// The kernel's vDSO getrandom algorithm (`__cvdso_getrandom_data` in lib/vdso/getrandom.c),
// step for step, over a 144-byte state: ChaCha20 with fast key erasure, a generation check that
// catches reseeds, forks and dropped pages, and one fallback for everything else.
//
// Pure: no I/O, and no allocation for requests served from the batch (small requests, the hot
// path); runs of whole blocks may make a view of the output. Every side effect goes through the
// state view, the two callbacks (current generation, syscall path) and the caller's counters.
// Runs of whole blocks and their refill may go to a faster core that computes the same bytes:
// the addon's SIMD ChaCha20 (native backend), else the WebAssembly SIMD one (src/core/chacha20-simd.ts),
// else the TypeScript core.

import { invalidState } from '../base/errors.js';
import { atomicsLoad } from '../base/intrinsics.js';
import { alignedWordsAt, bytesAt, copyBytes, fillElements, typedArrayByteLength } from '../base/views.js';
import { CHACHA_BLOCK_SIZE, CHACHA_BLOCK_WORDS, chacha20Blocks, LITTLE_ENDIAN } from './chacha20.js';
import { simdBlocks, simdRefill } from './chacha20-simd.js';
import type { Generation } from './generation.js';
import {
  BATCH_SIZE,
  GENERATION_HI_WORD,
  GENERATION_LO_WORD,
  IN_USE_OFFSET,
  KEY_SIZE,
  KEY_WORD,
  POS_OFFSET,
  type StateView,
} from './state.js';
import { GRND_KNOWN, MAX_RW_COUNT, type SyscallPath } from './syscall.js';

/** Counters a generator keeps; the algorithm adds to them. */
export interface Counters {
  /** Requests made (every call, whichever path served it). */
  calls: number;
  /** Bytes returned. */
  bytes: number;
  /** Fresh keys fetched from the syscall path (generation mismatches at the start). */
  rekeys: number;
  /** Generation mismatches found by the final check: the whole output was made again. */
  retries: number;
  /** Requests served whole by the syscall path. */
  fallbacks: number;
  /**
   * States found left in use by a call that a terminated execution cut short (a `vm` timeout),
   * wiped so that the generator works again (src/api/generator.ts).
   */
  recoveries: number;
}

/**
 * A faster ChaCha20 core for step 6 (the addon's SIMD one), for runs of at least `minBlocks`
 * whole blocks: `refill` writes blocks `counter ..` of the state's key into `out`, then the next
 * two over the state's batch and key, exactly as the TypeScript core would (blocksThenRefill).
 * One call does both, so the refill costs nothing where the vector group had lanes to spare.
 */
export interface BulkCore {
  /** The shortest run worth the call: below it, the TypeScript core is faster on this CPU. */
  readonly minBlocks: number;
  readonly refill: (out: Uint8Array, state: Uint8Array, counter: number, nblocks: number) => void;
}

export function newCounters(): Counters {
  return { calls: 0, bytes: 0, rekeys: 0, retries: 0, fallbacks: 0, recoveries: 0 };
}

// Scratch for blocks bound for an output that is not 4-byte aligned: ChaCha20 writes words.
// Zeroed after every use, a throw included, so no output outlives the call in it.
const SCRATCH_BLOCKS = 64;
const scratch = new Uint32Array(SCRATCH_BLOCKS * CHACHA_BLOCK_WORDS);

/**
 * Fills `out` with random bytes the way the kernel's vDSO getrandom does, and returns the count
 * (at most MAX_RW_COUNT, like getrandom(2)).
 *
 * `out` may be the caller's own Uint8Array (a subclass, with own properties that lie): it is only
 * ever written by index, its byte length is read through the intrinsic getter, and every sub-view
 * of it is made by src/base/views.ts from its internal slots. Nothing of the caller's runs here.
 *
 * The caller guarantees that `state` is used by this thread only (one state per thread or
 * generator), is 8-aligned and does not straddle a page. `generation` changes whenever keys must
 * no longer be used; it is read at the start and again after all output was copied. `syscall` is the slow path that
 * every failure falls back to: it fills a buffer from the OS or throws.
 *
 * Reentrancy: a call that finds `in_use` set (the state is busy further up this thread's stack,
 * for instance inside the syscall callback) is served by the syscall path and leaves the state
 * alone. Every exit clears `in_use` after the last write to the state.
 */
export function vgetrandom(
  state: StateView,
  out: Uint8Array,
  flags: number,
  generation: Generation,
  syscall: SyscallPath,
  counters: Counters,
  bulk?: BulkCore,
): number {
  counters.calls++;
  const bytes = state.bytes;
  // The intrinsic getter, never `out.length`: an own `length` of the caller's could lie (a
  // smaller one leaves bytes unwritten, a larger one sends blocks outside the view).
  const len = typedArrayByteLength(out);
  let ret = FALLBACK;
  // 1. Flags this path does not understand are the kernel's business (EINVAL or a new feature).
  if ((flags & ~GRND_KNOWN) === 0) {
    // 2. Nothing to do; checked after the flags, as the syscall would reject bad flags first.
    if (len === 0) return 0;
    // 3. Basic reentrancy protection: a busy state is left alone, the syscall serves the request.
    if (bytes[IN_USE_OFFSET] === 0) {
      bytes[IN_USE_OFFSET] = 1;
      // Every way out of generate(), a throw included (a clock that throws, a view detached
      // under it), clears in_use after generate()'s last write to the state. The fallback then
      // runs with the state free, as in the kernel.
      try {
        ret = generate(state, out, len < MAX_RW_COUNT ? len : MAX_RW_COUNT, generation, syscall, counters, bulk);
      } catch (err) {
        // A throw may come after output was made from this key and batch: wipe both, and the
        // generation (so the next call rekeys), or the next call would hand out those bytes again.
        fillElements(bytes, 0, 0, IN_USE_OFFSET);
        throw err;
      } finally {
        bytes[IN_USE_OFFSET] = 0;
      }
    }
  }
  // One call site for the slow path, so that the JIT keeps the fast one small.
  if (ret === FALLBACK) return fallback(out, flags, syscall, counters);
  counters.bytes += ret;
  return ret;
}

/** Below this many bytes, handing out byte by byte is faster than handOut()'s word loop. */
const HAND_OUT_BY_WORDS = 12;

/** Moves `n` bytes from `bytes[from ..]` to `out[to ..]`, zeroing each in `bytes`. */
function moveBytes(bytes: Uint8Array, from: number, out: Uint8Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) {
    out[to + i] = bytes[from + i]!;
    bytes[from + i] = 0;
  }
}

/**
 * Moves batch bytes [pos, pos + take) to `out[p ..]`, zeroing them in the state: whole aligned
 * words of the batch as words (one read and one erasing write for four bytes, each written out
 * as a byte since `out` may have any alignment), the bytes before and after them one by one.
 */
function handOut(state: StateView, pos: number, out: Uint8Array, p: number, take: number): void {
  const bytes = state.bytes;
  if (!LITTLE_ENDIAN) {
    moveBytes(bytes, pos, out, p, take);
    return;
  }
  // take >= HAND_OUT_BY_WORDS > 3, so the bytes up to the batch's next word boundary fit.
  const head = -pos & 3;
  moveBytes(bytes, pos, out, p, head);
  const words = state.words;
  let i = head;
  for (; i + 4 <= take; i += 4) {
    const w = (pos + i) >> 2;
    const x = words[w]!;
    words[w] = 0;
    out[p + i] = x;
    out[p + i + 1] = x >>> 8;
    out[p + i + 2] = x >>> 16;
    out[p + i + 3] = x >>> 24;
  }
  moveBytes(bytes, pos + i, out, p + i, take - i);
}

/** generate()'s answer when the request must go to the syscall path instead. */
const FALLBACK = -1;

/**
 * Steps 4 to 7 for a request of `ret` bytes (already capped at MAX_RW_COUNT), with in_use held.
 * Returns `ret`, or FALLBACK when the key could not be fetched or the retry also failed.
 */
function generate(
  state: StateView,
  out: Uint8Array,
  ret: number,
  generation: Generation,
  syscall: SyscallPath,
  counters: Counters,
  bulk: BulkCore | undefined,
): number {
  const bytes = state.bytes;
  const words = state.words;
  const low = generation.low;
  const high = generation.high;
  // 4. The block counter is local to the call and is *not* reset by a retry: the retry runs
  //    under a fresh key, so it would start over cleanly either way; the kernel keeps counting,
  //    and so do we, so that the output stays the kernel's byte for byte.
  let counter = 0;
  let retried = false;

  for (;;) {
    // 5. The generation serialises the key with the reseed schedule: read it every time.
    generation.sync();
    if (words[GENERATION_LO_WORD] !== low[0] || words[GENERATION_HI_WORD] !== high[0]) {
      if (!rekey(state, generation, syscall, counters)) return FALLBACK;
      assertStillHolds(out, ret);
    } else if (generation.callsCaller) {
      assertStillHolds(out, ret);
    }

    let p = 0;
    let remaining = ret;
    for (;;) {
      // 6a. Hand out what is left of the batch, zeroing each byte as it leaves (forward
      //     secrecy: a later compromise of the state cannot recover bytes already given out).
      //     `pos` is clamped: a state written from outside must never expose the key.
      let pos = bytes[POS_OFFSET]!;
      if (pos > BATCH_SIZE) pos = BATCH_SIZE;
      let take = BATCH_SIZE - pos;
      if (take > remaining) take = remaining;
      if (take < HAND_OUT_BY_WORDS) moveBytes(bytes, pos, out, p, take);
      else handOut(state, pos, out, p, take);
      bytes[POS_OFFSET] = pos + take;
      p += take;
      remaining -= take;

      if (remaining === 0) break;

      // 6b and 6c, out of line: this function stays small enough for the JIT to inline it.
      const whole = remaining - (remaining % CHACHA_BLOCK_SIZE);
      counter = blocksThenRefill(state, out, p, whole, counter, bulk);
      p += whole;
      remaining -= whole;
    }

    // 7. Re-read the state's generation *after* the copy. It is never 0 while valid, so a
    //    drop or fork wipe that happened at any point before this read (the page is zeroed
    //    before, or with, the bytes we copied) shows as a mismatch, and so does a reseed.
    //    Only the compiler's order matters, as in the kernel (barrier(), then READ_ONCE): a
    //    real drop reaches this thread as a TLB-shootdown interrupt, which is precise (loads
    //    before it in program order read the old page, loads after it the zero one). JS has no
    //    READ_ONCE, so the low word is read with Atomics.load (as captured at load: a patched
    //    one would be handed the state), which V8 never reuses, merges or
    //    hoists above earlier memory accesses; the plain read of the high word after it cannot
    //    move above it either. One atomic read suffices (V8 does not inline them: each costs a
    //    call): a drop zeroes the generation before any batch or key byte, so if the low word
    //    still holds when read, every byte copied before was read intact.
    generation.sync();
    if (atomicsLoad(words, GENERATION_LO_WORD) === low[0] && words[GENERATION_HI_WORD] === high[0]) return ret;
    // The output may hold zeros or bytes of an expired key: make all of it again, once. A
    // second mismatch (memory pressure dropping pages faster than we fill them, or a reseed
    // storm) gives the whole original request to the syscall path.
    if (retried) return FALLBACK;
    retried = true;
    counters.retries++;
  }
}

/**
 * Throws ERR_INVALID_STATE unless `out` still holds `ret` bytes. A caller's callback that ran in
 * step 5 (an entropy source for the rekey, a clock for the generation) may have resized or
 * detached `out`'s buffer: indexed writes past its end would be dropped without a word, and the
 * call would report bytes it never wrote. Thrown before any output, and the state is wiped.
 */
function assertStillHolds(out: Uint8Array, ret: number): void {
  if (typedArrayByteLength(out) < ret) throw invalidState('the output buffer was resized or detached during the call');
}

/**
 * Step 5 on a mismatch: ties the state to the current generation and fetches a fresh key through
 * the syscall path, with an empty batch. False when the syscall fails, returns short,
 * or returns an all-zero key (a broken source: all-zero keys are never used); the state's
 * generation is then 0 again, so no later call uses the key.
 */
function rekey(state: StateView, generation: Generation, syscall: SyscallPath, counters: Counters): boolean {
  const words = state.words;
  // Write the generation *before* fetching the key. Were it written after, a fork (or a drop)
  // between the fetch and the write would leave parent and child with the same key under the
  // same generation, undetected; so would a kernel reseed, whose new generation the next check
  // would then take for the key's. Written first, any move after it is seen.
  words[GENERATION_LO_WORD] = generation.low[0]!;
  words[GENERATION_HI_WORD] = generation.high[0]!;
  counters.rekeys++;
  // The old key goes first: a syscall path that reports success without writing would leave it
  // in place under the new generation. Zeroed, it is refused below as an all-zero key.
  for (let i = KEY_WORD; i < KEY_WORD + KEY_SIZE / 4; i++) words[i] = 0;
  let n: number;
  try {
    n = syscall(state.key, 0);
  } catch {
    n = -1;
  }
  let any = 0;
  if (n === KEY_SIZE) for (let i = KEY_WORD; i < KEY_WORD + KEY_SIZE / 4; i++) any |= words[i]!;
  if (any === 0) {
    words[GENERATION_LO_WORD] = 0;
    words[GENERATION_HI_WORD] = 0;
    return false;
  }
  // An empty batch: the next bytes come from a refill under the new key.
  state.bytes[POS_OFFSET] = BATCH_SIZE;
  return true;
}

/**
 * Steps 6b and 6c: `whole` bytes of whole blocks (a multiple of 64, maybe 0) go straight to
 * `out[p ..]` under the current key, then the next two blocks refill batch and key: the old key
 * is overwritten by output it can no longer reproduce. Returns the block counter after them.
 * Only a request the batch could not finish gets here; one that ends on a block boundary still
 * refills, as in the kernel, so the next call starts from a fresh batch.
 */
function blocksThenRefill(
  state: StateView,
  out: Uint8Array,
  p: number,
  whole: number,
  counter: number,
  bulk: BulkCore | undefined,
): number {
  const nblocks = whole / CHACHA_BLOCK_SIZE;
  // minBlocks >= 1: the bulk core is never handed an empty run.
  if (bulk !== undefined && nblocks >= bulk.minBlocks) {
    bulk.refill(bytesAt(out, p, whole), state.bytes, counter, nblocks);
  } else {
    if (nblocks > 0) writeBlocks(out, p, state.words, counter, nblocks);
    if (!simdRefill(state.words, KEY_WORD, counter + nblocks)) chacha20Blocks(state.words, 0, state.words, KEY_WORD, counter + nblocks, 2);
  }
  state.bytes[POS_OFFSET] = 0;
  return counter + nblocks + 2;
}

/** The one slow path: the whole original request from the syscall. Throws what it throws. */
function fallback(out: Uint8Array, flags: number, syscall: SyscallPath, counters: Counters): number {
  counters.fallbacks++;
  const n = syscall(out, flags);
  counters.bytes += n;
  return n;
}

/**
 * Writes `nblocks` blocks under the state's key into `out[p ..]`, aligned or not: whole groups of
 * four on the WebAssembly SIMD core where it runs (src/core/chacha20-simd.ts), the rest here.
 */
function writeBlocks(out: Uint8Array, p: number, words: Uint32Array, counter: number, nblocks: number): void {
  const simd = simdBlocks(out, p, words, KEY_WORD, counter, nblocks);
  if (simd !== 0) {
    if (simd === nblocks) return;
    p += simd * CHACHA_BLOCK_SIZE;
    counter += simd;
    nblocks -= simd;
  }
  const aligned = alignedWordsAt(out, p, nblocks * CHACHA_BLOCK_WORDS);
  if (aligned !== undefined) {
    chacha20Blocks(aligned, 0, words, KEY_WORD, counter, nblocks);
    return;
  }
  // The scratch words this call writes: zeroed on every way out.
  const used = (nblocks < SCRATCH_BLOCKS ? nblocks : SCRATCH_BLOCKS) * CHACHA_BLOCK_WORDS;
  try {
    for (let done = 0; done < nblocks; ) {
      const n = nblocks - done < SCRATCH_BLOCKS ? nblocks - done : SCRATCH_BLOCKS;
      chacha20Blocks(scratch, 0, words, KEY_WORD, counter + done, n);
      copyBytes(out, bytesAt(scratch, 0, n * CHACHA_BLOCK_SIZE), p + done * CHACHA_BLOCK_SIZE);
      done += n;
    }
  } finally {
    fillElements(scratch, 0, 0, used);
  }
}
