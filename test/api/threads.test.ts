// worker_threads at the library level (issue 6): every worker that imports vgetrandom draws from a
// state slice of its own, from the process's one arena (native: the addon's; simulated: one made
// shareable with shareArena() and attached with attachArena()), and gives it back however it
// ends: a normal exit, worker.terminate(), an uncaught exception.
//
// On each backend of BACKENDS. A worker on the simulated backend runs with VGETRANDOM_NATIVE=0;
// this thread draws from the simulated arena with createGenerator({ backend: 'simulated' }) and
// reads its counts with defaultArenaInfo('simulated') (info() reports the default backend only).
// The thousand workers that come and go are plain JS over a bundle of the library, each holding a
// slice on every backend at once, so that each start and end exercises both.

import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, defaultArenaInfo } from '../../src/arena/backends.js';
import { STATE_SIZE } from '../../src/core/state.js';
import {
  ARENA_SLICES,
  type ArenaHandle,
  attachArena,
  createGenerator,
  type Generator,
  type Info,
  reseed,
  shareArena,
  trackWorker,
} from '../../src/index.js';
import { SimulatedMm } from '../../src/mm/simulated.js';
import { BACKENDS } from '../helpers/backends.js';
import { tsWorker } from '../helpers/ts-worker.js';
import { zeroStateEvidence } from '../helpers/zero-key.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DRAW = new URL('./threads/draw.ts', import.meta.url);
const RESEED = new URL('./threads/reseed.ts', import.meta.url);
const CHURN = new URL('./threads/churn.mjs', import.meta.url);
const PAGE = 4096;
/** Workers started, drawn from and terminated; and ended by an uncaught exception. */
const CYCLES = 1000;
const THROW_CYCLES = 200;

/** What test/api/threads/draw.ts posts once it has drawn. */
interface Drawn {
  type: 'drawn';
  values: Uint8Array;
  slice: { pageAddr: number; offset: number };
  info: Info;
}

/** The environment of a worker whose default backend is `backend`. */
const envFor = (backend: Backend): NodeJS.ProcessEnv =>
  backend === 'simulated' ? { ...process.env, VGETRANDOM_NATIVE: '0' } : process.env;

/** A draw.ts worker, tracked; `drawn` settles with its values (rejects on an error in it). */
function drawWorker(
  backend: Backend,
  data: { arena?: ArenaHandle; draws: number; start?: SharedArrayBuffer; lateDraw?: SharedArrayBuffer },
  track = true,
) {
  const worker = tsWorker(DRAW, { workerData: data, env: envFor(backend) });
  if (track) trackWorker(worker);
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const drawn = new Promise<Drawn>((resolve, reject) => {
    worker.on('message', (m: { type: string }) => m.type === 'drawn' && resolve(m as Drawn));
    worker.once('error', reject);
  });
  return { worker, drawn, exited };
}

/** Fails on the first 16-byte value seen twice, or that looks like output of a zeroed state. */
class Values {
  readonly #seen = new Set<string>();
  count = 0;

  add(values: Uint8Array): void {
    const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    for (let i = 0; i < buf.length; i += 16) {
      const value = buf.subarray(i, i + 16);
      const key = value.toString('latin1');
      if (this.#seen.has(key)) throw new Error(`value ${value.toString('hex')} drawn twice`);
      this.#seen.add(key);
      const evidence = zeroStateEvidence(value);
      if (evidence !== null) throw new Error(`value ${value.toString('hex')}: ${evidence}`);
    }
    this.count += buf.length / 16;
  }
}

/** Draws `count` 16-byte values from `gen` into one buffer. */
function drawFrom(gen: Generator, count: number): Uint8Array {
  const values = new Uint8Array(count * 16);
  for (let i = 0; i < count; i++) gen.getrandom(values.subarray(i * 16, i * 16 + 16));
  return values;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

let arena: ArenaHandle;
let dir: string;
let lib: string;

beforeAll(async () => {
  // This thread's simulated arena, shared with every worker started here.
  arena = shareArena();
  // The library as one plain ESM file, for churn.mjs (workers of plain JS start in a fraction
  // of the time tsx takes). It finds the addon from the working directory, the repository.
  dir = await mkdtemp(join(tmpdir(), 'vgetrandom-threads-'));
  const outfile = join(dir, 'vgetrandom.mjs');
  await build({
    entryPoints: [join(ROOT, 'src', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  lib = pathToFileURL(outfile).href;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(BACKENDS)('worker_threads on the %s backend', (backend) => {
  const counts = () => defaultArenaInfo(backend).arena;

  it('8 workers × 10^5 draws of 16 bytes: 800,000 distinct values, a slice each, none from a zeroed state', async () => {
    const before = counts();
    const start = new SharedArrayBuffer(4);
    const workers = Array.from({ length: 8 }, () => drawWorker(backend, { arena, draws: 100_000, start }));
    await Promise.all(workers.map(({ worker }) => once(worker, 'message')));
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
    const drawn = await Promise.all(workers.map((w) => w.drawn));

    // Every worker holds its slice until told to end: one each, all in this process's arena.
    const places = drawn.map(({ slice }) => `${slice.pageAddr.toString(16)}+${slice.offset}`);
    expect(new Set(places).size).toBe(8);
    for (const { slice, info } of drawn) {
      expect(slice.offset % STATE_SIZE).toBe(0);
      expect(info).toMatchObject({ backend, arenaShared: true, arenaOverflow: 0 });
      if (backend === 'simulated') {
        expect(slice.pageAddr).toBeGreaterThanOrEqual(arena.addr);
        expect(slice.pageAddr).toBeLessThan(arena.addr + (ARENA_SLICES / 28) * PAGE);
      }
      expect(info.arena.statesInUse).toBeGreaterThanOrEqual(before.statesInUse + 1);
    }
    expect(counts().statesInUse).toBe(before.statesInUse + 8);

    const values = new Values();
    for (const { values: v } of drawn) values.add(v);
    expect(values.count).toBe(800_000);

    for (const { worker } of workers) worker.postMessage('end');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual(Array(8).fill(0));
    // Every slice back; the native arena may keep one empty page for reuse.
    expect(counts().statesInUse).toBe(before.statesInUse);
    expect(counts().pages).toBeLessThanOrEqual(Math.max(before.pages, 1));
  });

  it('a worker started during heavy use of this thread: no exception, no value twice', async () => {
    const values = new Values();
    const held = createGenerator({ backend });
    let worker: ReturnType<typeof drawWorker> | undefined;
    let result: Drawn | undefined;
    for (let round = 0; result === undefined; round++) {
      // Generators come and go meanwhile: slices are taken and given back while the worker takes its.
      const gen = createGenerator({ backend });
      values.add(drawFrom(gen, 2000));
      gen.release();
      values.add(drawFrom(held, 2000));
      if (round === 5) {
        worker = drawWorker(backend, { arena, draws: 100_000 });
        void worker.drawn.then((d) => (result = d));
      }
      await tick();
    }
    values.add(result.values);
    worker!.worker.postMessage('end');
    expect(await worker!.exited).toBe(0);
    held.release();
    expect(values.count).toBeGreaterThan(100_000 + 12 * 2000);
  });

  it("this thread draws during another thread's drop loop over the arena: no exception, no value twice", async () => {
    const control = new SharedArrayBuffer(4);
    const dropper =
      backend === 'simulated'
        ? tsWorker(new URL('../helpers/reclaimer.ts', import.meta.url), { workerData: { handle: shareArena().mm, control } })
        : tsWorker(new URL('./threads/pageout.ts', import.meta.url), { workerData: { control } });
    await once(dropper, 'message');
    const gens = [createGenerator({ backend }), createGenerator({ backend })];
    const worker = drawWorker(backend, { arena, draws: 50_000 });
    const values = new Values();
    for (let i = 0; i < 100; i++) {
      values.add(drawFrom(gens[i % 2]!, 2000));
      if (i % 10 === 9) await tick();
    }
    const drawn = await worker.drawn;
    Atomics.store(new Int32Array(control), 0, 1);
    const [done] = (await once(dropper, 'message')) as [{ dropped: number; loops: number }];
    await dropper.terminate();
    values.add(drawn.values);
    worker.worker.postMessage('end');
    await worker.exited;
    const stats = gens.map((g) => g.stats());
    for (const g of gens) g.release();
    console.log(`${backend} drops:`, done, stats);
    expect(values.count).toBe(250_000);
    expect(done.dropped).toBeGreaterThan(0);
    expect(stats[0]!.rekeys + stats[1]!.rekeys).toBeGreaterThan(0);
  });
});

describe('worker_threads that come and go', () => {
  it(`${CYCLES} × start → draw → terminate(), ${THROW_CYCLES} × an uncaught exception, on every backend at once: every slice comes back, pages stop growing`, async () => {
    // Each worker holds a slice on every backend (churn.mjs), so each cycle ends both.
    const counts = () => BACKENDS.map((backend) => defaultArenaInfo(backend).arena);
    const before = counts();
    const pages: number[][] = [];
    const cycle = async (end: 'terminate' | 'throw') => {
      const worker = trackWorker(new Worker(CHURN, { workerData: { lib, arena, end }, execArgv: [] }));
      const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
      if (end === 'throw') {
        const [error] = (await once(worker, 'error')) as [Error];
        expect(error.message).toBe('this worker fails on purpose');
      } else {
        expect(await once(worker, 'message')).toEqual(['drawn']);
        await worker.terminate();
      }
      await exited;
      pages.push(counts().map((c) => c.pages));
    };
    // Eight at a time, so that slices are taken and given back concurrently.
    const ends = [...Array<'terminate'>(CYCLES).fill('terminate'), ...Array<'throw'>(THROW_CYCLES).fill('throw')];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let end = ends.pop(); end !== undefined; end = ends.pop()) await cycle(end);
      }),
    );
    const after = counts();
    BACKENDS.forEach((backend, i) => {
      expect({ backend, inUse: after[i]!.statesInUse }).toEqual({ backend, inUse: before[i]!.statesInUse });
      const seen = pages.map((p) => p[i]!);
      const half = seen.length / 2;
      expect(Math.max(...seen.slice(half))).toBeLessThanOrEqual(Math.max(...seen.slice(0, half)));
      console.log(`${backend}: pages ${before[i]!.pages} before, at most ${Math.max(...seen)} during, ${after[i]!.pages} after`);
    });
    // About a minute on an idle 2-core machine: a Worker costs ~100 ms of CPU to start and end
    // here, so 1200 of them cannot take much less. The timeout leaves room for a busy machine.
  }, 300_000);
});

describe('a simulated arena shared between threads', () => {
  const counts = () => defaultArenaInfo('simulated').arena;

  it('is one mapping of 32 droppable pages, 896 slices, counted from the shared slice map', () => {
    expect(ARENA_SLICES).toBe(896);
    const mm = SimulatedMm.attach(arena.mm);
    const mapping = mm.mappings().find((m) => m.addr === arena.addr)!;
    expect(mapping).toMatchObject({ length: 32 * PAGE, flags: { droppable: true } });
    expect(counts().pages).toBe(32);
    expect(counts().statesInUse + counts().statesFree).toBe(896);
    expect(defaultArenaInfo('simulated')).toMatchObject({ shared: true, overflow: 0 });
  });

  it('reseed() on any thread makes the states of every thread on the arena rekey', async () => {
    const workers = [0, 1].map(() => trackWorker(tsWorker(RESEED, { workerData: { arena }, env: envFor('simulated') })));
    /** Sends `m` to worker `i`; resolves with its default generator's rekeys after it. */
    const ask = (i: number, m: string) =>
      new Promise<number>((resolve, reject) => {
        workers[i]!.once('message', (r: { rekeys: number }) => resolve(r.rekeys)).once('error', reject);
        workers[i]!.postMessage(m);
      });
    expect([await ask(0, 'draw'), await ask(1, 'draw')]).toEqual([1, 1]);
    expect([await ask(0, 'draw'), await ask(1, 'draw')]).toEqual([1, 1]);
    // This thread's reseed(), and then one of a worker's, reach both workers.
    reseed();
    expect([await ask(0, 'draw'), await ask(1, 'draw')]).toEqual([2, 2]);
    await ask(0, 'reseed');
    expect([await ask(0, 'draw'), await ask(1, 'draw')]).toEqual([3, 3]);
    for (const w of workers) w.postMessage('end');
    await Promise.all(workers.map((w) => once(w, 'exit')));
  });

  it('a worker that exits normally gives its slice back itself, and a draw after that goes to the OS', async () => {
    const before = counts();
    const lateDraw = new SharedArrayBuffer(24);
    const w = drawWorker('simulated', { arena, draws: 10, lateDraw }, false);
    const { slice } = await w.drawn;
    expect(counts().statesInUse).toBe(before.statesInUse + 1);
    w.worker.postMessage('end');
    expect(await w.exited).toBe(0);
    expect(counts()).toEqual(before);
    // The slice is free and zeroed, though its generator drew again in a later 'exit' listener:
    // that draw found its state parked and went to the OS.
    const index = ((slice.pageAddr - arena.addr) / PAGE) * 28 + slice.offset / STATE_SIZE;
    expect(Atomics.load(new Int32Array(arena.owners), index)).toBe(0);
    const page = SimulatedMm.attach(arena.mm).bytes(slice.pageAddr, PAGE);
    expect(page.subarray(slice.offset, slice.offset + STATE_SIZE).every((b) => b === 0)).toBe(true);
    const [fallbacksBefore, fallbacksAfter] = new Int32Array(lateDraw, 16, 2);
    expect(fallbacksAfter).toBe(fallbacksBefore! + 1);
    expect(zeroStateEvidence(new Uint8Array(lateDraw, 0, 16))).toBeNull();
  });

  it('a worker given no handle draws from an arena of its own', async () => {
    const before = counts();
    const w = drawWorker('simulated', { draws: 10 }, false);
    const { info } = await w.drawn;
    expect(info).toMatchObject({ backend: 'simulated', arenaShared: false, arenaOverflow: 0, arena: { pages: 32, statesInUse: 1 } });
    expect(counts()).toEqual(before);
    w.worker.postMessage('end');
    await w.exited;
  });

  it('full: a thread draws its next states from an overflow arena of its own, and info() says so', async () => {
    const before = counts();
    const fill = Array.from({ length: before.statesFree }, () => createGenerator({ backend: 'simulated' }));
    expect(counts()).toMatchObject({ statesInUse: 896, statesFree: 0 });
    const extra = createGenerator({ backend: 'simulated' });
    expect(defaultArenaInfo('simulated')).toMatchObject({ overflow: 1, arena: { pages: 33, statesInUse: 897 } });

    const w = drawWorker('simulated', { arena, draws: 10 });
    const { info, slice } = await w.drawn;
    expect(info).toMatchObject({ arenaShared: true, arenaOverflow: 1, arena: { statesInUse: 897 } });
    expect(slice.pageAddr).toBeGreaterThanOrEqual(arena.addr + 32 * PAGE); // not in the shared mapping
    w.worker.postMessage('end');
    await w.exited;

    extra.release();
    for (const g of fill) g.release();
    expect(defaultArenaInfo('simulated')).toMatchObject({ overflow: 0, arena: { statesInUse: before.statesInUse } });
  });

  it('attachArena(): undefined leaves the thread alone; a bad handle, or a thread with an arena already, throws', () => {
    expect(attachArena(undefined)).toBe(false);
    expect(() => attachArena(42 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => attachArena({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => attachArena(arena)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(() => trackWorker({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('fork() of a generator in the shared arena: the child holds only its counterpart, zeroed', () => {
    const before = counts();
    const gen = createGenerator({ backend: 'simulated' });
    gen.getrandom(new Uint8Array(16));
    const child = gen.fork();
    expect(child.generator.state.every((b) => b === 0)).toBe(true);
    expect(gen.state.some((b) => b !== 0)).toBe(true);
    const other = createGenerator({ mm: child.mm });
    expect(other.state.buffer === child.generator.state.buffer && other.state.byteOffset === child.generator.state.byteOffset).toBe(false);
    expect(zeroStateEvidence(child.generator.fill(new Uint8Array(64)))).toBeNull();
    expect(counts().statesInUse).toBe(before.statesInUse + 1); // the child's arena is its own
    gen.release();
    expect(counts()).toEqual(before);
  });
});
