// RSS under generator churn on the native backend, measured in a process of its own
// (test/native.test.ts runs it with --expose-gc --max-semi-space-size=1, so V8's young
// generation cannot grow into the figures):
//   rss-child.ts generators   10^5 cycles of createGenerator → draw → release
//   rss-child.ts pages        1000 cycles that grow the arena by two pages and shrink it again
// Each warms up first, then prints JSON with VmRSS (kB) before and after, measured after a GC.
import { readFileSync } from 'node:fs';
import { createGenerator, info } from '../../src/index.js';

const mode = process.argv[2];
const STATES_PER_PAGE = 28;
const out = new Uint8Array(16);

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function rss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    (globalThis as unknown as { gc: () => void }).gc();
    await tick(); // the external buffers' finalizers run from the event loop
  }
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

async function generators(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const gen = createGenerator({ backend: 'native' });
    gen.getrandom(out);
    gen.release();
    if (i % 1000 === 999) await tick();
  }
}

let minUnmapped = Infinity;
const endPages = new Set<number>();
async function pages(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const start = info().arena;
    // Every free slot, then a page and one more state: two new pages at least.
    const gens = Array.from({ length: start.statesFree + STATES_PER_PAGE + 1 }, () => createGenerator({ backend: 'native' }));
    for (const g of gens) g.getrandom(out);
    const peak = info().arena.pages;
    for (const g of gens) g.release();
    const end = info().arena.pages;
    minUnmapped = Math.min(minUnmapped, peak - end);
    endPages.add(end);
    if (i % 100 === 99) await tick();
  }
}

const run = mode === 'generators' ? generators : pages;
const count = mode === 'generators' ? 100_000 : 1000;
await run(count / 10);
endPages.clear();
const before = await rss();
await run(count);
const after = await rss();
console.log(JSON.stringify({ before, after, minUnmapped, endPages: [...endPages], stats: info().arena }));
