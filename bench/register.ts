// vgetrandom/register against Node's own random functions, each side in a process of its own:
// what an application's dependencies get from `node --import vgetrandom/register`, with no code
// change. Workloads: uuid's v4(), nanoid(), crypto.randomBytes(16), crypto.randomUUID(), each as
// the dependency calls it. Children alternate (plain, registered, plain, …) so that drift in the
// shared machine's speed hits both sides alike; the speed-up is plain ÷ registered, per workload,
// from the median over children of each child's median.
//
//   node --import tsx bench/register.ts [--children N]

import { spawnSync } from 'node:child_process';
import nodeCrypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { v4 as uuidV4 } from 'uuid';
import { type Measured, measure, median, timeJs } from './measure.js';

const WORKLOADS: Record<string, () => unknown> = {
  'uuid v4()': () => uuidV4(),
  'nanoid()': () => nanoid(),
  'crypto.randomBytes(16)': () => nodeCrypto.randomBytes(16),
  'crypto.randomUUID()': () => nodeCrypto.randomUUID(),
};
const PLAN = { rounds: 15, sampleMs: 10, warmupMs: 50 };
const SELF = fileURLToPath(import.meta.url);
const REGISTER = fileURLToPath(new URL('../src/register.ts', import.meta.url));

/** In a child: each workload's median ns per call, and whether register served it. */
function child(): void {
  const measured: Measured[] = measure(Object.values(WORKLOADS).map(timeJs), PLAN, () => {});
  const registered = (globalThis as { [k: symbol]: unknown })[Symbol.for('vgetrandom.register')] !== undefined;
  console.log(JSON.stringify({ registered, ns: measured.map((m) => m.stats.median) }));
}

/** Runs one child, plain or with --import of the register entry; its medians. */
function runChild(registered: boolean): number[] {
  const args = ['--import', 'tsx', ...(registered ? ['--import', REGISTER] : []), SELF, '--child'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/register.ts: a child failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { registered: boolean; ns: number[] };
  if (out.registered !== registered) throw new Error('bench/register.ts: the child did not register as asked');
  return out.ns;
}

function main(): void {
  const at = process.argv.indexOf('--children');
  const children = at === -1 ? 5 : Number(process.argv[at + 1]);
  const plain: number[][] = [];
  const served: number[][] = [];
  for (let i = 0; i < children; i++) {
    plain.push(runChild(false));
    served.push(runChild(true));
  }
  const names = Object.keys(WORKLOADS);
  const col = (rows: number[][], j: number) => median(rows.map((r) => r[j]!));
  const fmt = (ns: number) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`);
  console.log(`ns per call, median of ${children} processes each (${process.version}); speed-up = without ÷ with register`);
  console.log(`${'workload'.padEnd(26)}${'without'.padStart(12)}${'with register'.padStart(16)}${'speed-up'.padStart(11)}`);
  names.forEach((name, j) => {
    const a = col(plain, j);
    const b = col(served, j);
    console.log(`${name.padEnd(26)}${fmt(a).padStart(12)}${fmt(b).padStart(16)}${`${(a / b).toFixed(2)}×`.padStart(11)}`);
  });
}

if (process.argv.includes('--child')) child();
else main();
