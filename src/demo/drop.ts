// One drop, seen from the generator: draw so the state holds a key, let something drop its page,
// then look at the state and draw again. Used in this process (MADV_PAGEOUT, the simulated
// reclaim) and in the cgroup child (memory.force_empty from outside).

import type { Generator } from '../index.js';
import type { DropFacts } from './facts.js';
import { checkOutput, generationOf, isZero } from './inspect.js';

export const PRIME_BYTES = 40;
export const AFTER_BYTES = 64;

export interface Primed {
  generationBefore: number;
  rekeysBefore: number;
}

/** Draws so the state holds a key and a partly used batch. */
export function prime(gen: Generator): Primed {
  gen.fill(new Uint8Array(PRIME_BYTES));
  return { generationBefore: generationOf(gen.state), rekeysBefore: gen.stats().rekeys };
}

/** After the drop: is the state zero, did the next draw rekey, and is its output sound? */
export function observe(gen: Generator, primed: Primed): Omit<DropFacts, 'method' | 'where'> {
  const stateZeroAfterDrop = isZero(gen.state);
  const out = gen.fill(new Uint8Array(AFTER_BYTES));
  return { ...primed, stateZeroAfterDrop, rekeysAfter: gen.stats().rekeys, outputBytes: out.length, ...checkOutput(out) };
}
