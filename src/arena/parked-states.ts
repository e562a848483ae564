// The states made while a Node startup snapshot is built (src/platform/snapshot.ts says why):
// parked, private 144-byte buffers with `in_use` set, in no arena page, which the algorithm's
// reentrancy rule sends to the syscall path on every request. Every process restored from the
// snapshot zeroes the ones still held before its main function runs, so each rekeys when next used.

import { wipe } from '../base/views.js';
import { IN_USE_OFFSET, standaloneState } from '../core/state.js';
import { onSnapshotRestore } from '../platform/snapshot.js';
import type { ArenaStats, Slice, SliceAllocator } from './slice-allocator.js';

/** The allocator of the states made while a snapshot is built: parked, private, none in an arena. */
class ParkedStates implements SliceAllocator {
  // Held until released; a restored process zeroes every one of them.
  readonly #held = new Set<Slice>();

  allocate(): Slice {
    const view = standaloneState();
    view.bytes[IN_USE_OFFSET] = 1;
    // In no page: a private buffer of its own, at offset 0.
    const slice: Slice = { pageAddr: 0, offset: 0, view };
    this.#held.add(slice);
    return slice;
  }

  release(slice: Slice): void {
    if (!this.#held.delete(slice)) throw new RangeError('this state slice is not held from this allocator');
    wipe(slice.view.bytes);
  }

  stats(): ArenaStats {
    return { pages: 0, statesInUse: this.#held.size, statesFree: 0 };
  }

  /** Zeroes every held state: `in_use` and the generation clear, so each rekeys when next used. */
  unpark(): void {
    for (const { view } of this.#held) wipe(view.bytes);
  }
}

let parked: ParkedStates | undefined;

/** Where every state made while a snapshot is built comes from; unparked in each restored process. */
export function parkedStates(): SliceAllocator {
  if (parked === undefined) {
    const states = new ParkedStates();
    onSnapshotRestore(() => states.unpark());
    parked = states;
  }
  return parked;
}
