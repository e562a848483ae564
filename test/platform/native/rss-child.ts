// Memory under generator churn on the native backend, measured in a process of its own
// (test/platform/native.test.ts runs it with --expose-gc --max-semi-space-size=1, so V8's young
// generation cannot grow into the figures):
//   rss-child.ts generators   10^5 cycles of createGenerator → draw → release
//   rss-child.ts pages        1000 cycles that grow the arena by two pages and shrink it again
// Each warms up first, then prints JSON with, before and after the measured run (each after a
// GC): the arena's resident kB as the kernel reports it (/proc/self/smaps: the Rss of the
// wipe-on-fork mappings, which only the arena has, droppable or fallback), the JS heap and
// external memory (kB), and the process's VmRSS (kB, for the log: it also holds the C
// allocator's arenas, which Node 24 and 26 grow by ~10-25 MB in steps under external-buffer
// churn and then keep, whatever this library does).
import { readFileSync } from 'node:fs';
import { createGenerator, info } from '../../../src/index.js';

const mode = process.argv[2];
const STATES_PER_PAGE = 28;
const out = new Uint8Array(16);

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Sum of the Rss lines (kB) of the wipe-on-fork mappings: the arena's pages, and the addon's probe page. */
function arenaKb(): number {
  let kb = 0;
  for (const entry of readFileSync('/proc/self/smaps', 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    if (/^VmFlags:.*\bwf\b/m.test(entry)) kb += Number(/^Rss:\s+(\d+) kB/m.exec(entry)![1]);
  }
  return kb;
}

async function measure(): Promise<{ rss: number; arena: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    (globalThis as unknown as { gc: () => void }).gc();
    await tick(); // the external buffers' finalizers run from the event loop
  }
  const { heapUsed, external } = process.memoryUsage();
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  return { rss, arena: arenaKb(), heap: Math.round((heapUsed + external) / 1024) };
}

let created = 0;
async function generators(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const gen = createGenerator({ backend: 'native' });
    created++;
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
    created += gens.length;
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
const before = await measure();
created = 0;
await run(count);
const after = await measure();
const pageKb = 4; // the arena's pages are 4 KiB (28 states of 144 B, src/arena/state-allocator.ts)
// The one droppable page of the addon's own outside the arena: the ticker's probe state, where it
// follows the kernel's generation (native/kernelgen.c).
const probePages = info().kernelGeneration === 'none' ? 0 : 1;
console.log(JSON.stringify({ before, after, created, pageKb, probePages, minUnmapped, endPages: [...endPages], stats: info().arena }));
