// Which arena a generator's state comes from: the native addon's process-wide droppable pages,
// a caller's simulated mm, or this thread's default simulated mm (parked states instead while a
// startup snapshot is built: src/snapshot.ts). One allocator per arena, so that every generator
// on it draws from the same free list and no two share a slice.

import { type Slice, type SliceAllocator, StateAllocator } from './allocator.js';
import { invalidArgValue, invalidState } from './errors.js';
import { NativeAllocator } from './mm/native.js';
import { SimulatedArena } from './mm/simulated-arena.js';
import { SimulatedMm } from './mm/simulated.js';
import { loadNative } from './native/binding.js';
import { isBuildingSnapshot, parkedStates } from './snapshot.js';

/** Where states live: real MAP_DROPPABLE pages (Linux, addon built) or the simulated mm. */
export type Backend = 'native' | 'simulated';

const allocators = new WeakMap<SimulatedMm, StateAllocator>();
let defaultMm: SimulatedMm | undefined;
let nativeAllocator: NativeAllocator | undefined;

/** This thread's simulated mm, made on first use. */
export function threadMm(): SimulatedMm {
  defaultMm ??= new SimulatedMm();
  return defaultMm;
}

function simulatedAllocator(mm: SimulatedMm): StateAllocator {
  let allocator = allocators.get(mm);
  if (allocator === undefined) {
    allocator = new StateAllocator(new SimulatedArena(mm));
    allocators.set(mm, allocator);
  }
  return allocator;
}

/**
 * This thread's simulated states: its mm's arena, or the parked states while a startup snapshot
 * is built (there is no SharedArrayBuffer then to map a page with).
 */
function threadSimulatedAllocator(): SliceAllocator {
  return isBuildingSnapshot() ? parkedStates() : simulatedAllocator(threadMm());
}

/** This thread's view of the addon's arena; throws ERR_INVALID_STATE with the reason if absent. */
function nativeAllocatorOf(): NativeAllocator {
  nativeAllocator ??= new NativeAllocator();
  return nativeAllocator;
}

/** The backend used when a generator names none: native where the addon loads, else simulated. */
export function defaultBackend(): Backend {
  return loadNative().binding === null ? 'simulated' : 'native';
}

/** The allocator for a generator created with `options`. */
export function allocatorFor(options: { backend?: unknown; mm?: unknown }): SliceAllocator {
  const { mm } = options;
  if (mm !== undefined && !(mm instanceof SimulatedMm)) throw invalidArgValue('options.mm', mm, 'must be a SimulatedMm');
  const backend = options.backend ?? (mm === undefined ? defaultBackend() : 'simulated');
  if (backend === 'native') {
    if (mm !== undefined) throw invalidArgValue('options.mm', mm, "cannot be given with backend 'native'");
    return nativeAllocatorOf();
  }
  if (backend !== 'simulated') throw invalidArgValue('options.backend', backend, "must be 'native' or 'simulated'");
  return mm === undefined ? threadSimulatedAllocator() : simulatedAllocator(mm);
}

/** Counts of the arena that default generators of this thread use. */
export function defaultArenaStats() {
  return defaultBackend() === 'native' ? nativeAllocatorOf().stats() : threadSimulatedAllocator().stats();
}

/**
 * fork(2) of the mm that holds `slice`, from the thread that owns it: the child's allocator
 * keeps that one slice in use and frees every other.
 */
export function forkArena(allocator: SliceAllocator, slice: Slice): { mm: SimulatedMm; allocator: StateAllocator; kept: Slice } {
  if (!(allocator instanceof StateAllocator && allocator.arena instanceof SimulatedArena)) {
    throw invalidState('fork() needs a generator on the simulated backend');
  }
  const child = allocator.arena.fork();
  const forked = allocator.forkInto(child, slice);
  allocators.set(child.mm, forked.allocator);
  return { mm: child.mm, ...forked };
}
