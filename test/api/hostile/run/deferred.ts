// A callback for the asynchronous entry points and a promise of the arguments it was called
// with, which gives up after CALLBACK_MS: a callback never made is a failure, not a hung test.

import type { Callback } from '../forms/form.js';

const CALLBACK_MS = 5000;

/** A callback, and what it was called with (or 'never called' in time). */
export function deferred(): { cb: Callback; called: Promise<unknown[] | 'never called'> } {
  let resolve: (args: unknown[]) => void = () => {};
  const p = new Promise<unknown[]>((r) => (resolve = r));
  const timeout = new Promise<'never called'>((r) => setTimeout(() => r('never called'), CALLBACK_MS).unref());
  return { cb: (...args) => resolve(args), called: Promise.race([p, timeout]) };
}
