// test/api/hostile-globals.test.ts's child: the patched-globals checks in a process without the
// addon (VGETRANDOM_NATIVE=0), where states live in the simulated arena and the syscall path is
// node:crypto's. Prints the failures as a JSON array.

import { patchedGlobalFailures } from './patched-globals.js';

const lib = await import('../../../src/index.js');
console.log(JSON.stringify({ backend: lib.info().backend, failures: patchedGlobalFailures(lib) }));
