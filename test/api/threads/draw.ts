// Test worker for test/api/threads.test.ts: a thread that imports vgetrandom and draws from its
// default generator (module-level getrandom()), as an application's worker would.
//
// workerData: { arena?, draws, start?, lateDraw? }
//   - attaches `arena` (a handle from shareArena(); none: an arena of its own), then notes where
//     its default generator's state slice is (the allocator's first allocation here is that
//     generator's);
//   - `start` given: posts { type: 'ready' } and waits until start[0] is set, so that workers
//     draw at once;
//   - draws `draws` 16-byte values into one buffer and posts { type: 'drawn', values, slice, info }
//     (the buffer transferred);
//   - `lateDraw` given (16 bytes + 2 Int32): registers a process 'exit' listener after the
//     library's, which draws 16 bytes into lateDraw[0..16) and stores the generator's fallbacks
//     before and after that draw at Int32 4 and 5;
//   - then returns when told to (any message): a normal exit, with no slice freed by hand.

import { parentPort, workerData } from 'node:worker_threads';
import { allocatorFor } from '../../../src/arena/backends.js';
import { type ArenaHandle, attachArena, getrandom, info, stats } from '../../../src/index.js';

const { arena, draws, start, lateDraw } = workerData as {
  arena?: ArenaHandle;
  draws: number;
  start?: SharedArrayBuffer;
  lateDraw?: SharedArrayBuffer;
};
const port = parentPort!;

attachArena(arena);
const allocator = allocatorFor({});
const allocate = allocator.allocate.bind(allocator);
let slice: { pageAddr: number; offset: number } | undefined;
allocator.allocate = () => {
  const s = allocate();
  slice ??= { pageAddr: s.pageAddr, offset: s.offset };
  return s;
};

if (start !== undefined) {
  port.postMessage({ type: 'ready' });
  Atomics.wait(new Int32Array(start), 0, 0);
}
const values = new Uint8Array(draws * 16);
const one = new Uint8Array(16);
for (let i = 0; i < draws; i++) {
  getrandom(one);
  values.set(one, i * 16);
}
port.postMessage({ type: 'drawn', values, slice, info: info() }, [values.buffer]);

if (lateDraw !== undefined) {
  process.on('exit', () => {
    const counts = new Int32Array(lateDraw, 16, 2);
    counts[0] = stats().fallbacks;
    getrandom(new Uint8Array(lateDraw, 0, 16));
    counts[1] = stats().fallbacks;
  });
}
port.once('message', () => port.close());
