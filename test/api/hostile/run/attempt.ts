// One call of our form with a hostile input: under its patch for the synchronous part only, and
// under a time limit if the input lies. Records what the call did; run-case.ts judges it.

import type { Hostile, Made } from '../cases/hostile.js';
import type { Form } from '../forms/form.js';
import type { Patch } from '../realm/patch.js';
import { bounded, Hung } from './bounded.js';
import { deferred } from './deferred.js';
import { changedOutside, type Watch } from './watch.js';

/** What one call did. */
interface Attempt {
  threw?: unknown;
  hung?: boolean;
  returned?: unknown;
  args?: unknown[] | 'never called';
  /** A write outside the target seen right after the synchronous call (pooled buffers). */
  syncWrite?: string | null;
}

/** Calls `form` with `made.view` once, in the watch `w`. */
export async function attempt(
  form: Form,
  c: Hostile,
  made: Made,
  w: Watch,
  patch: Patch | undefined,
  from: number,
  to: number,
): Promise<Attempt> {
  const { cb, called } = deferred();
  const result: Attempt = {};
  let undo = patch?.apply();
  try {
    const call = () => form.ours(made.view, cb);
    result.returned = c.lies ? bounded(call) : call();
  } catch (e) {
    if (e instanceof Hung) {
      result.hung = true;
      form.recover?.();
    } else {
      result.threw = e;
    }
  } finally {
    // Only the synchronous part runs patched: across event-loop turns the patches would reach the
    // test runner's own IPC (Node's internals call subarray through species). Ours fills at call time.
    undo?.();
    undo = undefined;
  }
  // A pool's other bytes may change once other code runs: compare them now.
  if (w.pooled) result.syncWrite = changedOutside(w, from, to);
  if (form.async && result.threw === undefined && !result.hung) result.args = await called;
  return result;
}
