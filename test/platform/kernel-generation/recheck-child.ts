// A child process run with VGETRANDOM_KERNEL_RECHECK_FAIL=1 and a short VGETRANDOM_TICK_MS: the
// ticker's first re-check of the mapped kernel word disagrees, so the addon switches to polling
// and moves the generation on. Prints JSON { before, after, rekeyed }: the mode at load, the mode
// once it changed (at most 5 s), and whether a generator keyed before the switch rekeyed after it.

import { createGenerator, info } from '../../../src/index.js';

const gen = createGenerator({ backend: 'native' });
const buf = new Uint8Array(16);
gen.getrandom(buf);
const before = info().kernelGeneration;
const rekeys = gen.stats().rekeys;
const start = performance.now();
while (info().kernelGeneration === before && performance.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
const after = info().kernelGeneration;
gen.getrandom(buf);
console.log(JSON.stringify({ before, after, rekeyed: gen.stats().rekeys > rekeys }));
