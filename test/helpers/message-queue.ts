// The messages of a worker thread, in order, for tests that talk to a worker step by step:
// next() resolves with the next message, whether it came before or after the call.

import type { Worker } from 'node:worker_threads';

export function messageQueue<M>(worker: Worker): () => Promise<M> {
  const messages: M[] = [];
  const waiters: ((m: M) => void)[] = [];
  worker.on('message', (m: M) => {
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  });
  return () => {
    const m = messages.shift();
    return m !== undefined ? Promise.resolve(m) : new Promise<M>((resolve) => waiters.push(resolve));
  };
}
