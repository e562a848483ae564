// worker_threads: each thread that imports vgetrandom draws from state slices of its own, all
// from the process's one arena, and gives them back when it ends, however it ends.
//
// Native backend: nothing to do. The addon's arena is process-wide; each thread's first draw
// takes a slice from it, and the addon zeroes and frees a thread's slices when its environment is
// torn down (normal exit, worker.terminate(), an uncaught exception).
//
// Simulated backend: each thread has an arena of its own unless it attaches another thread's.
// shareArena() makes a handle to this thread's (its SharedArrayBuffers and the shared map of which
// thread holds which slice), attachArena() in a worker makes it that worker's arena, and
// trackWorker() gives a dead worker's slices back. The arena is one mapping of 32 pages made up
// front (896 slices: a page mapped later could not reach the threads holding the handle); a thread
// that finds it full draws its later states from an arena of its own (info().arenaOverflow).

import { Worker } from 'node:worker_threads';
import { attachThreadArena, releaseEndedThread, shareThreadArena } from '../arena/backends.js';
import { SHARED_ARENA_SLICES, type SharedArenaHandle } from '../arena/shared-state-allocator.js';
import { invalidArgType, invalidArgValue, invalidState, validateObject } from '../base/errors.js';

/**
 * A structured-cloneable handle to a thread's simulated arena, from shareArena(), for
 * attachArena() in a worker: pass it in `workerData` or a message. It holds the arena's
 * SharedArrayBuffers (`mm` is the sharing thread's simulated mm as of shareArena(), for
 * `SimulatedMm.attach()`; `owners` is the slice map: 0 free, else the holder's threadId + 1).
 * @example new Worker(url, { workerData: { arena: shareArena() } })
 */
export type ArenaHandle = SharedArenaHandle;

/** Slices in a shared simulated arena: 32 pages of 28. */
export const ARENA_SLICES = SHARED_ARENA_SLICES;

/**
 * A handle to this thread's simulated arena, so that workers given it draw their states from it
 * too (attachArena()). Call trackWorker() on each such worker, so that its slices come back even
 * if it is terminated. On the native backend the addon's arena is process-wide already: the
 * handle then only serves states on the simulated backend. Throws ERR_INVALID_STATE while a
 * startup snapshot is built.
 * @example
 * import { Worker } from 'node:worker_threads';
 * import { shareArena, trackWorker } from 'vgetrandom';
 *
 * const worker = trackWorker(new Worker('./worker.mjs', { workerData: { arena: shareArena() } }));
 */
export function shareArena(): ArenaHandle {
  return shareThreadArena();
}

/**
 * In a worker: draws this thread's simulated states from the arena of `handle` (from shareArena()
 * in the thread that started it) instead of an arena of its own, and returns true. Call it before
 * the thread's first random draw: once the thread has an arena of its own (its first simulated
 * state, or shareArena()), it throws ERR_INVALID_STATE. `undefined` (no handle was given) leaves
 * the thread on an arena of its own and returns false. When the thread exits normally it gives
 * its slices back itself (a draw in a later 'exit' listener goes to the OS); the thread that
 * started it gives them back if it is terminated or dies (trackWorker()).
 * @example
 * import { workerData } from 'node:worker_threads';
 * import { attachArena, randomBytes } from 'vgetrandom';
 *
 * attachArena(workerData.arena);
 * const token = randomBytes(16);
 */
export function attachArena(handle: ArenaHandle | undefined): boolean {
  if (handle === undefined) return false;
  validateObject(handle, 'handle');
  const { owners, reseeds, mm, addr } = handle as Partial<ArenaHandle>;
  const sharedOf = (buffer: unknown, length: number) => buffer instanceof SharedArrayBuffer && buffer.byteLength === length;
  if (!(sharedOf(owners, ARENA_SLICES * 4) && sharedOf(reseeds, 4) && typeof addr === 'number' && Array.isArray(mm?.mappings))) {
    throw invalidArgValue('handle', handle, 'is not a handle from shareArena()');
  }
  attachThreadArena(handle);
  return true;
}

/**
 * Gives `worker`'s slices in this thread's simulated arena back, zeroed, when it exits: a worker
 * ended by `terminate()` runs no JavaScript, so it cannot give them back itself. Call it in the
 * thread that shared its arena with the worker, right after `new Worker()`. Returns `worker`.
 * @example const worker = trackWorker(new Worker(url, { workerData: { arena: shareArena() } }));
 */
export function trackWorker<W extends Worker>(worker: W): W {
  if (!(worker instanceof Worker)) throw invalidArgType('worker', 'Worker', worker);
  // -1 once the thread has stopped: too late to know which slices were its own.
  const ended = worker.threadId;
  if (ended === -1) throw invalidState('the worker has already stopped');
  worker.once('exit', () => releaseEndedThread(ended));
  return worker;
}
