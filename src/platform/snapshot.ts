// Node startup snapshots (`node --build-snapshot`). A process started from a snapshot begins with a
// copy of the heap of the process that built it, so a state captured there would hand every such
// process the same bytes (Node 20's own randomUUID and randomInt caches do exactly that). This
// module keeps that from happening to ours.
//
// While a snapshot is built there is no SharedArrayBuffer and no Atomics (Node 20 turns both off)
// and the addon cannot be loaded, so no arena can map a page and the algorithm's final check
// (an Atomics.load) cannot run. Every state made then is therefore *parked*: a private 144-byte
// buffer with `in_use` set, which the algorithm's reentrancy rule (step 3) sends to the syscall
// path on every request, so no state holds a key while the snapshot is built. Every process
// restored from the snapshot, before its main function runs:
// - zeroes each parked state still held, clearing `in_use` and the generation: its generator
//   rekeys from this process's OS on its next request, and the algorithm runs from then on;
// - moves every Generation made while building on: every state, wherever it lives, rekeys, and
//   every key interval restarts (a deadline from the build, on a clock of the building process,
//   would say nothing about how long ago a restored process's key was fetched);
// - runs the restore hooks of other modules (onSnapshotRestore): the default generator made while
//   building is released, so the restored process makes its own.
// Nothing the build learnt about the addon is kept either (loadNative and osSyscall do not cache
// "no addon" while building), so a restored process loads the addon and puts its new states on
// the native backend like any other; generators made while building keep their private states.
//
// A runtime without `v8.startupSnapshot`, or whose stub of it throws, is never building one.

import v8 from 'node:v8';
import type { ArenaStats, Slice, SliceAllocator } from '../arena/slice-allocator.js';
import type { Generation } from './generation-sources.js';
import { IN_USE_OFFSET, standaloneState } from '../core/state.js';
import { wipe } from '../base/views.js';

/**
 * True while this process builds a startup snapshot. The one probe of `v8.startupSnapshot`:
 * `v8` is read when called (not bound at import), so a runtime that lacks the API, or patches in
 * a stub that throws, imports the library and gets false.
 */
export function isBuildingSnapshot(): boolean {
  try {
    // Node 20 answers 1 or 0, not a boolean.
    return Boolean(v8.startupSnapshot.isBuildingSnapshot());
  } catch {
    return false;
  }
}

/**
 * While a snapshot is built: runs `restore` in every process started from it, before its main
 * function, in the order registered. Otherwise does nothing.
 */
export function onSnapshotRestore(restore: () => void): void {
  if (isBuildingSnapshot()) v8.startupSnapshot.addDeserializeCallback(restore);
}

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

// Every Generation made while the snapshot is built, held weakly (a collected one has no state
// left to rekey) and pruned when collected, so the set never outgrows the live generations.
const generations = new Set<WeakRef<Generation>>();
const collected = new FinalizationRegistry<WeakRef<Generation>>((ref) => generations.delete(ref));
let bumping = false;

/** While a snapshot is built: `generation` moves on in every process restored from it. */
export function bumpOnRestore(generation: Generation): void {
  if (!isBuildingSnapshot()) return;
  if (!bumping) {
    onSnapshotRestore(() => {
      for (const ref of generations) ref.deref()?.bump();
    });
    bumping = true;
  }
  const ref = new WeakRef(generation);
  generations.add(ref);
  collected.register(generation, ref);
}
