// The hostile-input suite over any set of forms: every entry point that takes a buffer, fed
// caller objects that lie about themselves (subclasses, getters, own `length`/`byteLength`/
// `byteOffset`/`buffer`), patched species and TypedArray methods, unaligned views and DataViews,
// detached, resizable and shared buffers. The SPEC it checks: the library reads a view only
// through the intrinsic %TypedArray%.prototype / DataView.prototype getters captured at load and
// calls no method or getter of the caller's, so the REAL view is filled completely and nothing
// outside it is written; where node:crypto accepts or rejects an input without crashing, ours
// does the same (../run/expected.ts); after every hostile call, even one that threw, the next
// ordinary 4096-byte request is random and repeats no 16-byte window of earlier output.
//
// The test files call hostileSuite() (module-suite.ts), generatorSuite() (generator-suite.ts) or
// formSuite() (any set of entry points, e.g. the syscall path).

import { afterEach, describe, it } from 'vitest';
import { bufferKindCases } from '../cases/buffer-kind.js';
import type { Hostile } from '../cases/hostile.js';
import { ownPropertyCases } from '../cases/own-property.js';
import { patchedRequestCases } from '../cases/patched-request.js';
import { subclassCases } from '../cases/subclass.js';
import { UNALIGNED_LENGTHS, unalignedCases } from '../cases/unaligned.js';
import type { Form } from '../forms/form.js';
import { restoreAllPatches } from '../realm/patch.js';
import { patches } from '../realm/patches.js';
import { OutputLog } from '../run/output-log.js';
import type { Draw } from '../run/probe.js';
import { runAll } from '../run/run-all.js';
import type { Ctx } from '../run/run-case.js';

/** How to run formSuite(). */
export interface FormSuiteOptions {
  /** The ordinary request after each hostile call: getrandom of the generator that took it. */
  draw: Draw;
  /** Which sections to run (default: all). */
  sections?: readonly Section[];
  /** Unaligned offsets to run (default: 1, 2, 3, 5, 7). */
  offsets?: readonly number[];
}

/** A section of the suite, by what it feeds the forms. */
export type Section = 'subclasses' | 'own properties' | 'unaligned' | 'buffers' | 'patches';

/** Registers the hostile-input tests of `forms()` (made when the tests run). */
export function formSuite(label: string, forms: () => readonly Form[], options: FormSuiteOptions): void {
  const sections = new Set(options.sections ?? ['subclasses', 'own properties', 'unaligned', 'buffers', 'patches']);
  const ctx = (): Ctx => ({ log: new OutputLog(), draw: options.draw });
  describe(label, () => {
    afterEach(restoreAllPatches);

    const each = (title: string, cases: () => Hostile[]) =>
      describe(title, () => {
        for (const c of cases()) it(c.label, () => runAll(ctx(), [c], forms()));
      });
    if (sections.has('subclasses')) each('(1) subclasses fill the real view; their getters and methods are never called', subclassCases);
    if (sections.has('own properties'))
      each('(3) lying own properties are ignored: the real view is filled, nothing else', ownPropertyCases);
    if (sections.has('unaligned')) {
      describe('(4) unaligned views: every byte written, guards intact', () => {
        for (const offset of options.offsets ?? [1, 2, 3, 5, 7]) {
          for (const type of ['Uint8Array', 'Buffer', 'DataView'] as const) {
            it(`${type}s of ${UNALIGNED_LENGTHS.join(', ')} bytes at offset ${offset} (mod 8), 64 guard bytes each side`, () =>
              runAll(ctx(), unalignedCases(offset, type), forms()));
          }
        }
      });
    }
    if (sections.has('buffers')) each('(5) detached, resizable and shared buffers', bufferKindCases);
    if (sections.has('patches')) {
      describe('(2) patched species and TypedArray methods change nothing', () => {
        for (const patch of patches()) {
          it(patch.label, async () => {
            await runAll(ctx(), patchedRequestCases(patch), forms(), patch);
          });
        }
      });
    }
  });
}
