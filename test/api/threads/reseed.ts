// Test worker for test/api/threads.test.ts: a thread on the simulated backend (VGETRANDOM_NATIVE=0)
// that draws from a shared arena and reseeds on request, to show that reseed() on any thread
// reaches the states of every thread drawing from that arena.
//
// workerData: { arena }. Messages in: 'draw' (draws 16 bytes), 'reseed' (calls reseed()); each
// is answered with { rekeys } of the default generator. Any other message ends the thread.

import { parentPort, workerData } from 'node:worker_threads';
import { type ArenaHandle, attachArena, getrandom, reseed, stats } from '../../../src/index.js';

const port = parentPort!;
attachArena((workerData as { arena: ArenaHandle }).arena);
port.on('message', (m: string) => {
  if (m === 'draw') getrandom(new Uint8Array(16));
  else if (m === 'reseed') reseed();
  else return port.close();
  port.postMessage({ rekeys: stats().rekeys });
});
