// Test worker: a generator on the native backend that draws 16 bytes each time the parent asks
// and answers with its rekey count, so the parent can reseed the kernel between two draws.

import { parentPort } from 'node:worker_threads';
import { createGenerator } from '../../../src/index.js';

const gen = createGenerator({ backend: 'native' });
const buf = new Uint8Array(16);
parentPort!.on('message', (message: string) => {
  if (message === 'stop') {
    gen.release();
    parentPort!.close();
    return;
  }
  gen.getrandom(buf);
  parentPort!.postMessage(gen.stats().rekeys);
});
