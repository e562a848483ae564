// The kernel's CRNG generation (native/kernelgen.c, src/platform/generation-sources.ts): a kernel
// reseed reaches every state before its next output, on every thread, at once where the kernel's
// rng data is mapped and within the poll interval where it is polled. The reseeds are real
// (ioctl RNDRESEEDCRNG, as root), so this file runs after every other (vitest.config.ts): a
// reseed moves the generation of every process on the machine.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createGenerator, getrandom, info, stats } from '../../src/index.js';
import { loadNative } from '../../src/platform/addon/binding.js';
import { tsWorker } from '../helpers/ts-worker.js';

const { binding, reason } = loadNative();
const isRoot = process.getuid?.() === 0;
const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/** The addon, or a failure that says why it is missing (Linux x64 must have it: never a skip). */
function addon() {
  if (binding === null) throw new Error(`the native addon is missing: ${reason}`);
  return binding;
}

/** Runs a child script of this folder through tsx with `env` added; core dumps off. */
function child(script: string, env: Record<string, string> = {}) {
  return spawnSync('sh', ['-c', 'ulimit -c 0; exec "$0" --import tsx "$1"', process.execPath, here(`./kernel-generation/${script}`)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

/** Sends `message` to `worker` and resolves with its answer. */
function ask(worker: Worker, message: string): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(message);
  });
}

describe('the kernel’s CRNG generation', () => {
  it('is mapped where the vDSO has getrandom (Linux 6.11+ x86-64): read where the kernel keeps it', () => {
    const b = addon();
    const { vdso } = b.info();
    expect(vdso).toBe(true);
    expect(info().kernelGeneration).toBe('mapped');
    const cell = b.kernelGenerationCell();
    expect(cell).not.toBeNull();
    // The word is the low word of the generation the vDSO itself reads (read again if a reseed
    // landed between the two reads).
    const word = new Uint32Array(cell!);
    const agree = () => b.kernelGeneration().now % 2 ** 32 === word[0];
    expect(agree() || agree()).toBe(true);
    expect(b.kernelGeneration().now).toBeGreaterThan(0);
  });

  it.skipIf(!isRoot)('a kernel reseed makes the very next draw rekey, on every kind of generator of this thread', () => {
    const b = addon();
    const gens = [createGenerator({ backend: 'native' }), createGenerator({ backend: 'native', reseedIntervalMs: 30_000 })];
    const buf = new Uint8Array(16);
    for (const g of gens) g.getrandom(buf);
    getrandom(buf);
    const before = [...gens.map((g) => g.stats().rekeys), stats().rekeys];
    const kernelBefore = b.kernelGeneration().now;
    b.kernelReseed();
    expect(b.kernelGeneration().now).toBeGreaterThan(kernelBefore);
    for (const g of gens) g.getrandom(buf);
    getrandom(buf);
    expect([...gens.map((g) => g.stats().rekeys), stats().rekeys]).toEqual(before.map((n) => n + 1));
    for (const g of gens) g.release();
  });

  it.skipIf(!isRoot)('a kernel reseed makes the very next draw of a worker thread rekey', async () => {
    const b = addon();
    const worker = tsWorker(new URL('./kernel-generation/worker.ts', import.meta.url));
    try {
      await ask(worker, 'draw');
      const before = await ask(worker, 'draw');
      b.kernelReseed();
      expect(await ask(worker, 'draw')).toBe(before + 1);
    } finally {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });

  it('without a reseed, 10^5 draws fetch no extra key', () => {
    const b = addon();
    // The kernel reseeds on its own (every 60 s or so) and our ticker ticks (59 s): either moving
    // in between allows one rekey each. Both are read before the first draw.
    const cell = new Uint32Array(b.generationCell());
    const [kernel0, own0] = [b.kernelGeneration().now, cell[0]];
    const gen = createGenerator({ backend: 'native' });
    const buf = new Uint8Array(16);
    gen.getrandom(buf);
    const rekeys0 = gen.stats().rekeys;
    for (let i = 0; i < 100_000; i++) gen.getrandom(buf);
    const moved = b.kernelGeneration().now - kernel0 + (cell[0] === own0 ? 0 : 1);
    expect(gen.stats().rekeys - rekeys0).toBeLessThanOrEqual(moved);
    if (moved === 0) expect(gen.stats().rekeys).toBe(rekeys0);
    gen.release();
  });

  it.skipIf(!isRoot)(
    'polled (VGETRANDOM_KERNEL_GENERATION=poll): a kernel reseed reaches a generator within the poll interval, and nothing else does',
    () => {
      const r = child('polled-child.ts', { VGETRANDOM_KERNEL_GENERATION: 'poll' });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { mode: string; pollMs: number; rekeyed: boolean; waitedMs: number; quietRekeys: number };
      expect(out.mode).toBe('polled');
      expect(out.pollMs).toBeLessThanOrEqual(50);
      expect(out.rekeyed).toBe(true);
      expect(out.quietRekeys).toBe(0);
    },
  );

  it('a re-check that disagrees with the mapped word switches to polling for good, and every state rekeys', () => {
    const r = child('recheck-child.ts', { VGETRANDOM_KERNEL_RECHECK_FAIL: '1', VGETRANDOM_TICK_MS: '50' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: 'mapped', after: 'polled', rekeyed: true });
  });

  it('the mapped word cannot be written from JavaScript: the write faults, and the kernel’s word stays', () => {
    const b = addon();
    const before = b.kernelGeneration().now;
    const r = child('write-child.ts');
    expect(r.signal).toBe('SIGSEGV');
    expect(r.stdout).not.toContain('written');
    const seen = Number(r.stdout.trim());
    expect(seen).toBeGreaterThanOrEqual(before % 2 ** 32);
    expect(b.kernelGeneration().now).toBeLessThan(before + 1000);
  });

  it('before the low word of the generation wraps, every state and ID pool is expired: none filled before can match after', () => {
    const start = 2 ** 32 - 16;
    const r = child('wrap-child.ts', { VGETRANDOM_GENERATION_START: String(start) });
    expect(r.stderr).toBe('');
    const { before, after, rekeys, pool } = JSON.parse(r.stdout) as { before: number[]; after: number[]; rekeys: number; pool: number[][] };
    expect(before[0]).toBe(start);
    expect(after).toEqual([0, 0]);
    expect(rekeys).toBe(2);
    expect(pool[0]![0]).toBe(start);
    expect(pool[1]).toEqual([0, 0]);
  });

  it.skipIf(!isRoot)(
    'without the addon (VGETRANDOM_NATIVE=0) nothing follows it: info() says none, and a reseed of the kernel changes nothing',
    () => {
      const r = child('simulated-child.ts', { VGETRANDOM_NATIVE: '0' });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ backend: 'simulated', kernelGeneration: 'none', rekeys: 1 });
    },
  );

  it.skipIf(!isRoot)('where the addon loads, a generator on the simulated backend follows it too (its generation is the process’s)', () => {
    const gen = createGenerator({ backend: 'simulated' });
    const buf = new Uint8Array(16);
    gen.getrandom(buf);
    addon().kernelReseed();
    gen.getrandom(buf);
    expect(gen.stats().rekeys).toBe(2);
    gen.release();
  });
});
