// Test worker for test/api/threads.test.ts, plain JS so that a thousand of them start fast: imports
// the library from the bundle at workerData.lib (a file URL), attaches workerData.arena, and
// takes a state slice on every backend: its default generator's (native where the addon loads)
// and a simulated generator's, each drawing 16 bytes. Then it ends as workerData.end says:
// 'terminate' — posts 'drawn' and waits to be terminated; 'throw' — an uncaught exception.
import { parentPort, workerData } from 'node:worker_threads';

const { attachArena, createGenerator, getrandom } = await import(workerData.lib);
attachArena(workerData.arena);
getrandom(new Uint8Array(16));
// Held to the end: the slice must come back through the thread's end, not a finalizer.
globalThis.simulated = createGenerator({ backend: 'simulated' });
globalThis.simulated.getrandom(new Uint8Array(16));
if (workerData.end === 'throw') throw new Error('this worker fails on purpose');
parentPort.postMessage('drawn');
parentPort.on('message', () => {});
