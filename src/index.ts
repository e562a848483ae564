// vgetrandom: the Linux vDSO getrandom() generator in userspace. Module-level functions are
// served by this thread's default generator, made on first use; createGenerator() makes more.
// This module only re-exports: the layers are in docs/architecture.md.

export { createGenerator, type Generator, type GeneratorOptions, type GeneratorStats } from './api/generator.js';
export { getrandom, reseed, stats } from './api/getrandom.js';
export { type Info, info } from './api/info.js';
export * from './api/node-crypto.js';
export { ARENA_SLICES, type ArenaHandle, attachArena, shareArena, trackWorker } from './api/threads.js';
export type { Backend } from './arena/backends.js';
export { GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM } from './core/syscall.js';
export { useAddonDirectory } from './platform/addon/binding.js';
