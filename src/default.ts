// This thread's default generator, made on first use. Every module-level function draws from it.

import { createGenerator, type Generator } from './generator.js';

let generator: Generator | undefined;

/** The calling thread's default generator (each worker thread has its own module instance). */
export function defaultGenerator(): Generator {
  generator ??= createGenerator();
  return generator;
}
