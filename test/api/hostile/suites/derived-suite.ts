// Section (6) of the suite, first part: randomBytes, randomInt and randomUUID, whose output is
// derived from the generator without a caller's view, under every patch of ../realm/patches.ts.
// They must still give well-formed, distinct, random values, and leave the next ordinary
// request sound.

import { Buffer } from 'node:buffer';
import { afterEach, describe, it } from 'vitest';
import type { Lib } from '../forms/form.js';
import { restoreAllPatches } from '../realm/patch.js';
import { patches } from '../realm/patches.js';
import { deferred } from '../run/deferred.js';
import { showError } from '../run/errors.js';
import { OutputLog } from '../run/output-log.js';
import { probe } from '../run/probe.js';
import { notRandom } from '../run/randomness.js';
import { report } from '../run/run-all.js';
import { get, TA } from '../view/intrinsics.js';

/** A version 4 UUID, as randomUUID gives. */
export const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Registers the tests of randomBytes, randomInt and randomUUID under the patches. */
export function derivedSuite(lib: Lib): void {
  describe('(6) randomBytes, randomInt and randomUUID under the patches', () => {
    afterEach(restoreAllPatches);
    for (const patch of patches()) {
      it(patch.label, async () => {
        const log = new OutputLog();
        const failures: string[] = [];
        const uuids: string[] = [];
        const ints: number[] = [];
        const dice: number[] = [];
        const bytes: Array<[string, unknown]> = [];
        const pendingBytes: Array<Promise<[string, unknown]>> = [];
        let undo = patch.apply();
        try {
          for (let i = 0; i < 1000; i++) {
            uuids.push(lib.randomUUID(), lib.randomUUID({ disableEntropyCache: true }));
            ints.push(lib.randomInt(0, 2 ** 48 - 1));
            dice.push(lib.randomInt(10));
          }
          uuids.push(lib.webcrypto.randomUUID());
          for (const n of [16, 4096, 65536, 1 << 20]) {
            bytes.push([`randomBytes(${n})`, lib.randomBytes(n)]);
            const { cb, called } = deferred();
            lib.randomBytes(n, cb);
            pendingBytes.push(called.then((args) => [`randomBytes(${n}, cb)`, args === 'never called' ? args : (args[0] ?? args[1])]));
          }
        } catch (e) {
          failures.push(`threw ${showError(e)}`);
        } finally {
          undo();
          undo = () => {};
        }
        bytes.push(...(await Promise.all(pendingBytes)));
        const { cb, called } = deferred();
        const asyncPatch = patch.apply();
        try {
          lib.randomInt(0, 2 ** 48 - 1, cb);
        } finally {
          asyncPatch();
        }
        const asyncInt = await called;

        for (const u of uuids) if (!UUID_FORMAT.test(u)) failures.push(`malformed UUID ${u}`);
        if (new Set(uuids).size !== uuids.length) failures.push(`only ${new Set(uuids).size} distinct of ${uuids.length} UUIDs`);
        if (new Set(ints).size !== ints.length)
          failures.push(`randomInt(0, 2 ** 48 - 1): only ${new Set(ints).size} distinct of ${ints.length}`);
        const high = ints.filter((x) => x >= 2 ** 47).length;
        // 1000 fair coin flips: 500 ± 100 is over 6 standard deviations.
        if (ints.length > 0 && (high < 400 || high > 600)) failures.push(`randomInt(0, 2 ** 48 - 1): ${high} of 1000 in the upper half`);
        if (ints.some((x) => !Number.isInteger(x) || x < 0 || x >= 2 ** 48 - 1)) failures.push('randomInt(0, 2 ** 48 - 1) out of range');
        if (new Set(dice).size !== 10 && dice.length > 0)
          failures.push(`randomInt(10) took only ${new Set(dice).size} values in 1000 draws`);
        if (asyncInt === 'never called' || asyncInt[0] !== undefined || typeof asyncInt[1] !== 'number') {
          failures.push(`randomInt(0, 2 ** 48 - 1, cb) called back ${JSON.stringify(asyncInt)}`);
        }
        for (const [name, b] of bytes) {
          if (!Buffer.isBuffer(b)) {
            failures.push(`${name} gave ${b instanceof Error ? showError(b) : String(b)}, not a Buffer`);
            continue;
          }
          const n = Number(/\d+/.exec(name)![0]);
          if (get<number>(TA.byteLength, b) !== n) failures.push(`${name} has ${get<number>(TA.byteLength, b)} bytes`);
          const evidence = notRandom(b);
          if (evidence !== null) failures.push(`${name} not random: ${evidence}`);
          const repeat = log.repeat(b);
          if (repeat !== null) failures.push(`${name} repeats earlier output: ${repeat}`);
          log.add(b);
        }
        const after = probe((out) => lib.getrandom(out), log);
        if (after !== null) failures.push(after);
        report(failures);
      });
    }
  });
}
