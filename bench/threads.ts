// Aggregate throughput of 16-byte draws across worker_threads: 1 worker, then 2, each drawing as
// fast as it can for the same wall-clock window, for vgetrandom on each backend and for
// crypto.getRandomValues. Prints draws per second per worker and in all, and the 2-worker to
// 1-worker ratio (on a machine with 2 free cores, ideal scaling is 2×).
//
//   node --import tsx bench/threads.ts [--seconds S] [--rounds R]
//
// Standalone: this file is both the main thread and the workers.
// Workers start drawing together (Atomics.wait on a shared flag) after a warm-up, and the main
// thread only waits meanwhile. Each configuration runs R rounds, interleaved, and the best round
// counts: on a shared machine, the slowest rounds measure the neighbours.

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type ArenaHandle, attachArena, getrandom, info, shareArena, trackWorker } from '../src/index.js';
import { loadNative } from '../src/platform/addon/binding.js';

type Source = 'native' | 'simulated' | 'crypto.getRandomValues';

interface Job {
  source: Source;
  arena: ArenaHandle;
  ms: number;
  start: SharedArrayBuffer;
}

// A worker does not get the main thread's `--import tsx` hooks: it registers them, then loads this file.
const BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
const SIZE = 16;
const WARMUP_MS = 300;

const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** In a worker: draws until `ms` have passed; returns the count. */
function drawFor(draw: (buf: Uint8Array) => unknown, ms: number): number {
  const buf = new Uint8Array(SIZE);
  const end = performance.now() + ms;
  let n = 0;
  do {
    for (let i = 0; i < 1024; i++) draw(buf);
    n += 1024;
  } while (performance.now() < end);
  return n;
}

function worker(): void {
  const { source, arena, ms, start } = workerData as Job;
  attachArena(arena);
  const draw = source === 'crypto.getRandomValues' ? (b: Uint8Array) => crypto.getRandomValues(b) : (b: Uint8Array) => getrandom(b);
  drawFor(draw, WARMUP_MS);
  const backend = source === 'crypto.getRandomValues' ? null : info().backend;
  parentPort!.postMessage({ ready: true, backend });
  Atomics.wait(new Int32Array(start), 0, 0);
  const t0 = performance.now();
  const draws = drawFor(draw, ms);
  parentPort!.postMessage({ draws, seconds: (performance.now() - t0) / 1000 });
}

/** Starts `n` workers drawing from `source` at once; draws per second of each. */
async function run(source: Source, n: number, arena: ArenaHandle, ms: number): Promise<number[]> {
  const start = new SharedArrayBuffer(4);
  const env = source === 'simulated' ? { ...process.env, VGETRANDOM_NATIVE: '0' } : process.env;
  const options = { eval: true, workerData: { source, arena, ms, start }, env };
  const workers = Array.from({ length: n }, () => trackWorker(new Worker(BOOTSTRAP, options)));
  const next = (w: Worker) =>
    new Promise<{ ready?: boolean; backend?: string | null; draws?: number; seconds?: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  const ready = await Promise.all(workers.map(next));
  for (const r of ready) {
    if (source !== 'crypto.getRandomValues' && r.backend !== source)
      throw new Error(`a worker runs on ${String(r.backend)}, not ${source}`);
  }
  const results = workers.map(next);
  Atomics.store(new Int32Array(start), 0, 1);
  Atomics.notify(new Int32Array(start), 0);
  const done = await Promise.all(results);
  await Promise.all(workers.map((w) => w.terminate()));
  return done.map((d) => d.draws! / d.seconds!);
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!(value > 0)) throw new Error(`${name} takes a positive number`);
  return value;
}

async function main(): Promise<void> {
  const ms = option('--seconds', 2) * 1000;
  const rounds = option('--rounds', 3);
  const sources: Source[] = [...(loadNative().binding === null ? [] : ['native' as const]), 'simulated', 'crypto.getRandomValues'];
  const arena = shareArena();
  console.log(
    `${SIZE}-byte draws per second, best of ${rounds} rounds of ${ms / 1000} s; ${availableParallelism()} CPUs, Node ${process.version}`,
  );

  const best = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const source of sources) {
      for (const n of [1, 2]) {
        const perWorker = await run(source, n, arena, ms);
        const key = `${source}/${n}`;
        if (total(perWorker) > total(best.get(key) ?? [])) best.set(key, perWorker);
      }
    }
  }

  const m = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
  const rows = sources.map((source) => {
    const one = best.get(`${source}/1`)!;
    const two = best.get(`${source}/2`)!;
    return {
      source: source === 'crypto.getRandomValues' ? source : `vgetrandom (${source})`,
      '1 worker': m(one[0]!),
      '2 workers, each': two.map(m).join(', '),
      '2 workers, in all': m(total(two)),
      'ratio 2:1': `${(total(two) / total(one)).toFixed(2)}×`,
    };
  });
  console.table(rows);
  console.log('ratio 2:1: aggregate draws per second of 2 workers over 1 (2× is perfect scaling)');
}

if (isMainThread) {
  await main();
} else {
  worker();
}
