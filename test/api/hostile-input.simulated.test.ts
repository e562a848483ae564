// The hostile-input suite (test/api/hostile/) for the module-level functions on the
// simulated backend: the default generator picks its backend once per process, so this file
// sets VGETRANDOM_NATIVE=0 before it loads the library. Also the syscall path (the fallback)
// without the addon, fed the same hostile views: requests served while the default generator's
// state is busy, and calls made reentrantly from a generator's entropy callback, whose state is
// busy further up the stack.

process.env.VGETRANDOM_NATIVE = '0';

import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Generator } from '../../src/api/generator.js';
import type { Form } from './hostile/forms/form.js';

const lib = await import('../../src/index.js');
const { defaultGenerator } = await import('../../src/api/default-generator.js');
const { busy } = await import('./hostile/forms/busy.js');
const { dropInForms } = await import('./hostile/forms/drop-ins.js');
const { getrandomForm } = await import('./hostile/forms/getrandom.js');
const { formSuite } = await import('./hostile/suites/form-suite.js');
const { hostileSuite } = await import('./hostile/suites/module-suite.js');

describe('setup', () => {
  it('runs on the simulated backend, without the addon', () => {
    expect(lib.info()).toMatchObject({ backend: 'simulated', reason: 'VGETRANDOM_NATIVE=0' });
  });
});

hostileSuite(lib, 'module-level functions, simulated backend');

/** Entropy given to the reentrant generator beyond this is a lie trusted (2 GiB temporaries otherwise). */
const ENTROPY_LIMIT = 1 << 24;

/**
 * getrandom and fill of a simulated generator, each called from inside that generator's own
 * entropy callback (while its rekey holds the state), so the syscall path serves them: the
 * callback's inner call gets the hostile view, the outer call a plain 64-byte one.
 */
function reentrantForms(): Form[] {
  let gen: Generator | undefined;
  let pending: (() => unknown) | undefined;
  let inner: { value: unknown } | { error: unknown } | undefined;
  const entropy = (b: Uint8Array) => {
    const call = pending;
    pending = undefined;
    if (call !== undefined) {
      try {
        inner = { value: call() };
      } catch (error) {
        inner = { error };
      }
    }
    if (b.length > ENTROPY_LIMIT) throw new Error(`the entropy callback was asked for ${b.length} bytes`);
    // Not crypto.getRandomValues: the inner call's fallback asks for the whole view, past its 64 KiB quota.
    nodeCrypto.randomFillSync(b);
  };
  const current = () => (gen ??= lib.createGenerator({ backend: 'simulated', entropy }));
  const outer = new Uint8Array(64);
  const reenter = (call: () => unknown) => {
    const g = current();
    g.reseed(); // the next call rekeys: the entropy callback runs, with the state held
    inner = undefined;
    pending = call;
    try {
      g.getrandom(outer);
    } finally {
      pending = undefined;
    }
    const result = inner as { value: unknown } | { error: unknown } | undefined;
    if (result === undefined) throw new Error('test bug: the entropy callback was not reentered');
    if ('error' in result) throw result.error;
    return result.value;
  };
  return [
    {
      name: 'gen.getrandom(v) from inside its entropy callback (syscall path)',
      kind: 'getrandom',
      ours: (v) => reenter(() => current().getrandom(v)),
      range: (n) => [0, n],
      gives: 'count',
    },
    {
      name: 'gen.fill(v) from inside its entropy callback (syscall path)',
      kind: 'fill',
      ours: (v) => reenter(() => current().fill(v)),
      range: (n) => [0, n],
      gives: 'view',
    },
  ];
}

describe('hostile inputs on the syscall path of the simulated backend (no addon)', () => {
  const draw = (out: Uint8Array) => lib.getrandom(out);
  // One form per way into the generator: the other argument shapes differ only before it.
  const oneEach = /^(getRandomValues\(v\)|randomFillSync\(v\)|randomFillSync\(v, 1, 16\)|randomFill\(v, cb\)|getrandom\(v\))$/;
  formSuite(
    'the drop-ins and getrandom while the default generator’s state is busy',
    () => [...dropInForms(lib), getrandomForm(lib)].filter((f) => oneEach.test(f.name)).map((f) => busy(f, () => defaultGenerator().state)),
    { draw, offsets: [1, 3] },
  );
  formSuite('a generator’s getrandom and fill, reentered from its entropy callback', reentrantForms, { draw, offsets: [1, 3] });
});
