// Step 5: fork. The addon forks this process for real and the child reads a live state's page
// (wipe-on-fork: all zero) while the parent's is untouched; ordinary memory is the control. Then
// generator.fork() does the same on the simulated mm, where the child's generator can be driven:
// its zeroed state rekeys, so parent and child never share output.

import type { DemoContext } from './context.js';
import type { ForkFacts } from './facts.js';
import { isZero } from './inspect.js';

export function fork(ctx: DemoContext): ForkFacts {
  let native: ForkFacts['native'] = null;
  if (ctx.binding !== null) {
    const binding = ctx.native();
    const gen = ctx.generator('native');
    try {
      gen.fill(new Uint8Array(40));
      const probe = binding.forkProbe(gen.state);
      const control = binding.forkProbe(new Uint8Array(144).fill(0x42));
      native = { ...probe, control };
    } finally {
      ctx.finish('fork(2) probe (step 5)', 'native', gen);
    }
  }

  const parent = ctx.generator('simulated');
  let simulated: ForkFacts['simulated'];
  try {
    parent.fill(new Uint8Array(40));
    const before = parent.state.slice();
    const child = parent.fork();
    try {
      const childStateZero = isZero(child.generator.state);
      const parentIntact = Buffer.from(before).equals(parent.state);
      before.fill(0);
      const fromChild = child.generator.fill(new Uint8Array(32));
      const fromParent = parent.fill(new Uint8Array(32));
      simulated = {
        childStateZero,
        parentIntact,
        childRekeys: child.generator.stats().rekeys,
        outputsDiffer: !Buffer.from(fromChild).equals(fromParent),
      };
    } finally {
      ctx.finish('simulated fork child (step 5)', 'simulated', child.generator);
    }
  } finally {
    ctx.finish('simulated fork parent (step 5)', 'simulated', parent);
  }

  const real =
    native === null
      ? 'No real fork(2) on the simulated backend'
      : `A real fork(2) child read a live state as ${native.childSawZero ? 'all zero' : 'NOT zero'} while the parent's stayed ${native.parentIntact ? 'intact' : 'CHANGED'} (ordinary memory, the control, was ${native.control.childSawZero ? 'zero too' : 'copied'})`;
  const sim =
    `generator.fork() on the simulated mm gave a child whose state was ${simulated.childStateZero ? 'all zero' : 'NOT zero'}, ` +
    `so it rekeyed (${simulated.childRekeys}) and its output ${simulated.outputsDiffer ? 'differs from' : 'EQUALS'} the parent's`;
  return { sentence: `${real}; ${sim}.`, native, simulated };
}
