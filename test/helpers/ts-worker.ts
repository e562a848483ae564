// Starts a worker thread that runs a TypeScript file of this repository (through tsx), so
// tests can put library code on a second thread without a build.

import { Worker, type WorkerOptions } from 'node:worker_threads';

export function tsWorker(file: URL, options: WorkerOptions = {}): Worker {
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
