// Which arena a generator's state comes from: the native addon's process-wide droppable pages,
// a caller's simulated mm, or this thread's default simulated arena (parked states instead while
// a startup snapshot is built: src/arena/parked-states.ts). One allocator per arena, so that
// every generator on it draws from the same free list and no two share a slice. The default
// simulated arena is a shared one (src/arena/shared-state-allocator.ts): this thread's own, made
// on first use, unless it attached another thread's handle first, so that threads can draw from
// one arena there too.

import { invalidArgValue, invalidState } from '../base/errors.js';
import { atomicsAdd } from '../base/intrinsics.js';
import { SimulatedMm } from '../mm/simulated.js';
import { loadNative } from '../platform/addon/binding.js';
import { followReseeds } from '../platform/generation-sources.js';
import { isBuildingSnapshot } from '../platform/snapshot.js';
import { NativeAllocator } from './native-allocator.js';
import { parkedStates } from './parked-states.js';
import { type SharedArenaHandle, SharedStateAllocator } from './shared-state-allocator.js';
import { SimulatedArena } from './simulated-arena.js';
import type { ArenaStats, Slice, SliceAllocator } from './slice-allocator.js';
import { StateAllocator } from './state-allocator.js';

/** Where states live: real MAP_DROPPABLE pages (Linux, addon built) or the simulated mm. */
export type Backend = 'native' | 'simulated';

/** The allocator of each simulated mm: a caller's (a StateAllocator), or a fork child's. */
const allocators = new WeakMap<SimulatedMm, StateAllocator | SharedStateAllocator>();
let threadArena: SharedStateAllocator | undefined;
let nativeAllocator: NativeAllocator | undefined;

function simulatedAllocator(mm: SimulatedMm): StateAllocator | SharedStateAllocator {
  let allocator = allocators.get(mm);
  if (allocator === undefined) {
    allocator = new StateAllocator(new SimulatedArena(mm));
    allocators.set(mm, allocator);
  }
  return allocator;
}

/** This thread's default simulated arena: attached from a handle, else its own, made now. */
function defaultSimulatedArena(): SharedStateAllocator {
  return threadArena ?? adoptThreadArena(SharedStateAllocator.create(new SimulatedMm()));
}

/** Makes `arena` this thread's default simulated arena; a reseed() on any of its threads reaches this one. */
function adoptThreadArena(arena: SharedStateAllocator): SharedStateAllocator {
  threadArena = arena;
  followReseeds(arena.reseeds);
  return arena;
}

/**
 * This thread's simulated states: its default arena, or the parked states while a startup
 * snapshot is built (there is no SharedArrayBuffer then to map a page with).
 */
function threadSimulatedAllocator(): SliceAllocator {
  return isBuildingSnapshot() ? parkedStates() : defaultSimulatedArena();
}

/** Once other threads can hold slices of `arena`, this thread gives its own back when it exits. */
function releaseOwnAtExit(arena: SharedStateAllocator): void {
  process.once('exit', () => arena.releaseOwn());
}

/** A handle to this thread's default simulated arena, for attachThreadArena() in other threads. */
export function shareThreadArena(): SharedArenaHandle {
  if (isBuildingSnapshot()) throw invalidState('no arena can be shared while a startup snapshot is built');
  const arena = defaultSimulatedArena();
  if (!arena.shared) releaseOwnAtExit(arena);
  return arena.share();
}

/** Makes `handle`'s arena this thread's default simulated arena; only before this thread has one. */
export function attachThreadArena(handle: SharedArenaHandle): void {
  if (threadArena !== undefined) {
    throw invalidState('this thread already has its simulated arena: attach before its first simulated state and before shareArena()');
  }
  releaseOwnAtExit(adoptThreadArena(SharedStateAllocator.attach(handle)));
}

/**
 * Moves the reseed counter of this thread's shared simulated arena on, if it has one: every
 * thread drawing from that arena on the simulated backend rekeys before its next output.
 */
export function announceReseed(): void {
  if (threadArena !== undefined) atomicsAdd(threadArena.reseeds, 0, 1);
}

/** Gives back the slices that thread `ended`, now stopped, held in this thread's default simulated arena. */
export function releaseEndedThread(ended: number): number {
  return threadArena?.releaseThread(ended) ?? 0;
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

/** The arena default generators of this thread use on `backend`, as info() reports it. */
export interface DefaultArenaInfo {
  /** Its counts: the whole process's on the native backend and in a shared simulated arena. */
  arena: ArenaStats;
  /** Other threads draw from it too (native: always). */
  shared: boolean;
  /** States this thread holds in its overflow arena because the shared one was full (native: 0). */
  overflow: number;
}

/** The arena that default generators of this thread use on `backend` (not made if there is none yet). */
export function defaultArenaInfo(backend: Backend = defaultBackend()): DefaultArenaInfo {
  if (backend === 'native') return { arena: nativeAllocatorOf().stats(), shared: true, overflow: 0 };
  if (isBuildingSnapshot()) return { arena: parkedStates().stats(), shared: false, overflow: 0 };
  if (threadArena === undefined) return { arena: { pages: 0, statesInUse: 0, statesFree: 0 }, shared: false, overflow: 0 };
  return { arena: threadArena.stats(), shared: threadArena.shared, overflow: threadArena.overflowStates };
}

/**
 * fork(2) of the mm that holds `slice`, from the thread that owns it: the child's allocator
 * keeps that one slice in use and frees every other.
 */
export function forkArena(allocator: SliceAllocator, slice: Slice): { mm: SimulatedMm; allocator: SliceAllocator; kept: Slice } {
  let child: { mm: SimulatedMm; allocator: StateAllocator | SharedStateAllocator; kept: Slice | undefined };
  if (allocator instanceof SharedStateAllocator) {
    child = allocator.fork(slice);
  } else if (allocator instanceof StateAllocator && allocator.arena instanceof SimulatedArena) {
    const arena = allocator.arena.fork();
    child = { mm: arena.mm, ...allocator.forkInto(arena, slice) };
  } else {
    throw invalidState('fork() needs a generator on the simulated backend');
  }
  const { mm, allocator: forked, kept } = child;
  if (kept === undefined) throw new RangeError('the forking slice is not in this arena');
  allocators.set(mm, forked);
  return { mm, allocator: forked, kept };
}
