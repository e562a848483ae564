// RSS under allocator churn, measured in a process of its own (test/native.test.ts runs it with
// --expose-gc --max-semi-space-size=1, so V8's young generation cannot grow into the figures):
//   node rss-child.mjs <addon> states   10^5 allocState/freeState cycles
//   node rss-child.mjs <addon> pages    1000 cycles that map two pages and unmap at least one
// Each warms up first, then prints JSON with VmRSS (kB) before and after, measured after a GC.
import { readFileSync } from 'node:fs';

const mod = { exports: {} };
process.dlopen(mod, process.argv[2]);
const b = mod.exports;
const mode = process.argv[3];

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function rss() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await tick(); // the external buffers' finalizers run from the event loop
  }
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
}

async function states(n) {
  for (let i = 0; i < n; i++) {
    const s = b.allocState();
    new Uint8Array(s.buffer)[0] = 1;
    b.freeState(s.buffer);
    if (i % 1000 === 999) await tick();
  }
}

const { statesPerPage } = b.info();
let minUnmapped = Infinity;
const endPages = new Set();
async function pages(n) {
  for (let i = 0; i < n; i++) {
    const start = b.arenaStats();
    // Every free slot, then a page and one more slice: two new pages at least.
    const slices = Array.from({ length: start.statesFree + statesPerPage + 1 }, () => b.allocState());
    const peak = b.arenaStats().pages;
    for (const s of slices) b.freeState(s.buffer);
    const end = b.arenaStats().pages;
    minUnmapped = Math.min(minUnmapped, peak - end);
    endPages.add(end);
    if (i % 100 === 99) await tick();
  }
}

const run = mode === 'states' ? states : pages;
const count = mode === 'states' ? 100_000 : 1000;
await run(count / 10);
endPages.clear();
const before = await rss();
await run(count);
const after = await rss();
console.log(JSON.stringify({ before, after, minUnmapped, endPages: [...endPages], stats: b.arenaStats() }));
