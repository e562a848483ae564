// Carves 144-byte state slices out of arena pages, the way glibc's and Go's vgetrandom
// allocators do: a slice never straddles a page (28 per 4 KiB page, the rest of the page
// unused), the arena grows by whole pages, a free list hands each generator its own slice,
// and a released slice is zeroed before anyone can get it again.

import { mathFloor } from '../base/intrinsics.js';
import { wipe } from '../base/views.js';
import { STATE_SIZE, stateIn } from '../core/state.js';
import type { Arena, ArenaPage } from './arena.js';
import type { ArenaStats, Slice, SliceAllocator } from './slice-allocator.js';

export class StateAllocator implements SliceAllocator {
  readonly arena: Arena;
  readonly #pages: ArenaPage[] = [];
  // LIFO: the most recently released (zeroed) slice is reused first, keeping few pages hot.
  readonly #free: Slice[] = [];
  // Slices handed out: release() of anything else (a double release) must not reach the free
  // list, or two generators would be handed one state.
  readonly #held = new Set<Slice>();

  constructor(arena: Arena) {
    if (arena.params.sizeOfOpaqueState !== STATE_SIZE) {
      // The algorithm is written for the kernel's 144-byte layout; a different size means a
      // kernel whose state we do not know how to drive.
      throw new RangeError(`unsupported vgetrandom state size ${arena.params.sizeOfOpaqueState}`);
    }
    this.arena = arena;
  }

  /** States that fit in one page without straddling its end. */
  get statesPerPage(): number {
    return mathFloor(this.arena.pageSize / STATE_SIZE);
  }

  allocate(): Slice {
    if (this.#free.length === 0) this.#grow();
    const slice = this.#free.pop()!;
    this.#held.add(slice);
    return slice;
  }

  release(slice: Slice): void {
    if (!this.#held.delete(slice)) throw new RangeError('this state slice is not held from this allocator');
    wipe(slice.view.bytes);
    this.#free.push(slice);
  }

  stats(): ArenaStats {
    return { pages: this.#pages.length, statesInUse: this.#held.size, statesFree: this.#free.length };
  }

  /**
   * The allocator of a forked child whose arena is `child` (the same pages at the same
   * addresses, as the child sees them). Only the forking generator's slice `keep` stays in
   * use (`kept`, its counterpart in the child; undefined if `keep` is not from this allocator):
   * every other slice belonged to a thread or generator the child does not have, so it goes
   * back on the free list, as glibc does after fork. Keeping them "in use" would leak them;
   * handing `keep` out again would give two generators one state.
   */
  forkInto(child: Arena & { pageAt(addr: number): ArenaPage }, keep: Slice): { allocator: StateAllocator; kept: Slice | undefined } {
    const forked = new StateAllocator(child);
    let kept: Slice | undefined;
    for (const page of this.#pages) {
      const childPage = child.pageAt(page.addr);
      forked.#pages.push(childPage);
      for (const slice of forked.#carve(childPage)) {
        if (slice.pageAddr === keep.pageAddr && slice.offset === keep.offset) kept = slice;
        else forked.#free.push(slice);
      }
    }
    if (kept !== undefined) forked.#held.add(kept);
    return { allocator: forked, kept };
  }

  #grow(): void {
    const page = this.arena.mapPage();
    this.#pages.push(page);
    // Reversed so that pop() hands out the page's slices in address order.
    this.#free.push(...this.#carve(page).reverse());
  }

  #carve(page: ArenaPage): Slice[] {
    const slices: Slice[] = [];
    for (let i = 0; i < this.statesPerPage; i++) {
      const offset = i * STATE_SIZE;
      slices.push({ pageAddr: page.addr, offset, view: stateIn(page.bytes, offset) });
    }
    return slices;
  }
}
