// A child process run with VGETRANDOM_GENERATION_START just below a 2^32 boundary: draws, then
// moves the process generation on across the boundary. Prints JSON { before, after, rekeys,
// pool }: the state's generation words before and after the crossing, the rekeys of the next
// draw, and the ID pool's generation words before and after (a UUID filled it before).

import { NativeAllocator } from '../../../src/arena/native-allocator.js';
import { GENERATION_HI_WORD, GENERATION_LO_WORD } from '../../../src/core/state.js';
import { createGenerator, randomUUID } from '../../../src/index.js';
import { loadNative } from '../../../src/platform/addon/binding.js';

const binding = loadNative().binding!;
const gen = createGenerator({ backend: 'native' });
gen.getrandom(new Uint8Array(16));
const words = () => {
  const state = new Uint32Array(gen.state.buffer, gen.state.byteOffset, gen.state.byteLength / 4);
  return [state[GENERATION_LO_WORD], state[GENERATION_HI_WORD]];
};
randomUUID();
const poolPage = new NativeAllocator(binding).mapIdPoolPage();
const poolWords = () => [...new Uint32Array(poolPage.buffer, poolPage.byteOffset, 2)];
const before = words();
const poolBefore = poolWords();
for (let i = 0; i < 32; i++) binding.bumpGeneration();
const after = words();
const poolAfter = poolWords();
gen.getrandom(new Uint8Array(16));
console.log(JSON.stringify({ before, after, rekeys: gen.stats().rekeys, pool: [poolBefore, poolAfter] }));
