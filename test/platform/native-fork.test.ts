// fork(2) with the native addon, for real: its pthread_atfork handlers (native/fork.c) carry the
// addon's locks across a fork and repair the child, which has only the forking thread. Each
// test forks with the addon's forkCheck(): fork() with every atfork handler, a child that reads
// the generation, the arena and the dropper through the addon's own locked calls and reports
// through a pipe (a lock left held across the fork would hang it: the parent kills a child that
// has not reported after 10 s and throws).
//
// On Linux x64 these tests run unless VGETRANDOM_NATIVE=0: a missing or unloadable build fails
// loudly instead of skipping (test/helpers/backends.ts).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNative, type NativeBinding, type NativeForkCheck, type NativeSlice, packageRoot } from '../../src/platform/addon/binding.js';
import { NATIVE_EXPECTED } from '../helpers/backends.js';
import { messageQueue } from '../helpers/message-queue.js';

const loaded = loadNative();
const addonPath = join(packageRoot() ?? process.cwd(), 'build', 'Release', 'vgetrandom.node');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The binding, or a loud failure saying why it did not load. */
function native(): NativeBinding {
  if (loaded.binding === null) throw new Error(`the native addon did not load: ${loaded.reason}`);
  return loaded.binding;
}

type Msg = { type: string; held?: number; intact?: boolean; cycles?: number };

/** A worker of test/platform/native/fork-worker.mjs, holding `count` slices (+ its vDSO state) once it said so. */
function startWorker(count: number, flag?: Int32Array) {
  const worker = new Worker(here('./native/fork-worker.mjs'), { workerData: { addonPath, count, flag } });
  const next = messageQueue<Msg>(worker);
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  return { worker, next, exited };
}

/** What every fork child must see, whatever the other threads were doing at the fork. */
function expectSoundChild(r: NativeForkCheck) {
  expect(r.childGenerationAtFork).toBeGreaterThan(r.parentGeneration);
  expect(r.childStatesInUse).toBe(r.childStatesHeld); // only the forking thread's slices
  expect(r.childCells).toBe(1); // only the forking thread's cell
  expect(r.childDropperRunning).toBe(false);
  expect(r.childAllocOk).toBe(true);
}

describe.runIf(NATIVE_EXPECTED)('fork(2) with the native addon (atfork handlers)', () => {
  const mine: NativeSlice[] = [];
  afterEach(() => {
    native().stopDropper();
    for (const s of mine.splice(0)) if (s.buffer.byteLength > 0) native().freeState(s.buffer);
  });

  it('loads build/Release/vgetrandom.node, forkCheck() included (a missing build fails here)', () => {
    expect(loaded.reason).toBeUndefined();
    expect(typeof native().forkCheck).toBe('function');
  });

  it('the child starts in a generation of its own; its locks, arena and dropper are usable', () => {
    const b = native();
    const cell = new Uint32Array(b.generationCell());
    for (let i = 0; i < 3; i++) mine.push(b.allocState());
    const r = b.forkCheck();
    // The fork moved the child's generation on (so every state in it rekeys), and published it
    // into the forking thread's cell.
    expect(r.childGenerationAtFork).not.toBe(r.parentGeneration);
    expect(r.childGenerationAtFork).toBeGreaterThan(r.parentGeneration);
    expect(r.childGenerationNow).toBe(r.childGenerationAtFork);
    // This thread's slices are still held in the child (their pages are zero there: wipe-on-fork).
    expect(r.childStatesHeld).toBe(r.parentStatesHeld);
    expect(r.childStatesHeld).toBeGreaterThanOrEqual(3);
    expectSoundChild(r);
    // The parent's generation is its own: the fork moved only the child's.
    expect(cell[1]! * 2 ** 32 + cell[0]!).toBeLessThan(r.childGenerationAtFork);
    expect(() => b.forkCheck(-1)).toThrow(RangeError);
    expect(() => b.forkCheck(0, '1' as never)).toThrow(TypeError);
  });

  it("the child's keys expire: a ticker runs in the child (VGETRANDOM_TICK_MS=50, in a process of its own)", () => {
    const ticks = 3;
    const r = spawnSync(process.execPath, [here('./native/fork-tick-child.mjs'), addonPath, '3', String(ticks)], {
      encoding: 'utf8',
      env: { ...process.env, VGETRANDOM_TICK_MS: '50' },
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { reports } = JSON.parse(r.stdout) as { reports: NativeForkCheck[] };
    expect(reports).toHaveLength(3);
    for (const report of reports) {
      expectSoundChild(report);
      // The child waited (at most 10 s) until its own ticker had moved its generation on `ticks`
      // times; without a ticker of its own it would have stayed at childGenerationAtFork.
      expect(report.childGenerationLater - report.childGenerationAtFork).toBeGreaterThanOrEqual(ticks);
    }
    console.log(
      `fork child ticks (50 ms period): ${reports.map((x) => `${x.childGenerationLater - x.childGenerationAtFork} in ${x.childWaitedMs} ms`).join(', ')}`,
    );
  });

  it("a worker_thread's slices and cell are dropped in the child; the forking thread's stay", async () => {
    const b = native();
    for (let i = 0; i < 4; i++) mine.push(b.allocState());
    const w = startWorker(5);
    try {
      const held = await w.next();
      expect(held).toEqual({ type: 'holding', held: 6 });
      const before = b.arenaStats();
      const r = b.forkCheck();
      // In the parent: the worker's 6 slices, this thread's, and its cell besides this thread's.
      expect(r.parentStatesInUse).toBeGreaterThanOrEqual(r.parentStatesHeld + 6);
      expect(r.parentCells).toBeGreaterThanOrEqual(2);
      // In the child: the worker's slices are free, this thread's still held.
      expect(r.childStatesHeld).toBe(r.parentStatesHeld);
      expect(r.childStatesHeld).toBeGreaterThanOrEqual(4);
      expect(r.childStatesInUse).toBe(r.childStatesHeld);
      expect(r.childStatesInUse).toBeLessThanOrEqual(r.parentStatesInUse - 6);
      expectSoundChild(r);
      // The parent is untouched: the worker still holds its slices, with their bytes.
      expect(b.arenaStats().statesInUse).toBe(before.statesInUse);
      w.worker.postMessage('check');
      expect(await w.next()).toEqual({ type: 'checked', intact: true });
    } finally {
      w.worker.postMessage('exit');
      await w.exited;
    }
  });

  it('200 forks while other threads hold the arena, dropper and generation locks: every child reports', async () => {
    const b = native();
    mine.push(b.allocState());
    // The dropper thread holds the arena lock through every round of madvise() calls; the
    // worker takes the arena lock (alloc/free/stats) and the generation lock (bump) in a loop.
    b.startDropper(0);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const w = startWorker(2, flag);
    const failures: string[] = [];
    let reported = 0;
    try {
      expect(await w.next()).toEqual({ type: 'holding', held: 3 });
      for (let i = 0; i < 200 && failures.length === 0; i++) {
        let r: NativeForkCheck;
        try {
          r = b.forkCheck();
        } catch (e) {
          failures.push(`fork ${i}: ${(e as Error).message}`);
          break;
        }
        reported++;
        // The child has no dropper and none of the worker's slices, even one it was taking.
        if (r.childDropperRunning || !r.childAllocOk || r.childStatesInUse !== r.childStatesHeld || r.childCells !== 1) {
          failures.push(`fork ${i}: ${JSON.stringify(r)}`);
        }
        if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      Atomics.store(flag, 0, 1);
    }
    const stopped = await w.next();
    w.worker.postMessage('exit');
    await w.exited;
    const drops = b.stopDropper();
    console.log(
      `200 forks under lock contention: ${reported} reported; dropper ${drops} page drops, worker ${stopped.cycles} alloc/free cycles meanwhile`,
    );
    expect(failures).toEqual([]);
    expect(reported).toBe(200);
    expect(drops).toBeGreaterThan(0);
    expect(stopped.cycles).toBeGreaterThan(0);
  });
});
