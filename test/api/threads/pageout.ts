// Test worker: memory pressure on the native arena from another thread. Drops every page of the
// addon's process-wide arena (madvise(MADV_PAGEOUT)) in a tight loop until control[0] is set,
// then posts how many pages it dropped. The native counterpart of reclaimer.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { loadNative } from '../../../src/platform/addon/binding.js';

const { control } = workerData as { control: SharedArrayBuffer };
const binding = loadNative().binding!;
const stop = new Int32Array(control);
let dropped = 0;
let loops = 0;
parentPort!.postMessage({ ready: true });
while (Atomics.load(stop, 0) === 0) {
  dropped += binding.pageoutAll();
  loops++;
}
parentPort!.postMessage({ dropped, loops });
