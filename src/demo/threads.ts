// Step 7: worker threads taking state slices from one arena, each its own. Native: each worker
// loads the addon into its own env and takes a slice with allocState(), as a native generator
// does (NativeAllocator.allocate), from the process-wide arena under the addon's mutex; it
// reports the slice's page and offset and gives it back when told. Simulated: the simulated
// arena's free list is JavaScript in the main thread, so each worker asks the main thread, which
// hands it a slice of the shared (SharedArrayBuffer) page; the one event loop plays the mutex.
// The workers are small plain-JS scripts (no library code), so they run wherever Node does.

import { Worker } from 'node:worker_threads';
import { STATE_SIZE } from '../core/state.js';
import type { Generator } from '../index.js';
import { loadNative } from '../platform/addon/binding.js';
import type { DemoContext } from './context.js';
import type { ThreadFacts, WorkerSlice } from './facts.js';
import { hexAddr, simulatedSlice } from './inspect.js';

export const WORKERS = 4;
const TIMEOUT_MS = 10_000;

const NATIVE_WORKER = `
const { parentPort, workerData, threadId } = require('node:worker_threads');
const addon = { exports: {} };
process.dlopen(addon, workerData.addonPath);
const s = addon.exports.allocState();
const fresh = new Uint8Array(s.buffer).every((x) => x === 0);
parentPort.postMessage({ type: 'slice', threadId, pageAddr: s.pageAddr, offset: s.offset, fresh });
parentPort.once('message', () => {
  addon.exports.freeState(s.buffer);
  parentPort.close();
});
`;

const SIMULATED_WORKER = `
const { parentPort, workerData, threadId } = require('node:worker_threads');
parentPort.postMessage({ type: 'alloc' });
parentPort.once('message', ({ buffer, byteOffset, pageAddr, offset }) => {
  const fresh = new Uint8Array(buffer, byteOffset, workerData.stateSize).every((x) => x === 0);
  parentPort.postMessage({ type: 'slice', threadId, pageAddr, offset, fresh });
  parentPort.once('message', () => parentPort.close());
});
`;

type Message = { type: 'alloc' } | ({ type: 'slice' } & WorkerSlice);

export async function threads(ctx: DemoContext): Promise<ThreadFacts> {
  const native = ctx.binding !== null;
  // The addon counts the whole process's states; the simulated arena's count is not public.
  const inUse = () => (native ? ctx.native().arenaStats().statesInUse : 0);
  // Simulated: the generators whose slices the workers were handed, released at the end.
  const held: Generator[] = [];
  const before = inUse();
  const workers: Worker[] = [];
  let during = before;
  let slices: WorkerSlice[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const reports = Array.from({ length: WORKERS }, () => {
      const worker = native
        ? new Worker(NATIVE_WORKER, { eval: true, workerData: { addonPath: loadNative().path } })
        : new Worker(SIMULATED_WORKER, { eval: true, workerData: { stateSize: STATE_SIZE } });
      workers.push(worker);
      return new Promise<WorkerSlice>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`a worker exited (code ${code}) before reporting its slice`)));
        worker.on('message', (m: Message) => {
          if (m.type === 'slice') {
            const { threadId, pageAddr, offset, fresh } = m;
            resolve({ threadId, pageAddr, offset, fresh });
            return;
          }
          // A simulated worker asks for a slice: a generator's, on the demo's mm.
          const gen = ctx.generator('simulated');
          held.push(gen);
          const { buffer, byteOffset } = gen.state;
          worker.postMessage({ buffer, byteOffset, ...simulatedSlice(ctx.mm, gen.state) });
        });
      });
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the workers did not report within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    });
    slices = await Promise.race([Promise.all(reports), timeout]);
    during = inUse();
  } finally {
    clearTimeout(timer);
    const exits = workers.map((w) => new Promise<void>((resolve) => (w.threadId === -1 ? resolve() : w.once('exit', () => resolve()))));
    for (const w of workers) w.postMessage('done');
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise((resolve) => (grace = setTimeout(resolve, 2000)))]);
    clearTimeout(grace);
    for (const w of workers) await w.terminate();
    for (const gen of held) gen.release();
    held.length = 0;
  }
  const after = inUse();

  const distinct = new Set(slices.map((s) => `${s.pageAddr}+${s.offset}`)).size === slices.length;
  const pages = [...new Set(slices.map((s) => s.pageAddr))];
  const where = pages
    .map(
      (p) =>
        `page ${hexAddr(p)} offsets ${slices
          .filter((s) => s.pageAddr === p)
          .map((s) => s.offset)
          .sort((a, b) => a - b)
          .join(', ')}`,
    )
    .join('; ');
  const allocator = native
    ? "the addon's process-wide arena (allocState, under its mutex)"
    : "the main thread's simulated arena (its free list is JavaScript, so the main thread hands slices out)";
  const sentence =
    `${WORKERS} worker threads each took a state slice from ${native ? "the addon's one process-wide arena" : 'one simulated arena through the main thread'}: ` +
    `${where}, ${distinct ? 'all distinct' : 'NOT distinct'}` +
    (native ? `; the arena's states in use went ${before} → ${during} → ${after} as they took and gave them back.` : '.');
  return {
    sentence,
    backend: ctx.backend,
    allocator,
    workers: slices,
    distinct,
    pages,
    ...(native ? { statesInUse: { before, during, after } } : {}),
  };
}
