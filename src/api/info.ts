// info(): which backend serves this thread, what the kernel offers, and the counts of the arena
// this thread's default states live in.

import type { VgetrandomParams } from '../arena/arena.js';
import { type Backend, defaultArenaInfo } from '../arena/backends.js';
import { KERNEL_PARAMS } from '../arena/simulated-arena.js';
import type { ArenaStats } from '../arena/slice-allocator.js';
import { type KernelGenerationMode, loadNative } from '../platform/addon/binding.js';

/** Where this thread's default states live, and what the kernel offers. */
export interface Info {
  backend: Backend;
  /** Why the native backend is not in use (addon not built, not Linux, VGETRANDOM_NATIVE=0, building a startup snapshot). */
  reason?: string;
  /** The arena's pages are MAP_DROPPABLE (native), or modelled as such (simulated). */
  droppable: boolean;
  /** The kernel's vDSO exports getrandom() (native backend only). */
  vdso: boolean;
  /**
   * How the kernel's CRNG generation (moved by every kernel reseed, RNDRESEEDCRNG, VM fork or
   * snapshot restore, resume) reaches this thread's default states: `mapped`, read where the
   * kernel keeps it at every draw, so the very next draw rekeys; `polled`, every 20 ms; `none`,
   * not followed (the simulated backend, or no vDSO getrandom): only the 60 s expiry and reseed().
   */
  kernelGeneration: KernelGenerationMode;
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
    const { droppable, vdso, kernelGeneration, params, kernel, vmFlags } = binding.info();
    return { backend: 'native', droppable, vdso, kernelGeneration, params, kernel, vmFlags, ...threads };
  }
  const why = reason === undefined ? {} : { reason };
  return { backend: 'simulated', ...why, droppable: true, vdso: false, kernelGeneration: 'none', params: KERNEL_PARAMS, ...threads };
}
