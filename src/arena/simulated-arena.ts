// The simulated backend's arena: state pages mapped in a SimulatedMm with the params the
// kernel's probe returns, so they are droppable, wiped on fork and left out of core dumps.

import { MAP_ANONYMOUS, MAP_DROPPABLE, PAGE_SIZE, PROT_READ, PROT_WRITE } from '../mm/constants.js';
import type { SimulatedMm } from '../mm/simulated.js';
import type { Arena, ArenaPage, VgetrandomParams } from './arena.js';

/** What the kernel's params probe returns on Linux 6.11+ (lib/vdso/getrandom.c). */
export const KERNEL_PARAMS: VgetrandomParams = Object.freeze({
  sizeOfOpaqueState: 144,
  mmapProt: PROT_READ | PROT_WRITE,
  mmapFlags: MAP_DROPPABLE | MAP_ANONYMOUS,
});

export class SimulatedArena implements Arena {
  readonly pageSize = PAGE_SIZE;
  readonly params = KERNEL_PARAMS;
  readonly mm: SimulatedMm;

  constructor(mm: SimulatedMm) {
    this.mm = mm;
  }

  mapPage(): ArenaPage {
    const { addr, bytes } = this.mm.mmap(PAGE_SIZE, this.params.mmapProt, this.params.mmapFlags);
    return { addr, bytes };
  }

  /** The page mapped at `addr` (after a fork: the child's copy of a parent's page). */
  pageAt(addr: number): ArenaPage {
    return { addr, bytes: this.mm.bytes(addr, PAGE_SIZE) };
  }

  /** The arena of a child forked from this mm: same pages, same addresses, child contents. */
  fork(): SimulatedArena {
    return new SimulatedArena(this.mm.fork());
  }
}
