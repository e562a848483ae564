// The module-level getrandom(), reseed() and stats(): this thread's default generator, and the
// process's generation, behind the functions most callers use.

import { announceReseed } from '../arena/backends.js';
import { processGeneration } from '../platform/generation-sources.js';
import { defaultGenerator } from './default-generator.js';
import type { GeneratorStats } from './generator.js';

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
