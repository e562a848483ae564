// A child process run with a short VGETRANDOM_TICK_MS: a default generator on the native
// backend, left alone while the addon's ticker moves the process generation on, must rekey at
// its next call. Prints JSON { before, after, rekeys }.

import { currentGeneration } from '../../../src/core/generation.js';
import { createGenerator } from '../../../src/index.js';
import { processGeneration } from '../../../src/platform/generation-sources.js';

const gen = createGenerator({ backend: 'native' });
gen.fill(new Uint8Array(16));
const before = currentGeneration(processGeneration());
const until = Date.now() + 2000;
while (currentGeneration(processGeneration()) === before && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
gen.fill(new Uint8Array(16));
console.log(JSON.stringify({ before, after: currentGeneration(processGeneration()), rekeys: gen.stats().rekeys }));
