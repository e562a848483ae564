// One workload of bench/instructions.ts, run under callgrind: warms up, then makes N calls. Plain
// JavaScript over the built package (dist/), as users get it, so that no TypeScript loader runs
// under valgrind.
//
//   node bench/instructions-child.mjs <workload> <N>

import nodeCrypto from 'node:crypto';

const [workload, count] = process.argv.slice(2);
const n = Number(count);
const root = new URL('..', import.meta.url);
const lib = await import(new URL('dist/index.js', root).href);

const [kind, arg] = workload.split(':');
const buf = new Uint8Array(Number(arg) || 1);
const words = new Uint32Array(16);

/** The workloads, one call each. */
const ops = {
  getrandom: () => lib.getrandom(buf),
  randomInt: () => lib.randomInt(1000),
  nodeRandomInt: () => nodeCrypto.randomInt(1000),
  randomUUID: () => lib.randomUUID(),
  nodeRandomUUID: () => nodeCrypto.randomUUID(),
  atomicsLoad: () => Atomics.load(words, 3),
};

const op = ops[kind];
if (op === undefined) throw new Error(`bench/instructions-child.mjs: no workload ${workload}`);
let sink = 0;
for (let i = 0; i < 200_000; i++) op();
for (let i = 0; i < n; i++) sink += op() === undefined ? 0 : 1;
console.log(sink >= 0);
