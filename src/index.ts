// vgetrandom: the Linux vDSO getrandom() generator in userspace. Module-level functions are
// served by this thread's default generator, made on first use; createGenerator() makes more.

import { type ArenaStats } from './allocator.js';
import { announceReseed, type Backend, defaultArenaInfo } from './arenas.js';
import { defaultGenerator } from './default.js';
import { type GeneratorStats } from './generator.js';
import { processGeneration } from './generation.js';
import { type VgetrandomParams } from './mm/arena.js';
import { KERNEL_PARAMS } from './mm/simulated-arena.js';
import { loadNative } from './native/binding.js';

export { GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM } from './entropy.js';
export { type Backend } from './arenas.js';
export { createGenerator, type Generator, type GeneratorOptions, type GeneratorStats } from './generator.js';
export * from './node-api.js';
export { ARENA_SLICES, type ArenaHandle, attachArena, shareArena, trackWorker } from './threads.js';
export { useAddonDirectory } from './native/binding.js';

/**
 * Fills `buffer` with random bytes from this thread's generator and returns the count, like
 * getrandom(2).
 * @example getrandom(new Uint8Array(16)) // 16
 */
export function getrandom(buffer: ArrayBufferView, flags?: number): number {
  return defaultGenerator().getrandom(buffer, flags);
}

/**
 * Starts a new generation: every state of a default-generation generator rekeys from the OS
 * before its next output, on every thread of the process where the addon is loaded, and on every
 * thread that draws from this thread's shared simulated arena (shareArena(), attachArena()).
 * @example reseed()
 */
export function reseed(): void {
  processGeneration().bump();
  announceReseed();
}

/**
 * The counters of this thread's default generator.
 * @example stats().rekeys
 */
export function stats(): GeneratorStats {
  return defaultGenerator().stats();
}

/** Where this thread's default states live, and what the kernel offers. */
export interface Info {
  backend: Backend;
  /** Why the native backend is not in use (addon not built, not Linux, VGETRANDOM_NATIVE=0, building a startup snapshot). */
  reason?: string;
  /** The arena's pages are MAP_DROPPABLE (native), or modelled as such (simulated). */
  droppable: boolean;
  /** The kernel's vDSO exports getrandom() (native backend only). */
  vdso: boolean;
  /** The vgetrandom params: state size, mmap prot and flags. */
  params: VgetrandomParams;
  /** The kernel release (native backend). */
  kernel?: string | null;
  /** The arena's VmFlags line from /proc/self/smaps (native backend): `... nr wf dd dp`. */
  vmFlags?: string | null;
  /**
   * Pages and slices of the arena: the whole process's (native), or of every thread drawing from
   * this thread's simulated arena (those it was shared with, or that share it), plus this thread's
   * overflow arena.
   */
  arena: ArenaStats;
  /** Other threads draw from `arena` too: always on the native backend; see shareArena(), attachArena(). */
  arenaShared: boolean;
  /**
   * States this thread holds in an overflow arena of its own, because all ARENA_SLICES slices of
   * its shared simulated arena were taken (0 on the native backend).
   */
  arenaOverflow: number;
}

/**
 * Which backend serves this thread, what the kernel offers, and the arena's counts.
 * @example info().backend // 'native' on Linux 6.11+ with the addon built
 */
export function info(): Info {
  const { arena, shared: arenaShared, overflow: arenaOverflow } = defaultArenaInfo();
  const threads = { arena, arenaShared, arenaOverflow };
  const { binding, reason } = loadNative();
  if (binding !== null) {
    const { droppable, vdso, params, kernel, vmFlags } = binding.info();
    return { backend: 'native', droppable, vdso, params, kernel, vmFlags, ...threads };
  }
  const why = reason === undefined ? {} : { reason };
  return { backend: 'simulated', ...why, droppable: true, vdso: false, params: KERNEL_PARAMS, ...threads };
}
