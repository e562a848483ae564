#!/usr/bin/env node
// The vgetrandom command. One subcommand for now: `vgetrandom bench` (see bench/main.ts).

import { bench, USAGE, UsageError } from '../bench/main.js';
import { BenchError } from '../bench/suite.js';

const [command, ...args] = process.argv.slice(2);
try {
  if (command === undefined || command === '--help' || command === '-h' || args.includes('--help')) {
    console.log(USAGE);
  } else if (command === 'bench') {
    await bench(args);
  } else if (command === 'demo') { await (await import('../src/demo/index.js')).runDemo(args);
  } else {
    throw new UsageError(`unknown command: ${command}`);
  }
} catch (err) {
  if (!(err instanceof BenchError)) throw err;
  const usage = err instanceof UsageError;
  console.error(`vgetrandom: ${err.message}${usage ? `\n\n${USAGE}` : ''}`);
  process.exitCode = usage ? 2 : 1;
}
