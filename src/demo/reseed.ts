// Step 6: the kernel reseeds. RNDRESEEDCRNG (root) makes the kernel reseed its CRNG and move its
// generation, as every periodic reseed, VM fork or snapshot restore (vmgenid) and resume does; a
// native generator's next draw rekeys, at once where the kernel's generation is mapped (read
// where the kernel keeps it), within the poll interval where it is polled. The simulated backend
// does not follow the kernel, and without root the kernel refuses the reseed: the step says so.

import type { DemoContext } from './context.js';
import type { ReseedFacts } from './facts.js';

/** How long the step waits, drawing, for the rekey in polled mode: many poll intervals. */
const POLL_WAIT_MS = 2000;

export async function reseed(ctx: DemoContext): Promise<ReseedFacts> {
  if (ctx.binding === null) {
    return {
      sentence: 'The simulated backend does not follow the kernel’s CRNG generation (no kernel is involved).',
      mode: 'none',
      ran: false,
    };
  }
  const binding = ctx.native();
  const { mode, pollMs } = binding.kernelGeneration();
  const how =
    mode === 'mapped'
      ? 'read where the kernel keeps it, at every draw'
      : mode === 'polled'
        ? `polled every ${pollMs} ms`
        : 'not followed (no vDSO getrandom)';
  if (process.getuid?.() !== 0) {
    return {
      sentence: `The kernel’s CRNG generation is ${how}; reseeding the kernel (RNDRESEEDCRNG) needs root, so this step did not.`,
      mode,
      ran: false,
    };
  }
  const gen = ctx.generator('native');
  try {
    const buf = new Uint8Array(16);
    gen.getrandom(buf);
    const rekeysBefore = gen.stats().rekeys;
    const kernelBefore = binding.kernelGeneration().now;
    binding.kernelReseed();
    const kernelAfter = binding.kernelGeneration().now;
    gen.getrandom(buf);
    const nextDrawRekeyed = gen.stats().rekeys > rekeysBefore;
    const start = performance.now();
    while (gen.stats().rekeys === rekeysBefore && performance.now() - start < POLL_WAIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      gen.getrandom(buf);
    }
    const rekeysAfter = gen.stats().rekeys;
    const waitedMs = Math.round(performance.now() - start);
    const when = nextDrawRekeyed
      ? 'the very next draw rekeyed'
      : rekeysAfter > rekeysBefore
        ? `a draw ${waitedMs} ms later rekeyed`
        : 'NO draw rekeyed';
    const sentence = `The kernel reseeded its CRNG (generation ${kernelBefore} → ${kernelAfter}); its generation is ${how}, so ${when}.`;
    return { sentence, mode, ran: true, kernelBefore, kernelAfter, rekeysBefore, rekeysAfter, nextDrawRekeyed };
  } finally {
    ctx.finish('kernel reseed (step 6)', 'native', gen);
  }
}
