// Instructions per call, counted by callgrind: what bounds a target that timing on a shared VM
// cannot settle. Each workload runs in two processes under valgrind, with 1M and 3M calls after
// the same warm-up; the difference over 2M calls is the cost of one call, startup and JIT
// compilation cancelled out (V8 runs single-threaded, so its compilation is the same in both).
// Where a call makes Atomics.load calls, the builtin's share is given as well. Counts, not cycles:
// they say how much work a call does, not how fast the CPU retires it. The vDSO has no row:
// valgrind does not hand a process the kernel's vDSO, so the addon cannot find it there.
//
// Needs valgrind and a built package (npm run build): it measures dist/, as users get it.
//   node --import tsx bench/instructions.ts

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('instructions-child.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const [FEW, MANY] = [1_000_000, 3_000_000];

/** [label, workload] pairs, peers side by side. */
const WORKLOADS: [string, string][] = [
  ...[1, 16, 64].map((size): [string, string] => [`getrandom() ${size} B`, `getrandom:${size}`]),
  ['randomInt(1000)', 'randomInt'],
  ['crypto.randomInt(1000)', 'nodeRandomInt'],
  ['randomUUID()', 'randomUUID'],
  ['crypto.randomUUID()', 'nodeRandomUUID'],
  ['Atomics.load() alone', 'atomicsLoad'],
];

interface Count {
  total: number;
  atomics: number;
}

/** The instructions of one child under callgrind: all of them, and those of the AtomicsLoad builtin. */
function counted(workload: string, calls: number, dir: string): Promise<Count> {
  const out = join(dir, `${workload.replace(':', '-')}-${calls}.cg`);
  const args = ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', CHILD, workload, String(calls)];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`valgrind ${workload} ${calls}: exit ${status}\n${stderr}`));
      const annotated = spawnSync('callgrind_annotate', [out], { encoding: 'utf8' }).stdout;
      const ir = (pattern: RegExp) => Number((annotated.match(pattern)?.[1] ?? '0').replaceAll(',', ''));
      resolve({ total: ir(/^\s*([\d,]+) .*PROGRAM TOTALS/m), atomics: ir(/^\s*([\d,]+) .*Builtins_AtomicsLoad/m) });
    });
  });
}

if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('bench/instructions.ts needs valgrind on PATH');
if (!existsSync(DIST)) throw new Error('bench/instructions.ts measures the built package: run npm run build first');

const dir = mkdtempSync(join(tmpdir(), 'vgetrandom-callgrind-'));
try {
  console.log(`instructions per call (callgrind, Node ${process.version}, ${MANY - FEW} calls' difference)`);
  console.log(`${'workload'.padEnd(28)}${'total'.padStart(8)}${'Atomics.load'.padStart(14)}`);
  for (const [label, workload] of WORKLOADS) {
    // The two sizes at once: one per core.
    const [few, many] = await Promise.all([counted(workload, FEW, dir), counted(workload, MANY, dir)]);
    const per = (a: number, b: number) => Math.round((b - a) / (MANY - FEW));
    const atomics = per(few.atomics, many.atomics);
    console.log(`${label.padEnd(28)}${String(per(few.total, many.total)).padStart(8)}${(atomics > 0 ? String(atomics) : '').padStart(14)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
