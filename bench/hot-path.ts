// Where the time of a small request goes: the algorithm alone (vgetrandom() on a native state),
// through a generator, and through the module-level getrandom(), each as a ratio to the kernel's
// vDSO getrandom timed in C in the same round (the shared VM's speed drifts; ratios hold).
// Needs the addon. Run: node --import tsx bench/hot-path.ts

import { NativeAllocator } from '../src/arena/native-allocator.js';
import { newCounters, vgetrandom } from '../src/core/vgetrandom.js';
import { createGenerator, getrandom } from '../src/index.js';
import { loadNative } from '../src/platform/addon/binding.js';
import { processGeneration } from '../src/platform/generation-sources.js';
import { osSyscall } from '../src/platform/syscall-path.js';
import { median, timeJs } from './measure.js';

const SIZES = [1, 4, 16, 32, 64];
const ROUNDS = 9;
const CALLS = 1_000_000;

const { binding, reason } = loadNative();
if (binding === null) throw new Error(`bench/hot-path.ts needs the native addon: ${reason}`);

const state = new NativeAllocator(binding).allocate().view;
const generation = processGeneration();
const syscall = osSyscall();
const counters = newCounters();
const generator = createGenerator({ backend: 'native' });

const layers = {
  'vgetrandom() alone': (buf: Uint8Array) => vgetrandom(state, buf, 0, generation, syscall, counters),
  'generator.getrandom()': (buf: Uint8Array) => generator.getrandom(buf),
  'getrandom()': (buf: Uint8Array) => getrandom(buf),
};

console.log(`ns per request as a multiple of the kernel's vDSO timed in C (median of ${ROUNDS} rounds)`);
console.log(['size', 'vDSO in C', ...Object.keys(layers)].map((h) => h.padStart(22)).join(''));
for (const size of SIZES) {
  const buf = new Uint8Array(size);
  const runs = Object.values(layers).map((layer) => timeJs(() => layer(buf)));
  const ratios = runs.map((): number[] => []);
  const inC: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const c = binding.vdsoBench(size, CALLS, 'vdso');
    inC.push(c);
    runs.forEach((run, i) => {
      ratios[i]!.push(run(CALLS) / c);
    });
  }
  const cells = [`${size} B`, `${median(inC).toFixed(1)} ns`, ...ratios.map((r) => `${median(r).toFixed(2)}×`)];
  console.log(cells.map((c) => c.padStart(22)).join(''));
}
