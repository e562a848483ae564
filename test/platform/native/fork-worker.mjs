// A worker_thread for test/platform/native-fork.test.ts: loads the built addon into its own env, so that
// a fork from the main thread has another thread's slices and generation cell to drop. Plain JS:
// a worker cannot run the TS sources.
//
// workerData: { addonPath, count, flag }
//   - registers its generation cell, allocates `count` slices (filled with 0x5a) and draws once
//     from the kernel's vDSO (which allocates its vDSO state: count + 1 slices in all);
//   - `flag` (an Int32Array over a SharedArrayBuffer) given: then, until flag[0] is set, takes
//     and frees slices, moves the generation on and reads the arena's counts in a loop, so that
//     the arena and generation locks are held by this thread at arbitrary instants; reports
//     { type: 'stopped', cycles } when done;
//   - otherwise waits: 'check' → whether its slices still hold 0x5a; 'exit' → ends (its env's
//     teardown returns the slices).
import { parentPort, workerData } from 'node:worker_threads';

const mod = { exports: {} };
process.dlopen(mod, workerData.addonPath);
const b = mod.exports;

b.generationCell();
const slices = Array.from({ length: workerData.count }, () => {
  const s = b.allocState();
  new Uint8Array(s.buffer).fill(0x5a);
  return s;
});
b.vdsoGetrandom(new Uint8Array(16));
parentPort.postMessage({ type: 'holding', held: workerData.count + 1 });

if (workerData.flag !== undefined) {
  let cycles = 0;
  while (Atomics.load(workerData.flag, 0) === 0) {
    const s = b.allocState();
    new Uint8Array(s.buffer)[0] = 1;
    b.freeState(s.buffer);
    if (++cycles % 8 === 0) b.bumpGeneration();
    if (cycles % 8 === 4) b.arenaStats();
  }
  parentPort.postMessage({ type: 'stopped', cycles });
}
parentPort.on('message', (msg) => {
  if (msg === 'check') {
    parentPort.postMessage({ type: 'checked', intact: slices.every((s) => new Uint8Array(s.buffer).every((x) => x === 0x5a)) });
  } else if (msg === 'exit') {
    parentPort.close();
  }
});
