// What a generator needs from wherever its state lives: a slice of an arena page to hold, and
// give back. Four allocators keep this contract: StateAllocator (an Arena's pages), the shared
// one for threads, the addon's (NativeAllocator) and the parked states of a snapshot build.

import type { StateView } from '../core/state.js';
import type { BulkCore } from '../core/vgetrandom.js';

/** One state's place in the arena. */
export interface Slice {
  /** Address of the page holding it. */
  readonly pageAddr: number;
  /** Byte offset of the state in its page (a multiple of 144, so of 8). */
  readonly offset: number;
  /**
   * The state. Only its allocator replaces it: a shared arena parks the slices of a thread that
   * exits (src/arena/shared-state-allocator.ts), so generators read it on every call instead of keeping it.
   */
  readonly view: StateView;
}

export interface ArenaStats {
  /** Pages mapped for states. */
  pages: number;
  /** Slices handed out and not yet released. */
  statesInUse: number;
  /** Slices ready to be handed out. */
  statesFree: number;
}

/** What a generator needs from its backend's allocator (simulated arena or native addon). */
export interface SliceAllocator {
  /** A faster ChaCha20 core that the backend offers for runs of blocks, if any. */
  readonly bulk?: BulkCore;
  /** Hands out a slice that no other generator or thread holds. */
  allocate(): Slice;
  /** Zeroes `slice` and makes it available again. */
  release(slice: Slice): void;
  stats(): ArenaStats;
  /**
   * Maps the calling thread's ID pool page (one droppable page, zero) where the backend keeps
   * such pages (src/core/id-pool.ts): the addon's, beside its arena, one per thread (a second
   * call gives it again); the default simulated arena's, in an mm of the thread's own.
   */
  mapIdPoolPage?(): Uint8Array;
}
