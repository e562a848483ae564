// A pool of worker threads, each drawing 16-byte random values from vgetrandom as fast as it can,
// every one from a state slice of its own in the process's one arena; prints each worker's
// throughput, then the arena's counts once the workers are gone (every slice given back).
//
//   npm run build && node examples/worker-pool.mjs [workers] [seconds]
//
// On the native backend the addon's arena is process-wide by itself; shareArena(), attachArena()
// and trackWorker() make the simulated backend (VGETRANDOM_NATIVE=0, or no addon) do the same.

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { attachArena, getrandom, info, shareArena, trackWorker } from 'vgetrandom';

if (isMainThread) {
  const workers = Number(process.argv[2] ?? availableParallelism());
  const seconds = Number(process.argv[3] ?? 1);
  const arena = shareArena();
  console.log(`${workers} workers drawing 16 B for ${seconds} s each, on the ${info().backend} backend`);

  const results = await Promise.all(
    Array.from({ length: workers }, () => {
      const worker = trackWorker(new Worker(new URL(import.meta.url), { workerData: { arena, seconds } }));
      return new Promise((resolve, reject) => {
        let result;
        worker.once('message', (m) => (result = m));
        worker.once('error', reject);
        worker.once('exit', () => resolve(result));
      });
    }),
  );

  let total = 0;
  results.forEach(({ draws, elapsed, statesInUse }, i) => {
    const rate = draws / elapsed;
    total += rate;
    console.log(`worker ${i + 1}: ${(rate / 1e6).toFixed(2)} M draws/s (the arena held ${statesInUse} states when it finished)`);
  });
  console.log(`all workers: ${(total / 1e6).toFixed(2)} M draws/s`);
  console.log('arena after the workers ended:', info().arena);
} else {
  attachArena(workerData.arena);
  const value = new Uint8Array(16);
  const start = performance.now();
  const end = start + workerData.seconds * 1000;
  let draws = 0;
  do {
    for (let i = 0; i < 1024; i++) getrandom(value);
    draws += 1024;
  } while (performance.now() < end);
  const elapsed = (performance.now() - start) / 1000;
  parentPort.postMessage({ draws, elapsed, statesInUse: info().arena.statesInUse });
}
