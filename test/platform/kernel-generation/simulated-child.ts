// A child process run with VGETRANDOM_NATIVE=0: the library runs on its simulated backend and
// follows no kernel generation. The addon, loaded here only to reseed the kernel (root), is not
// the library's. Prints JSON { backend, kernelGeneration, rekeys } after draw, reseed, draw.

import { createRequire } from 'node:module';
import { createGenerator, info } from '../../../src/index.js';

const addon = createRequire(import.meta.url)('../../../build/Release/vgetrandom.node') as { kernelReseed(): void };
const gen = createGenerator();
const buf = new Uint8Array(16);
gen.getrandom(buf);
addon.kernelReseed();
gen.getrandom(buf);
const { backend, kernelGeneration } = info();
console.log(JSON.stringify({ backend, kernelGeneration, rekeys: gen.stats().rekeys }));
