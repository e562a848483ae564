// A child process run with VGETRANDOM_KERNEL_GENERATION=poll: reseeds the kernel (root), then
// draws until its generator rekeys, at most 5 s. Prints JSON { mode, pollMs, rekeyed, waitedMs,
// quietRekeys } (quietRekeys: extra rekeys over 10^5 draws while the kernel's generation held).

import { createGenerator, info } from '../../../src/index.js';
import { loadNative } from '../../../src/platform/addon/binding.js';

const binding = loadNative().binding!;
const gen = createGenerator({ backend: 'native' });
const buf = new Uint8Array(16);
gen.getrandom(buf);

// A reseed just before this would reach the poller within a poll interval, inside the quiet
// window: wait a few intervals first.
await new Promise((resolve) => setTimeout(resolve, 3 * binding.kernelGeneration().pollMs));
const kernelBefore = binding.kernelGeneration().now;
const quietFrom = gen.stats().rekeys;
for (let i = 0; i < 100_000; i++) gen.getrandom(buf);
const quiet = binding.kernelGeneration().now === kernelBefore ? gen.stats().rekeys - quietFrom : 0;

const before = gen.stats().rekeys;
binding.kernelReseed();
const start = performance.now();
while (gen.stats().rekeys === before && performance.now() - start < 5000) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  gen.getrandom(buf);
}
console.log(
  JSON.stringify({
    mode: info().kernelGeneration,
    pollMs: binding.kernelGeneration().pollMs,
    rekeyed: gen.stats().rekeys > before,
    waitedMs: performance.now() - start,
    quietRekeys: quiet,
  }),
);
