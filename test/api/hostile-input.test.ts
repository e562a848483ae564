// Hostile caller objects (subclasses, lying properties and getters, patched species and
// TypedArray methods, unaligned views, detached/resizable/shared buffers) against every entry
// point that takes a buffer, in-process on the default backend (native on Linux x64), and against
// the Generator methods, with and without a busy state, on every backend of BACKENDS. The suite
// and its SPEC are in test/api/hostile/ (suites/form-suite.ts); the simulated backend's module-level
// functions run in test/api/hostile-input.simulated.test.ts (the default backend is fixed per process).

import { describe, expect, it } from 'vitest';
import { BACKENDS, NATIVE_EXPECTED } from '../helpers/backends.js';
import { generatorSuite } from './hostile/suites/generator-suite.js';
import { hostileSuite } from './hostile/suites/module-suite.js';

const lib = await import('../../src/index.js');

describe('setup', () => {
  it(`the default backend is ${NATIVE_EXPECTED ? 'native' : 'the one available'}`, () => {
    if (NATIVE_EXPECTED) expect(lib.info().backend).toBe('native');
  });
});

hostileSuite(lib, `module-level functions, ${lib.info().backend} backend`);

for (const backend of BACKENDS) generatorSuite(lib, backend);
