// vgetrandom: the Linux vDSO getrandom() generator in userspace. Module-level functions are
// served by a lazily created default generator; createGenerator() makes more.

import { createGenerator, type Generator, processGeneration } from './generator.js';

export { GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM } from './entropy.js';
export { createGenerator, type Generator, type GeneratorOptions, type GeneratorStats } from './generator.js';

let defaultGenerator: Generator | undefined;

/**
 * Fills `buffer` with random bytes from this thread's generator and returns the count, like
 * getrandom(2).
 * @example getrandom(new Uint8Array(16)) // 16
 */
export function getrandom(buffer: ArrayBufferView, flags?: number): number {
  defaultGenerator ??= createGenerator();
  return defaultGenerator.getrandom(buffer, flags);
}

/** Starts a new generation: every default-generation state rekeys before its next output. */
export function reseed(): void {
  processGeneration.bump();
}
