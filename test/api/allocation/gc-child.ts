// Counts garbage collections during 10^7 calls of 16 bytes to each buffer-filling entry point,
// in a process of its own (test/api/allocation.test.ts), after a warm-up. Prints JSON { name: gcs }.
import { PerformanceObserver } from 'node:perf_hooks';
import { createGenerator, getRandomValues, getrandom, randomFillSync } from '../../../src/index.js';

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

const buf = new Uint8Array(16);
const gen = createGenerator();
const calls: Record<string, () => unknown> = {
  getrandom: () => getrandom(buf),
  getRandomValues: () => getRandomValues(buf),
  randomFillSync: () => randomFillSync(buf),
  'generator.getrandom': () => gen.getrandom(buf),
  // The control: one 16-byte view per call, the smallest allocation a careless path would make.
  control: () => gen.getrandom(buf.subarray(0)),
};
const result: Record<string, number> = {};
for (const [name, call] of Object.entries(calls)) {
  for (let i = 0; i < 100_000; i++) call();
  await settle(); // GC entries of the warm-up are delivered before counting starts
  gcs = 0;
  for (let i = 0; i < 10_000_000; i++) call();
  await settle();
  result[name] = gcs;
}
console.log(JSON.stringify(result));
