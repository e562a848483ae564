// Test worker: memory pressure from another thread. Attaches to a simulated mm through the
// handle in workerData and reclaims its droppable pages: once, posting how many it dropped,
// or, given a `control` SharedArrayBuffer, in a tight loop until control[0] is set.

import { parentPort, workerData } from 'node:worker_threads';
import { SimulatedMm, type SimulatedMmHandle } from '../../src/mm/index.js';

const { handle, control } = workerData as { handle: SimulatedMmHandle; control?: SharedArrayBuffer };
const mm = SimulatedMm.attach(handle);
if (control === undefined) {
  parentPort!.postMessage(mm.reclaim());
} else {
  const stop = new Int32Array(control);
  let dropped = 0;
  let loops = 0;
  parentPort!.postMessage({ ready: true });
  while (Atomics.load(stop, 0) === 0) {
    dropped += mm.reclaim();
    loops++;
  }
  parentPort!.postMessage({ dropped, loops });
}
