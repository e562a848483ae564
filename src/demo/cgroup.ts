// Step 4, the kernel's own reclaim of a whole cgroup: a child process holding an idle generator
// is moved into a fresh v1 memory cgroup, and memory.force_empty makes the kernel reclaim every
// page charged to it, which drops the child's droppable state page (design.md §3, measured).
// Needs root and a cgroup v1 memory controller; the demo says why when it cannot.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { GeneratorStats } from '../index.js';
import { childArgs } from './child.js';
import type { DropFacts } from './facts.js';

const MEMCG = '/sys/fs/cgroup/memory';
/** The child must answer each request within this long. */
const REPLY_MS = 8000;

export type CgroupDrop = { facts: DropFacts; stats: GeneratorStats } | { reason: string };

/** Why the cgroup drop cannot run here, or undefined if it can. */
export function cgroupUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(join(MEMCG, 'cgroup.procs'))) return `needs a cgroup v1 memory controller at ${MEMCG}`;
  return undefined;
}

export async function cgroupDrop(): Promise<CgroupDrop> {
  const unavailable = cgroupUnavailable();
  if (unavailable !== undefined) return { reason: unavailable };
  const run = childArgs('cgroup-child');
  if ('reason' in run) return { reason: run.reason };

  const cg = join(MEMCG, `vgetrandom-demo-${process.pid}`);
  const child = spawn(process.execPath, run.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the child did not answer within ${REPLY_MS} ms`)), REPLY_MS);
    });
    try {
      const line = await Promise.race([lines.next(), timeout]);
      if (line.done === true) throw new Error(`the child exited early${stderr === '' ? '' : `: ${stderr.trim().split('\n')[0]}`}`);
      return line.value;
    } finally {
      clearTimeout(timer);
    }
  };
  const expect = async (want: string) => {
    const got = await next();
    if (got !== want) throw new Error(`the child said ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
  };

  try {
    await expect('ready');
    mkdirSync(cg);
    writeFileSync(join(cg, 'cgroup.procs'), String(child.pid));
    child.stdin.write('fill\n');
    await expect('filled');
    // The kernel reclaims everything charged to the cgroup: the idle state's page is dropped.
    writeFileSync(join(cg, 'memory.force_empty'), '0');
    child.stdin.write('check\n');
    const seen = JSON.parse(await next()) as Omit<DropFacts, 'method' | 'where'> & { stats: GeneratorStats };
    const { stats, ...rest } = seen;
    return { facts: { method: 'memory.force_empty', where: `child ${child.pid} in memory cgroup ${basename(cg)}`, ...rest }, stats };
  } catch (err) {
    return { reason: `the cgroup child failed: ${(err as Error).message}` };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
    try {
      if (existsSync(cg)) rmdirSync(cg);
    } catch {
      // Left behind if the kernel still counts the exiting child in it; harmless and empty.
    }
  }
}
