// One hostile case through one form, called again and again until its verdict is clear: each
// call's outcome matches the expected one, nothing outside the bytes it must fill is written,
// those bytes are all written and look random across calls, and the ordinary request after each
// call is sound.

import { isDeepStrictEqual } from 'node:util';
import type { Hostile } from '../cases/hostile.js';
import type { Form } from '../forms/form.js';
import type { Patch } from '../realm/patch.js';
import { U8 } from '../view/intrinsics.js';
import { realView } from '../view/real.js';
import { attempt } from './attempt.js';
import { HANG_MS } from './bounded.js';
import { errorShape, showError } from './errors.js';
import { expectedOutcome } from './expected.js';
import type { OutputLog } from './output-log.js';
import { type Draw, probe } from './probe.js';
import { notRandom } from './randomness.js';
import { changedOutside, prepare } from './watch.js';

/** getrandom(2)'s cap on one request. */
const MAX_RW_COUNT = 0x7ffff000;

/** Short outputs: how many calls, and how many distinct values each byte must take in them. */
const SHORT_CALLS = 12;
const SHORT_DISTINCT = 5;
/** Long outputs: at most this many calls until every byte has been seen nonzero. */
const LONG_CALLS = 16;

/** What the test knows of one run: where to log outputs, the ordinary request after each call. */
export interface Ctx {
  log: OutputLog;
  draw: Draw;
}

/** Runs `c` through `form` (under `patch`) until its verdict is clear; returns the failures. */
export async function runCase(ctx: Ctx, c: Hostile, form: Form, patch?: Patch): Promise<string[]> {
  const expected = await expectedOutcome(c, form);
  const failures: string[] = [];
  const fail = (why: string) => failures.push(`${form.name}: ${why}`);
  const accepts = form.node === undefined ? 'the SPEC expects success' : 'node:crypto (on the real view) accepts';
  /** Target bytes not yet seen written (nonzero): all of them at first. */
  let unseen: number[] | undefined;
  let values: Array<Set<number>> | undefined;
  let target = 0;
  for (let call = 0; ; call++) {
    const made = c.make();
    const real = realView(made.view);
    let [from, to] = 'ok' in expected ? form.range(real.byteLength, real.elementSize) : [0, 0];
    if (from > to || to > real.byteLength) {
      fail(`test bug: a range [${from}, ${to}) outside the ${real.byteLength}-byte view was accepted`);
      [from, to] = [0, 0];
    }
    target = to - from;
    const w = prepare(made, real, from, to);
    const a = await attempt(form, c, made, w, patch, from, to);
    const problems: string[] = [];
    const calls = made.calls?.() ?? 0;
    if (calls !== 0) problems.push(`called the caller’s own getters, methods or species ${calls} times`);
    if (a.syncWrite) problems.push(a.syncWrite);
    if (a.hung) {
      problems.push(`did not return within ${HANG_MS} ms (an endless loop over a lying length?)`);
    } else if ('threw' in expected || 'threwLike' in expected) {
      if (a.threw === undefined) {
        problems.push(
          `${a.args === undefined ? 'returned' : 'called back'} instead of throwing ${'threw' in expected ? JSON.stringify(expected.threw) : String(expected.threwLike.message)}`,
        );
      } else if ('threw' in expected) {
        const shape = errorShape(a.threw);
        if (!isDeepStrictEqual(shape, expected.threw))
          problems.push(`threw ${JSON.stringify(shape)}, node:crypto ${JSON.stringify(expected.threw)}`);
      } else {
        const { base, code, message } = expected.threwLike;
        const shape = errorShape(a.threw) as { base?: string; code?: unknown; message?: string };
        if (shape.base !== base || shape.code !== code || !message.test(shape.message ?? '')) {
          problems.push(`threw ${showError(a.threw)}, not a ${base} [${code}] matching ${String(message)}`);
        }
      }
      const wrote = changedOutside(w, 0, 0);
      if (wrote) problems.push(`${wrote} (and threw)`);
    } else if ('either' in expected) {
      if (a.threw !== undefined) {
        if (!(a.threw instanceof TypeError))
          problems.push(`threw ${showError(a.threw)} for an out-of-bounds view (a TypeError, or 0, expected)`);
      } else if (form.gives === 'count' ? a.returned !== 0 : a.returned !== made.view) {
        problems.push(`returned ${String(a.returned)} for an out-of-bounds view`);
      }
      const wrote = changedOutside(w, 0, 0);
      if (wrote) problems.push(wrote);
    } else {
      if (a.threw !== undefined) {
        problems.push(`threw ${showError(a.threw)} where ${accepts}`);
      } else if (form.async) {
        const args = a.args!;
        if (args === 'never called') problems.push('never called back');
        else if (args.length !== 2 || args[0] !== null || args[1] !== made.view) {
          problems.push(
            `called back with (${args.map((x) => (x === made.view ? 'the view' : x instanceof Error ? showError(x) : String(x))).join(', ')}), not (null, the view)`,
          );
        }
      } else if (form.gives === 'view' && a.returned !== made.view) {
        problems.push('did not return the caller’s object');
      } else if (form.gives === 'count' && a.returned !== Math.min(real.byteLength, MAX_RW_COUNT)) {
        problems.push(`returned ${String(a.returned)}, not the real byte length ${real.byteLength}`);
      }
      // A pool may change under other code across turns: after a callback, check only the view itself.
      const wrote = w.pooled
        ? changedOutside(w, from, to, real.byteOffset, real.byteOffset + real.byteLength)
        : changedOutside(w, from, to);
      if (wrote) problems.push(wrote);
      if (target > 0 && w.buffer !== null) {
        const out = new U8(real.buffer, real.byteOffset + from, target);
        if (unseen === undefined) {
          unseen = [];
          for (let i = 0; i < target; i++) if (out[i] === 0) unseen.push(i);
        } else {
          unseen = unseen.filter((i) => out[i] === 0);
        }
        if (target >= 16) {
          const evidence = notRandom(out);
          if (evidence !== null) problems.push(`output not random: ${evidence}`);
          const repeat = ctx.log.repeat(out);
          if (repeat !== null) problems.push(`output repeats earlier output: ${repeat}`);
          ctx.log.add(out);
        } else {
          values ??= Array.from({ length: target }, () => new Set<number>());
          for (let i = 0; i < target; i++) values[i]!.add(out[i]!);
        }
      }
    }
    const after = probe(ctx.draw, ctx.log);
    if (after !== null) problems.push(after);
    for (const p of problems) fail(`${p}${call > 0 ? ` (call ${call + 1})` : ''}`);
    if (problems.length > 0 || !('ok' in expected) || target === 0) break;
    if (target >= 16) {
      if (unseen!.length === 0) break;
      if (call + 1 >= LONG_CALLS) {
        fail(
          `${unseen!.length} of the ${target} bytes it had to fill (the first at ${unseen![0]}) were never written in ${LONG_CALLS} calls`,
        );
        break;
      }
    } else if (call + 1 >= SHORT_CALLS) {
      const flat = values!.findIndex((s) => s.size < SHORT_DISTINCT);
      if (flat !== -1) fail(`byte ${flat} of ${target} took only ${values![flat]!.size} distinct values in ${SHORT_CALLS} calls`);
      break;
    }
  }
  return failures;
}
