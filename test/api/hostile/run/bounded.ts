// A synchronous call under a time limit, for inputs that lie: a library that trusts a `length`
// above the truth can loop for ever (the syscall path fills the real bytes, the loop waits for
// the rest), and the test must report that rather than hang.

import vm from 'node:vm';

/** How long a call with a lying input may run. */
export const HANG_MS = 500;

const boundedRun = new vm.Script('run()');
const boundedContext = vm.createContext({ run: null as (() => unknown) | null });

/**
 * Calls `fn` with a time limit: vm's watchdog stops even a synchronous endless loop (no
 * `finally` runs then, in the library or here).
 */
export function bounded(fn: () => unknown): unknown {
  boundedContext.run = fn;
  try {
    return boundedRun.runInContext(boundedContext, { timeout: HANG_MS });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new Hung();
    throw e;
  } finally {
    boundedContext.run = null;
  }
}

/** What bounded() throws when the time ran out. */
export class Hung extends Error {}
