// Node startup snapshots (`node --build-snapshot`). A process started from a snapshot begins with a
// copy of the heap of the process that built it, so a state captured there would hand every such
// process the same bytes (Node 20's own randomUUID and randomInt caches do exactly that). This
// module keeps that from happening to ours.
//
// While a snapshot is built there is no SharedArrayBuffer and no Atomics (Node 20 turns both off)
// and the addon cannot be loaded, so no arena can map a page and the algorithm's final check
// (an Atomics.load) cannot run. Every state made then is therefore *parked*
// (src/arena/parked-states.ts): a private 144-byte buffer with `in_use` set, which the
// algorithm's reentrancy rule (step 3) sends to the syscall path on every request, so no state
// holds a key while the snapshot is built. Every process restored from the snapshot, before its
// main function runs, runs the restore hooks registered here (onSnapshotRestore), which:
// - zero each parked state still held, clearing `in_use` and the generation: its generator
//   rekeys from this process's OS on its next request, and the algorithm runs from then on;
// - move every generation made while building on (each source hands itself to bumpOnRestore):
//   every state, wherever it lives, rekeys, and every key interval restarts (a deadline from the
//   build, on a clock of the building process, would say nothing about how long ago a restored
//   process's key was fetched);
// - release the default generator made while building, so the restored process makes its own.
// Nothing the build learnt about the addon is kept either (loadNative and osSyscall do not cache
// "no addon" while building), so a restored process loads the addon and puts its new states on
// the native backend like any other; generators made while building keep their private states.
//
// This module imports nothing of the library: the layers above register with it, so that the
// addon's loader, the generation sources and the arenas can all ask whether a snapshot is built.
// A runtime without `v8.startupSnapshot`, or whose stub of it throws, is never building one.

import v8 from 'node:v8';

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

/**
 * What bumpOnRestore() is handed: a generation, whichever source keeps it. This module knows no
 * more of it than this (the sources import it, not the other way round).
 */
export interface Bumpable {
  /** Moves to a new generation now: every state under it rekeys before its next output. */
  bump(): void;
}

// Every generation made while the snapshot is built, held weakly (a collected one has no state
// left to rekey) and pruned when collected, so the set never outgrows the live generations.
const generations = new Set<WeakRef<Bumpable>>();
const collected = new FinalizationRegistry<WeakRef<Bumpable>>((ref) => generations.delete(ref));
let bumping = false;

/** While a snapshot is built: `generation` moves on in every process restored from it. */
export function bumpOnRestore(generation: Bumpable): void {
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
