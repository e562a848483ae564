// This thread's default generator, made on first use, and its ID pool. Every module-level
// function draws from the generator; randomUUID() and randomInt() take their bytes from the pool.

import { allocatorFor } from '../arena/backends.js';
import { type IdPool, idPool } from '../core/id-pool.js';
import { processGeneration } from '../platform/generation-sources.js';
import { isBuildingSnapshot, onSnapshotRestore } from '../platform/snapshot.js';
import { createGenerator, type Generator } from './generator.js';

let generator: Generator | undefined;
// This thread's pool: undefined until first asked for, null where there is none (a snapshot
// being built, an arena without pool pages).
let pool: IdPool | null | undefined;

// One made while a startup snapshot is built (on a parked state) is released in every process
// restored from it, which makes its own in its own arena, on the backend it loads. No pool is
// made while one is built, so every restored process maps its own.
onSnapshotRestore(() => {
  generator?.release();
  generator = undefined;
  pool = undefined;
});

/** The calling thread's default generator (each worker thread has its own module instance). */
export function defaultGenerator(): Generator {
  generator ??= createGenerator();
  return generator;
}

/**
 * The calling thread's ID pool (src/core/id-pool.ts), or null if it has none: one page of the
 * default generator's arena, filled by that generator under the generation it follows.
 */
export function defaultIdPool(): IdPool | null {
  if (pool === undefined) pool = makePool();
  return pool;
}

function makePool(): IdPool | null {
  if (isBuildingSnapshot()) return null;
  const gen = defaultGenerator();
  // The default generator's allocator (allocatorFor keeps one per arena) and its generation. A
  // page that cannot be mapped (ENOMEM) leaves this thread without a pool, for good: IDs are then
  // drawn from the generator, as with disableEntropyCache.
  let page: Uint8Array | undefined;
  try {
    page = allocatorFor({}).mapIdPoolPage?.();
  } catch {
    page = undefined;
  }
  if (page === undefined) return null;
  return idPool(page, processGeneration(), (out) => {
    gen.fill(out);
  });
}
