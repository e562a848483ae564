// Step 2: map the arena and read its VmFlags the way anyone can, from smaps: /proc/self/smaps for
// the addon's real pages, SimulatedMm.smaps() (the same format) for the simulated ones.

import { readFileSync } from 'node:fs';
import type { DemoContext } from './context.js';
import type { ArenaFacts, FlagFacts } from './facts.js';
import { hexAddr, simulatedSlice } from './inspect.js';
import { smapsEntryAt } from './smaps.js';

/** The four flags MAP_DROPPABLE gives a mapping, one line each. */
export const FLAG_MEANINGS: readonly (readonly [FlagFacts['flag'], string])[] = [
  ['dp', 'VM_DROPPABLE: under memory pressure the kernel may zero these pages, dirty or not, instead of swapping them'],
  ['wf', 'VM_WIPEONFORK: a fork child sees these pages zero-filled'],
  ['dd', 'VM_DONTDUMP: core dumps leave these pages out'],
  ['nr', 'VM_NORESERVE: no commit charge and no swap reserved, as nothing here needs saving'],
];

function flagFacts(vmFlags: string[]): FlagFacts[] {
  return FLAG_MEANINGS.map(([flag, meaning]) => ({ flag, present: vmFlags.includes(flag), meaning }));
}

function sentence(where: string, pageAddr: number, flags: FlagFacts[], kernel: string): string {
  const present = flags.filter((f) => f.present).map((f) => f.flag);
  const missing = flags.filter((f) => !f.present).map((f) => f.flag);
  const all = missing.length === 0;
  return (
    `The page at ${hexAddr(pageAddr)} that holds a fresh state lies in a mapping ${where} flags ${present.join(' ') || '(none of them)'}` +
    (all
      ? `: ${kernel} may drop it, wipes it in a fork child, leaves it out of core dumps and reserves nothing for it.`
      : `, without ${missing.join(' ')}${missing.includes('dp') ? `: ${kernel} will not drop it (MAP_DROPPABLE was rejected)` : ''}.`)
  );
}

export function mapArena(ctx: DemoContext): ArenaFacts {
  if (ctx.binding !== null) {
    const binding = ctx.native();
    const slice = binding.allocState();
    try {
      const smaps = readFileSync('/proc/self/smaps', 'utf8');
      const entry = smapsEntryAt(smaps, slice.pageAddr);
      const vmFlags = entry?.vmFlags ?? [];
      const flags = flagFacts(vmFlags);
      const stats = binding.arenaStats();
      return {
        sentence: sentence('that /proc/self/smaps', slice.pageAddr, flags, 'the kernel'),
        source: '/proc/self/smaps',
        pageAddr: slice.pageAddr,
        offset: slice.offset,
        mapping: entry?.header ?? '(not found in /proc/self/smaps)',
        vmFlags,
        flags,
        arenaPages: stats.pages,
        statesInUse: stats.statesInUse,
      };
    } finally {
      binding.freeState(slice.buffer);
    }
  }

  const gen = ctx.generator();
  try {
    const { pageAddr, offset } = simulatedSlice(ctx.mm, gen.state);
    const entry = smapsEntryAt(ctx.mm.smaps(), pageAddr);
    const vmFlags = entry?.vmFlags ?? [];
    const flags = flagFacts(vmFlags);
    const dump = ctx.mm.coredump();
    return {
      sentence: sentence("that the simulated mm's smaps", pageAddr, flags, 'the simulated kernel'),
      source: 'SimulatedMm.smaps()',
      pageAddr,
      offset,
      mapping: entry?.header ?? '(not found)',
      vmFlags,
      flags,
      arenaPages: ctx.mm.mappings().filter((m) => m.flags.droppable).length,
      coredumpHoldsArena: dump.segments.some((s) => s.addr <= pageAddr && pageAddr < s.addr + s.length),
    };
  } finally {
    gen.release();
  }
}
