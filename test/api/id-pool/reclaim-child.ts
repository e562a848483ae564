// Run with VGETRANDOM_NATIVE=0: the ID pool on the simulated backend while another thread
// reclaims the shared arena's pages in a tight loop (test/helpers/reclaimer.ts). Draws
// randomInt(2^48 − 1) and randomUUID() until the generator has rekeyed 200 times (each rekey
// is a drop that reached its state) or 3 s passed, and prints JSON: how many draws were zero
// (randomInt) or held a zero 32-bit word (randomUUID), each about 2^-32 or rarer by chance, and
// what the reclaimer and the generator saw.

import { once } from 'node:events';
import { randomInt, randomUUID, shareArena, stats } from '../../../src/index.js';
import { tsWorker } from '../../helpers/ts-worker.js';

randomUUID(); // the pool exists before the arena is shared
const handle = shareArena();
const control = new SharedArrayBuffer(8);
const worker = tsWorker(new URL('../../helpers/reclaimer.ts', import.meta.url), { workerData: { handle: handle.mm, control } });
await once(worker, 'message'); // attached and looping

let draws = 0;
let zeroInts = 0;
let zeroWords = 0;
const rekeysBefore = stats().rekeys;
const deadline = Date.now() + 3000;
while (stats().rekeys - rekeysBefore < 200 && Date.now() < deadline) {
  for (let i = 0; i < 1000; i++) {
    if (randomInt(2 ** 48 - 1) === 0) zeroInts++;
    const hex = randomUUID().replaceAll('-', '');
    for (let w = 0; w < 32; w += 8) if (hex.slice(w, w + 8) === '00000000') zeroWords++;
    draws++;
  }
}
Atomics.store(new Int32Array(control), 0, 1);
const [reclaimer] = (await once(worker, 'message')) as [{ dropped: number; loops: number }];
await worker.terminate();
console.log(JSON.stringify({ draws, zeroInts, zeroWords, reclaimed: reclaimer.dropped, rekeys: stats().rekeys - rekeysBefore }));
