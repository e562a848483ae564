// This thread's default generator, made on first use. Every module-level function draws from it.

import { onSnapshotRestore } from '../platform/snapshot.js';
import { createGenerator, type Generator } from './generator.js';

let generator: Generator | undefined;

// One made while a startup snapshot is built (on a parked state) is released in every process
// restored from it, which makes its own in its own arena, on the backend it loads.
onSnapshotRestore(() => {
  generator?.release();
  generator = undefined;
});

/** The calling thread's default generator (each worker thread has its own module instance). */
export function defaultGenerator(): Generator {
  generator ??= createGenerator();
  return generator;
}
