// A worker_thread that loads the built addon into its own env and holds state slices from the
// process-wide arena, for test/platform/native.test.ts. Plain JS: a worker cannot run the TS sources.
//
// workerData: { addonPath, count, tag, vdso, cycles }
//   - allocates `count` slices and fills each with `tag`, optionally draws from the vDSO (which
//     allocates this thread's kernel state), then reports the slices and the arena's counts;
//   - `cycles` > 0: instead, alloc/fill/verify/free that many times (a race between threads
//     handing out one slice twice shows up as a foreign byte), and reports the failures;
//   - then waits: 'check' → reports whether its slices still hold `tag`; 'exit' → closes its
//     port and ends without freeing anything (its env's teardown must return the slices).
import { parentPort, workerData } from 'node:worker_threads';

const mod = { exports: {} };
process.dlopen(mod, workerData.addonPath);
const b = mod.exports;

if (workerData.cycles > 0) {
  let failures = 0;
  for (let i = 0; i < workerData.cycles; i++) {
    const s = b.allocState();
    const u8 = new Uint8Array(s.buffer);
    if (!u8.every((x) => x === 0)) failures++;
    u8.fill(workerData.tag);
    for (let spin = 0; spin < 50; spin++) if (u8[spin % 144] !== workerData.tag) failures++;
    b.freeState(s.buffer);
  }
  parentPort.postMessage({ type: 'cycled', failures });
} else {
  const slices = [];
  for (let i = 0; i < workerData.count; i++) {
    const s = b.allocState();
    new Uint8Array(s.buffer).fill(workerData.tag);
    slices.push(s);
  }
  if (workerData.vdso) b.vdsoGetrandom(new Uint8Array(64));
  parentPort.postMessage({
    type: 'holding',
    slices: slices.map(({ pageAddr, offset }) => ({ pageAddr, offset })),
    stats: b.arenaStats(),
  });
  parentPort.on('message', (msg) => {
    if (msg === 'check') {
      const intact = slices.every((s) => new Uint8Array(s.buffer).every((x) => x === workerData.tag));
      parentPort.postMessage({ type: 'checked', intact });
    } else if (msg === 'exit') {
      parentPort.close();
    }
  });
}
