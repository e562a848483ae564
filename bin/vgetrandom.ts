#!/usr/bin/env node
// The vgetrandom command: `vgetrandom bench` (bench/main.ts) times the library against its peers;
// `vgetrandom demo` (src/demo/) shows, step by step, how a consumer of MAP_DROPPABLE behaves;
// `vgetrandom --version` prints the package's version.

import { readFileSync } from 'node:fs';
import { USAGE as BENCH_USAGE, bench, UsageError } from '../bench/main.js';
import { BenchError } from '../bench/suite.js';
import { DEMO_USAGE, runDemo } from '../src/demo/index.js';

const USAGE = `${BENCH_USAGE}\n\n${DEMO_USAGE}\n\nvgetrandom --version    the version of this package`;

/** The version in package.json, one directory up from this file (bin/ in a checkout, dist/ installed). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'bench' && !args.includes('--help')) await bench(args);
  else if (command === 'bench') console.log(BENCH_USAGE);
  else if (command === 'demo' && !args.includes('--help')) await runDemo(args);
  else if (command === 'demo') console.log(DEMO_USAGE);
  else if (command === '--version' || command === '-v') console.log(version());
  else if (command === undefined || command === '--help' || command === '-h') console.log(USAGE);
  else throw new UsageError(`unknown command: ${command}`);
} catch (err) {
  if (!(err instanceof BenchError)) throw err;
  const usage = err instanceof UsageError;
  console.error(`vgetrandom: ${err.message}${usage ? `\n\n${USAGE}` : ''}`);
  process.exitCode = usage ? 2 : 1;
}
