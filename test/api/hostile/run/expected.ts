// What a call must do: where node:crypto accepts or rejects an input without crashing, ours does
// the same (same error class, name, code and message); the forms without a counterpart follow
// the SPEC's own rules.
//
// Node trusts a caller's `byteLength` (and, in randomFill, `length`): a lie above the truth makes
// Node 20 abort the process (a CHECK in crypto_random.cc), one below leaves bytes unfilled. So
// node:crypto is never called with a lying object: for those the expected outcome is Node's on an
// honest twin (same type, same real length), which is our SPEC, stricter than Node.

import type { Hostile } from '../cases/hostile.js';
import type { Form } from '../forms/form.js';
import { honestTwin, realView } from '../view/real.js';
import { deferred } from './deferred.js';
import { errorShape } from './errors.js';

/** What a call must do. */
export type Expected =
  | { ok: true }
  | { threw: unknown }
  | { threwLike: { base: string; code: string; message: RegExp } }
  /** Out of bounds, for getrandom and fill: 0 (the view) or a TypeError; nothing written either way. */
  | { either: true };

/** node:crypto's outcome for `view` (never a lying object). */
async function nodeOutcome(form: Form, view: ArrayBufferView): Promise<Expected> {
  const { cb, called } = deferred();
  try {
    form.node!(view, cb);
  } catch (e) {
    return { threw: errorShape(e) };
  }
  if (form.async) {
    const args = await called;
    if (args === 'never called') throw new Error(`node:crypto never called back for ${form.name}`);
    if (args[0]) return { threw: errorShape(args[0]) };
  }
  return { ok: true };
}

/** What `c` through `form` must do: node:crypto's outcome (on an honest twin if `c` lies), or the SPEC's. */
export async function expectedOutcome(c: Hostile, form: Form): Promise<Expected> {
  if (form.node !== undefined) {
    const view = c.make().view;
    return nodeOutcome(form, c.lies ? honestTwin(view) : view);
  }
  if (realView(c.make().view).detached) return { threwLike: { base: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /is detached/ } };
  if (c.outOfBounds) return { either: true };
  return { ok: true };
}
