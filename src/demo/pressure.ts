// Step 4: memory pressure. The kernel drops a state's page (it reads back as zero); the
// generator notices (the generation it reads no longer matches, so it rekeys) and its output
// stays sound. On the native backend the kernel's own reclaim does it: madvise(MADV_PAGEOUT) on
// the page, and where root and a v1 memory cgroup allow, memory.force_empty of a child's cgroup.
// On the simulated backend, SimulatedMm.reclaim() does the same to the simulated pages.

import { cgroupDrop } from './cgroup.js';
import type { DemoContext } from './context.js';
import { AFTER_BYTES, observe, prime } from './drop.js';
import type { DropFacts, PressureFacts } from './facts.js';

function describe(d: DropFacts): string {
  const zero = d.stateZeroAfterDrop ? 'read back all zero' : 'did NOT read back as zero';
  const rekeyed =
    d.rekeysAfter > d.rekeysBefore ? `rekeyed (rekeys ${d.rekeysBefore} → ${d.rekeysAfter})` : `did NOT rekey (rekeys ${d.rekeysAfter})`;
  const sound = d.outputNonZero && !d.zeroKeyKeystream ? 'sound (no zero run, no zero-key keystream)' : 'NOT sound';
  return `after ${d.method} the state ${zero}, the generator ${rekeyed}, and its next ${d.outputBytes} B were ${sound}`;
}

export async function pressure(ctx: DemoContext): Promise<PressureFacts> {
  const drops: DropFacts[] = [];
  let cgroup: PressureFacts['cgroup'];

  // On a kernel that rejected MAP_DROPPABLE the arena is ordinary private memory: MADV_PAGEOUT
  // or a cgroup reclaim would not drop it but could write it, key and all, to swap. Not here.
  const droppable = ctx.binding !== null && ctx.native().info().droppable;
  if (droppable) {
    const binding = ctx.native();
    const gen = ctx.generator('native');
    try {
      const primed = prime(gen);
      binding.pageout(gen.state); // what NativeAllocator.drop(slice) does
      drops.push({ method: 'madvise(MADV_PAGEOUT)', where: 'this process', ...observe(gen, primed) });
    } finally {
      ctx.finish('MADV_PAGEOUT (step 4)', 'native', gen);
    }
    const result = await cgroupDrop();
    if ('reason' in result) {
      cgroup = { ran: false, reason: result.reason };
    } else {
      cgroup = { ran: true };
      drops.push(result.facts);
      ctx.record('force_empty child (step 4)', 'native', { stats: () => result.stats });
    }
  } else {
    const gen = ctx.generator('simulated');
    try {
      const primed = prime(gen);
      const pagesDropped = ctx.mm.reclaim();
      drops.push({ method: 'SimulatedMm.reclaim()', where: 'the simulated mm', pagesDropped, ...observe(gen, primed) });
    } finally {
      ctx.finish('reclaim() (step 4)', 'simulated', gen);
    }
    cgroup = { ran: false, reason: ctx.binding === null ? 'simulated backend' : 'the arena is not droppable on this kernel' };
  }

  const good = (d: DropFacts) => d.stateZeroAfterDrop && d.rekeysAfter > d.rekeysBefore && d.outputNonZero && !d.zeroKeyKeystream;
  const who = droppable
    ? "The kernel's own reclaim"
    : ctx.binding !== null
      ? 'This kernel rejected MAP_DROPPABLE, so its arena is not droppable and the demo will not page it out (to swap); simulated memory pressure instead'
      : 'Simulated memory pressure (not the real kernel)';
  const methods = drops.map((d) => d.method).join(', then ');
  const what = drops.every(good)
    ? `dropped a live state's page ${drops.length === 1 ? '' : drops.length === 2 ? 'twice ' : `${drops.length} times `}(${methods}): ` +
      `${drops.length === 1 ? '' : 'each time '}the state read back all zero, the generator noticed and rekeyed, and its next ${AFTER_BYTES} B were sound`
    : `hit a live state's page: ${drops.map(describe).join('; ')}`;
  const skipped = cgroup.ran || !droppable ? '' : ` (no cgroup reclaim: ${cgroup.reason})`;
  const sentence = `${who} ${what}${skipped}.`;
  return { sentence, backend: ctx.backend, drops, cgroup };
}
