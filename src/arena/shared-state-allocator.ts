// The simulated backend's arena as threads share it: every thread of the process can draw its
// states from one arena, as every thread draws from the addon's (and from glibc's and Go's).
//
// Threads share nothing but SharedArrayBuffers, and a buffer reaches another thread only when it
// is posted there, so a page mapped after a handle was made could never reach the threads that
// hold the handle. The arena is therefore one mapping of SHARED_ARENA_PAGES droppable pages,
// made up front and carved as StateAllocator carves pages (28 slices each, from each page's
// start, the layout the simulated drop relies on: src/mm/page.ts). A thread that finds every
// slice taken draws its later states from an overflow arena of its own (a StateAllocator in its
// mm), which no other thread sees.
//
// Which thread holds which slice is a shared owner map, one Int32 per slice: FREE, RELEASING, or
// the holder's threadId + 1. A slice is claimed with Atomics.compareExchange(FREE → owner), so no
// two threads ever hold one slice (design.md invariant 3). It is given back by
// compareExchange(owner → RELEASING), zeroing, then store(FREE): whoever wins the exchange is the
// only one zeroing it, and a thread that claims it afterwards finds it zeroed (its
// compareExchange reads the FREE that was stored after the zeroing; all seq-cst).
//
// Giving slices back when a thread ends: a thread that exits normally gives its own back in its
// process 'exit' event (releaseOwn); one ended by worker.terminate() runs no JS, so another thread
// gives back every slice whose owner is the dead thread (releaseThread, after the Worker's 'exit'
// event: src/api/threads.ts). threadIds are never reused in a process, so a late release can only
// free slices of the thread that ended.

import { threadId } from 'node:worker_threads';
import { atomicsCompareExchange, atomicsLoad, atomicsStore, I32, mathFloor, newSharedArrayBuffer } from '../base/intrinsics.js';
import { fillElements } from '../base/views.js';
import { IN_USE_OFFSET, STATE_SIZE, type StateView, standaloneState, stateIn } from '../core/state.js';
import { PAGE_SIZE } from '../mm/constants.js';
import { SimulatedMm } from '../mm/simulated.js';
import type { SimulatedMmHandle } from '../mm/types.js';
import { KERNEL_PARAMS, SimulatedArena } from './simulated-arena.js';
import type { ArenaStats, Slice, SliceAllocator } from './slice-allocator.js';
import { StateAllocator } from './state-allocator.js';

/** Pages of a shared arena, all mapped when it is made. */
export const SHARED_ARENA_PAGES = 32;
/** Slices of a shared arena: 28 per 4 KiB page, so 896. */
export const SHARED_ARENA_SLICES = SHARED_ARENA_PAGES * Math.floor(PAGE_SIZE / STATE_SIZE);

const SLICES_PER_PAGE = SHARED_ARENA_SLICES / SHARED_ARENA_PAGES;
/** Owner map values other than threadId + 1. */
const FREE = 0;
const RELEASING = -1;
/** This thread's mark in the owner map (the main thread's threadId is 0). */
const ME = threadId + 1;
/** What #held maps a slice to once releaseOwn() gave it back: the generator holding it is parked. */
const PARKED = -1;

/** Where slice `index` starts in the mapping: page ⌊index / 28⌋, 144 · (index mod 28) into it. */
const mappingOffset = (index: number) => mathFloor(index / SLICES_PER_PAGE) * PAGE_SIZE + (index % SLICES_PER_PAGE) * STATE_SIZE;

/**
 * A shared arena as it crosses to another thread (structured-cloneable: post it as `workerData`
 * or in a message): the mm holding its mapping, where the mapping is, and its owner map.
 */
export interface SharedArenaHandle {
  /** The sharing thread's simulated mm (SimulatedMm.attach() takes it): holds the arena's mapping. */
  readonly mm: SimulatedMmHandle;
  /** Address of the arena's one mapping of SHARED_ARENA_PAGES pages. */
  readonly addr: number;
  /** One Int32 per slice, page by page: 0 free, −1 being released, else the holder's threadId + 1. */
  readonly owners: SharedArrayBuffer;
  /** One Int32: the arena's reseed counter, which reseed() on any of its threads moves (src/platform/generation-sources.ts). */
  readonly reseeds: SharedArrayBuffer;
}

export class SharedStateAllocator implements SliceAllocator {
  /** The mm holding the arena's mapping (attached: this thread's view of the sharer's mm) and the overflow pages. */
  readonly mm: SimulatedMm;
  readonly addr: number;
  /** The whole mapping (slices at mappingOffset()). */
  readonly #bytes: Uint8Array;
  readonly #owners: Int32Array;
  /** The reseed counter every thread drawing from this arena follows. */
  readonly reseeds: Int32Array;
  // This thread's slices in the arena, to their index (PARKED once releaseOwn() gave them back):
  // release() of anything else must not clear an owner, or two threads would hold one slice.
  readonly #held = new Map<Slice, number>();
  #overflow: StateAllocator | undefined;
  #shared: boolean;
  #poolMm: SimulatedMm | undefined;

  private constructor(mm: SimulatedMm, addr: number, owners: Int32Array, reseeds: Int32Array, shared: boolean) {
    this.mm = mm;
    this.addr = addr;
    this.#bytes = mm.bytes(addr, SHARED_ARENA_PAGES * PAGE_SIZE);
    this.#owners = owners;
    this.reseeds = reseeds;
    this.#shared = shared;
  }

  /** A new arena, its mapping made now in `mm`; no other thread reaches it until share(). */
  static create(mm: SimulatedMm): SharedStateAllocator {
    const { addr } = mm.mmap(SHARED_ARENA_PAGES * PAGE_SIZE, KERNEL_PARAMS.mmapProt, KERNEL_PARAMS.mmapFlags);
    const owners = new I32(newSharedArrayBuffer(SHARED_ARENA_SLICES * 4));
    return new SharedStateAllocator(mm, addr, owners, new I32(newSharedArrayBuffer(4)), false);
  }

  /** The arena of `handle` (from share(), in this or another thread), over the same memory. */
  static attach(handle: SharedArenaHandle): SharedStateAllocator {
    const { mm, addr, owners, reseeds } = handle;
    return new SharedStateAllocator(SimulatedMm.attach(mm), addr, new I32(owners), new I32(reseeds), true);
  }

  /** True once share() made a handle, or if this allocator was attached from one. */
  get shared(): boolean {
    return this.#shared;
  }

  /** States this thread holds in its overflow arena, because every slice here was taken. */
  get overflowStates(): number {
    return this.#overflow?.stats().statesInUse ?? 0;
  }

  /** A handle for attach() in other threads. */
  share(): SharedArenaHandle {
    this.#shared = true;
    const owners = this.#owners.buffer as SharedArrayBuffer;
    return { mm: this.mm.share(), addr: this.addr, owners, reseeds: this.reseeds.buffer as SharedArrayBuffer };
  }

  /**
   * This thread's ID pool page, in a simulated mm of this thread's own (idPoolMm), never in the
   * arena's: that mm reaches every thread that attaches a handle of it, and a drop from another
   * thread zeroes a page slot by slot, in the state's order (src/mm/page.ts), which would zero
   * the pool's generation (at the page's start) last, after bytes a take may already have read.
   * In an mm no other thread holds, a drop runs between two takes, never during one.
   */
  mapIdPoolPage(): Uint8Array {
    this.#poolMm ??= new SimulatedMm();
    return this.#poolMm.mmap(PAGE_SIZE, KERNEL_PARAMS.mmapProt, KERNEL_PARAMS.mmapFlags).bytes;
  }

  /** The mm of this thread's ID pool page, once mapped (for inspection, and tests that drop it). */
  get idPoolMm(): SimulatedMm | undefined {
    return this.#poolMm;
  }

  /**
   * A zeroed slice no other thread or generator holds: the lowest free one that no other thread's
   * slice borders, else the lowest free one, else one from the overflow arena. A 64-byte cache
   * line can hold the ends of two adjacent slices (never more: a slice is 144 bytes), and every
   * call writes `pos` and `in_use` and erases batch bytes, so two threads drawing from adjacent
   * slices keep taking the line from each other (measured on a 2-core machine: two workers on
   * adjacent slices drew 1.05× what one did; apart, 1.67×). Two threads claiming the two sides of a free
   * gap at once may still end up adjacent: that costs speed, never correctness.
   */
  allocate(): Slice {
    const index = this.#claim(true) ?? this.#claim(false);
    if (index === undefined) {
      this.#overflow ??= new StateAllocator(new SimulatedArena(this.mm));
      return this.#overflow.allocate();
    }
    const slice = this.#slice(index);
    this.#held.set(slice, index);
    return slice;
  }

  release(slice: Slice): void {
    const index = this.#held.get(slice);
    if (index === undefined) {
      if (this.#overflow === undefined) throw new RangeError('this state slice is not held from this allocator');
      this.#overflow.release(slice);
      return;
    }
    this.#held.delete(slice);
    if (index !== PARKED) this.#free(index, ME);
  }

  /** The arena's counts, every thread's slices (read from the owner map), plus this thread's overflow arena. */
  stats(): ArenaStats {
    let inUse = 0;
    for (let i = 0; i < SHARED_ARENA_SLICES; i++) if (atomicsLoad(this.#owners, i) !== FREE) inUse++;
    const overflow = this.#overflow?.stats() ?? { pages: 0, statesInUse: 0, statesFree: 0 };
    return {
      pages: SHARED_ARENA_PAGES + overflow.pages,
      statesInUse: inUse + overflow.statesInUse,
      statesFree: SHARED_ARENA_SLICES - inUse + overflow.statesFree,
    };
  }

  /**
   * This thread is ending: gives every slice it holds here back now, zeroed. A generator still
   * holding one is parked first: its state becomes a private one with `in_use` set, which the
   * algorithm sends to the OS on every request (step 3), so a draw from a later 'exit' listener
   * never touches a slice another thread may hold by then (as glibc sends an exiting thread's
   * late calls to the syscall). The overflow arena is this thread's own and goes with it.
   */
  releaseOwn(): void {
    for (const [slice, index] of this.#held) {
      if (index === PARKED) continue;
      const parked = standaloneState();
      parked.bytes[IN_USE_OFFSET] = 1;
      (slice as { view: StateView }).view = parked;
      this.#held.set(slice, PARKED);
      this.#free(index, ME);
    }
  }

  /**
   * Gives back, zeroed, every slice the thread `ended` (a threadId) still holds. Only for a
   * thread that has stopped running (its Worker emitted 'exit'): nobody writes those slices any
   * more. Returns how many.
   */
  releaseThread(ended: number): number {
    let released = 0;
    for (let i = 0; i < SHARED_ARENA_SLICES; i++) {
      if (atomicsLoad(this.#owners, i) === ended + 1 && this.#free(i, ended + 1)) released++;
    }
    return released;
  }

  /**
   * fork(2) of this arena's mm from this thread, which holds `keep`: the child's arena is the
   * child's copy of the mapping (droppable, so wiped) with an owner map of its own in which only
   * `keep`'s counterpart is held, as glibc frees every other thread's state in a fork child;
   * likewise for the overflow arena (`kept` is undefined if `keep` is in neither). The child
   * arena is shared with nobody.
   */
  fork(keep: Slice): { mm: SimulatedMm; allocator: SharedStateAllocator; kept: Slice | undefined } {
    const child = this.mm.fork();
    const owners = new I32(newSharedArrayBuffer(SHARED_ARENA_SLICES * 4));
    const forked = new SharedStateAllocator(child, this.addr, owners, new I32(newSharedArrayBuffer(4)), false);
    let kept: Slice | undefined;
    const index = this.#held.get(keep);
    if (index !== undefined && index !== PARKED) {
      forked.#owners[index] = ME;
      kept = forked.#slice(index);
      forked.#held.set(kept, index);
    }
    if (this.#overflow !== undefined) {
      const overflow = this.#overflow.forkInto(new SimulatedArena(child), keep);
      forked.#overflow = overflow.allocator;
      kept ??= overflow.kept;
    }
    return { mm: child, allocator: forked, kept };
  }

  /** Claims the lowest free slice (`apart`: whose neighbours in its page are free or this thread's). */
  #claim(apart: boolean): number | undefined {
    for (let i = 0; i < SHARED_ARENA_SLICES; i++) {
      if (atomicsLoad(this.#owners, i) !== FREE) continue;
      if (apart && !(this.#noNeighbour(i, i - 1) && this.#noNeighbour(i, i + 1))) continue;
      if (atomicsCompareExchange(this.#owners, i, FREE, ME) === FREE) return i;
    }
    return undefined;
  }

  /** Slice `j` puts no other thread's state next to slice `i`: it is in another page, free, or this thread's. */
  #noNeighbour(i: number, j: number): boolean {
    if (j < 0 || mathFloor(j / SLICES_PER_PAGE) !== mathFloor(i / SLICES_PER_PAGE)) return true;
    const owner = atomicsLoad(this.#owners, j);
    return owner === FREE || owner === ME;
  }

  #slice(index: number): Slice {
    const at = mappingOffset(index);
    const view = stateIn(this.#bytes, at);
    return { pageAddr: this.addr + at - (at % PAGE_SIZE), offset: at % PAGE_SIZE, view };
  }

  /** Gives slice `index` back if `owner` holds it: zeroed before anyone can claim it. */
  #free(index: number, owner: number): boolean {
    if (atomicsCompareExchange(this.#owners, index, owner, RELEASING) !== owner) return false;
    const at = mappingOffset(index);
    fillElements(this.#bytes, 0, at, at + STATE_SIZE);
    atomicsStore(this.#owners, index, FREE);
    return true;
  }
}
