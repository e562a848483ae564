// Step 3: draw bytes and watch the state: a new state is zero (generation 0, so it rekeys), the
// first draw fetches a key for the current generation and refills the batch, and every byte
// handed out is zeroed in the batch, so `pos` marks the end of a run of zeros.

import { KEY_OFFSET, KEY_SIZE } from '../core/state.js';
import type { DemoContext } from './context.js';
import type { DrawFacts } from './facts.js';
import { snapshot } from './inspect.js';

export const DRAWS = [16, 24] as const;

export function draw(ctx: DemoContext): DrawFacts {
  const gen = ctx.generator();
  try {
    const state = gen.state;
    const snapshots = [snapshot('new', state)];
    let keyBefore = new Uint8Array(0);
    for (const n of DRAWS) {
      keyBefore = state.slice(KEY_OFFSET, KEY_OFFSET + KEY_SIZE);
      gen.getrandom(new Uint8Array(n));
      snapshots.push(snapshot(`after ${n} B`, state));
    }
    const keyUnchangedByLastDraw = Buffer.from(keyBefore).equals(state.subarray(KEY_OFFSET, KEY_OFFSET + KEY_SIZE));
    keyBefore.fill(0);
    const [fresh, first, last] = snapshots as [(typeof snapshots)[0], (typeof snapshots)[0], (typeof snapshots)[0]];
    const sentence =
      `A new state is all zero (generation ${fresh.generation}, so its first draw must rekey); drawing ${DRAWS[0]} B fetched a key ` +
      `for generation ${first.generation}, refilled the batch and zeroed the ${first.pos} bytes it handed out (pos ${first.pos}); ` +
      `${DRAWS[1]} B more came from the same batch${keyUnchangedByLastDraw ? ' with the key untouched' : ''} (pos ${last.pos}).`;
    return { sentence, backend: ctx.backend, draws: [...DRAWS], snapshots, keyUnchangedByLastDraw };
  } finally {
    ctx.finish('draw (step 3)', ctx.backend, gen);
  }
}
