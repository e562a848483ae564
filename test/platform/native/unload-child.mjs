// Regression child for test/platform/native.test.ts: the main thread never loads the addon; three
// workers load it, start the generation ticker, and exit. With VGETRANDOM_TICK_MS=100 the ticker
// wakes after they are gone: the library must still be mapped (it is linked -z nodelete), or the
// process dies with SIGSEGV. argv[2]: the built addon. Prints "alive" if it survives.
import { Worker } from 'node:worker_threads';

const code = `
  const { workerData } = require('node:worker_threads');
  const m = { exports: {} };
  process.dlopen(m, workerData);
  m.exports.generationCell();
`;
for (let i = 0; i < 3; i++) {
  const w = new Worker(code, { eval: true, workerData: process.argv[2] });
  await new Promise((resolve, reject) => w.once('exit', resolve).once('error', reject));
}
await new Promise((resolve) => setTimeout(resolve, 500));
console.log('alive');
