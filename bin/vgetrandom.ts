#!/usr/bin/env node
// The vgetrandom command: `vgetrandom bench` (bench/main.ts) times the library against its peers;
// `vgetrandom demo` (src/demo/) shows, step by step, how a consumer of MAP_DROPPABLE behaves.

import { bench, USAGE as BENCH_USAGE, UsageError } from '../bench/main.js';
import { BenchError } from '../bench/suite.js';
import { DEMO_USAGE, runDemo } from '../src/demo/index.js';

const USAGE = `${BENCH_USAGE}\n\n${DEMO_USAGE}`;

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'bench' && !args.includes('--help')) await bench(args);
  else if (command === 'bench') console.log(BENCH_USAGE);
  else if (command === 'demo' && !args.includes('--help')) await runDemo(args);
  else if (command === 'demo') console.log(DEMO_USAGE);
  else if (command === undefined || command === '--help' || command === '-h') console.log(USAGE);
  else throw new UsageError(`unknown command: ${command}`);
} catch (err) {
  if (!(err instanceof BenchError)) throw err;
  const usage = err instanceof UsageError;
  console.error(`vgetrandom: ${err.message}${usage ? `\n\n${USAGE}` : ''}`);
  process.exitCode = usage ? 2 : 1;
}
