// State slices in real MAP_DROPPABLE pages, from the native addon's process-wide arena: every
// thread (main and workers) draws from the same pages under the addon's mutex, as with glibc's
// and Go's vgetrandom allocators, and a thread's slices go back when its env is torn down.
// Same shape as StateAllocator (the simulated arena's), so a generator does not know which
// one holds its state.

import { invalidState } from '../base/errors.js';
import { U8 } from '../base/intrinsics.js';
import { bufferOf, byteLengthOf } from '../base/views.js';
import { STATE_SIZE, stateView } from '../core/state.js';
import type { BulkCore } from '../core/vgetrandom.js';
import { loadNative, type NativeBinding, type NativeChachaCore } from '../platform/addon/binding.js';
import type { ArenaStats, Slice, SliceAllocator } from './slice-allocator.js';

/**
 * The shortest run of whole blocks handed to each of the addon's cores: where one call of the
 * addon (about 190 ns of Node-API and wiping, then one vector group for the run's tail and the
 * two refill blocks) costs less than the TypeScript core's run and refill (about 150 ns a block).
 * Chosen by the core the CPU has, not measured at load: a measurement at load on a shared machine
 * is noise, and the ordering is the cores'. Measured (Intel Xeon, AVX-512, each core by
 * VGETRANDOM_CHACHA; TypeScript against the addon, ns for a run of n blocks and its refill):
 * n = 1: avx512 453/419, avx2 553/538, sse 741/666, even within the noise; n = 2: 607/423,
 * 741/537, 977/674. The portable C core is no faster than V8's code for the same rounds: it is
 * worth the call only from about 256 blocks (1024: 175/141 µs).
 */
export const BULK_MIN_BLOCKS: Readonly<Record<NativeChachaCore, number>> = { avx512: 2, avx2: 2, sse: 2, scalar: 256 };

export class NativeAllocator implements SliceAllocator {
  readonly binding: NativeBinding;
  /** The addon's SIMD ChaCha20 (AVX-512, AVX2 or SSE, chosen at run time): the same bytes, faster. */
  readonly bulk: BulkCore;
  // Slices this allocator handed out: release() of anything else (a double release, another
  // allocator's slice) must not reach the addon's free list.
  readonly #held = new Set<Slice>();

  /** Uses `binding`, or this thread's addon; throws ERR_INVALID_STATE (with the reason) without one. */
  constructor(binding?: NativeBinding) {
    if (binding === undefined) {
      const loaded = loadNative();
      if (loaded.binding === null) throw invalidState(`the native backend is unavailable: ${loaded.reason}`);
      binding = loaded.binding;
    }
    this.binding = binding;
    this.bulk = { minBlocks: BULK_MIN_BLOCKS[binding.chacha20Core()], refill: binding.chacha20Refill };
  }

  /** Hands out a zeroed slice that no other thread or generator holds. */
  allocate(): Slice {
    const { buffer, pageAddr, offset } = this.binding.allocState();
    const size = byteLengthOf(buffer);
    if (size !== STATE_SIZE) {
      // A kernel whose vgetrandom state is not the 144-byte layout we know how to drive.
      this.binding.freeState(buffer);
      throw new RangeError(`unsupported vgetrandom state size ${size}`);
    }
    // The buffer is exactly the slice, so the view starts at 0; pageAddr/offset say where it is.
    const slice: Slice = { pageAddr, offset, view: stateView(buffer, 0) };
    this.#held.add(slice);
    return slice;
  }

  /** Zeroes `slice`, gives it back to the arena, and detaches its buffer (its views read as empty). */
  release(slice: Slice): void {
    if (!this.#held.delete(slice)) throw new RangeError('this state slice is not held from this allocator');
    this.binding.freeState(bufferOf(slice.view.bytes) as ArrayBuffer);
  }

  /** The whole process's arena: every thread's slices share its pages. */
  stats(): ArenaStats {
    return this.binding.arenaStats();
  }

  /** This thread's ID pool page, in the addon's arena. */
  mapIdPoolPage(): Uint8Array {
    return new U8(this.binding.idPoolPage());
  }

  /** Drops the page holding `slice` now (madvise(MADV_PAGEOUT)): it reads back as zero. */
  drop(slice: Slice): void {
    if (!this.#held.has(slice)) throw new RangeError('this state slice is not held from this allocator');
    this.binding.pageout(bufferOf(slice.view.bytes) as ArrayBuffer);
  }
}
