// The generation sources: the clock-driven one (key expiry by a clock) and the addon's
// process-wide one (a ticker thread in C, reseed() for every thread).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currentGeneration, nextGeneration } from '../../src/core/generation.js';
import { createGenerator, reseed } from '../../src/index.js';
import { loadNative } from '../../src/platform/addon/binding.js';
import { ClockGeneration, NativeGeneration } from '../../src/platform/generation-sources.js';
import { BACKENDS } from '../helpers/backends.js';
import { tsWorker } from '../helpers/ts-worker.js';

describe('ClockGeneration', () => {
  it('starts at 1 and moves on when the interval has run out, not before', () => {
    let now = 1000;
    const g = new ClockGeneration(() => now, 10);
    expect(currentGeneration(g)).toBe(1);
    now = 1009.999;
    expect(currentGeneration(g)).toBe(1);
    now = 1010;
    expect(currentGeneration(g)).toBe(2);
    // The next interval starts when the last one was noticed to end.
    now = 1019.9;
    expect(currentGeneration(g)).toBe(2);
    now = 1020;
    expect(currentGeneration(g)).toBe(3);
  });

  it('bump() moves on at once and restarts the interval', () => {
    let now = 0;
    const g = new ClockGeneration(() => now, 10);
    now = 8;
    g.bump();
    expect(currentGeneration(g)).toBe(2);
    now = 17;
    expect(currentGeneration(g)).toBe(2);
    now = 18;
    expect(currentGeneration(g)).toBe(3);
  });

  it('fails closed on a clock that returns NaN: every check is a new generation', () => {
    const g = new ClockGeneration(() => Number.NaN, 10);
    expect(currentGeneration(g)).toBe(2);
    expect(currentGeneration(g)).toBe(3);
  });

  it('keeps its two words (what generators compare) equal to the generation, low word first', () => {
    let now = 0;
    const g = new ClockGeneration(() => now, 10);
    const words = () => [g.low[0], g.high[0]];
    expect(words()).toEqual([1, 0]);
    for (let i = 0; i < 5; i++) g.bump();
    expect(words()).toEqual([6, 0]);
    now = 100; // an expiry is seen by sync(), as by every check of a generator
    g.sync();
    expect(words()).toEqual([7, 0]);
    expect(currentGeneration(g)).toBe(7);
  });

  it("rejects an interval that is not in (0, 60 s]: no key may outlive the kernel's 60 s", () => {
    for (const ms of [0, -1, Number.NaN, 60_001, Infinity]) expect(() => new ClockGeneration(() => 0, ms)).toThrow(RangeError);
    expect(currentGeneration(new ClockGeneration(() => 0, 60_000))).toBe(1);
  });

  it('moves on when the clock goes back: how far back is unknown, so the key may be old', () => {
    let now = 5000;
    const g = new ClockGeneration(() => now, 1000);
    now = 4999;
    expect(currentGeneration(g)).toBe(2);
    // The new interval starts at the reading that went back.
    now = 5998;
    expect(currentGeneration(g)).toBe(2);
    now = 5999;
    expect(currentGeneration(g)).toBe(3);
  });

  it('follows a shared reseed counter: moves when it moves, and bump() moves it', () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const [a, b] = [new ClockGeneration(() => 0, 1000), new ClockGeneration(() => 0, 1000)];
    a.follow(counter);
    b.follow(counter);
    expect([currentGeneration(a), currentGeneration(b)]).toEqual([1, 1]);
    Atomics.add(counter, 0, 1);
    expect([currentGeneration(a), currentGeneration(b)]).toEqual([2, 2]);
    expect([currentGeneration(a), currentGeneration(b)]).toEqual([2, 2]);
    a.bump();
    expect([currentGeneration(a), currentGeneration(b)]).toEqual([3, 3]);
  });

  it('by default expires keys by the wall clock, so that a suspend (the wall clock runs, the monotonic one stops) cannot stretch a key past 60 s', () => {
    const child = fileURLToPath(new URL('./generation/suspend-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
      encoding: 'utf8',
      env: { ...process.env, VGETRANDOM_NATIVE: '0' },
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ fresh: 1, after59s: 1, after61s: 2, setBack: 3 });
  });

  it('never uses a generation whose low word is 0', () => {
    expect(nextGeneration(1)).toBe(2);
    expect(nextGeneration(2 ** 32 - 1)).toBe(2 ** 32 + 1);
    expect(nextGeneration(5 * 2 ** 32 - 1)).toBe(5 * 2 ** 32 + 1);
  });
});

describe.runIf(BACKENDS.includes('native'))('NativeGeneration (the addon ticker)', () => {
  const binding = loadNative().binding!;

  it('reads a positive generation with a nonzero low word, and bump() moves it on', () => {
    const g = new NativeGeneration(binding);
    const a = currentGeneration(g);
    expect(a).toBeGreaterThan(0);
    expect(a % 2 ** 32).not.toBe(0);
    g.bump();
    expect(currentGeneration(g)).toBeGreaterThan(a);
  });

  it('is process-wide: a bump on a worker thread reaches this thread', async () => {
    const g = new NativeGeneration(binding);
    const before = currentGeneration(g);
    const worker = tsWorker(new URL('./generation/bump.ts', import.meta.url));
    await new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
    expect(currentGeneration(g)).toBeGreaterThan(before);
  });

  it('reseed() makes every default generator rekey before its next output', () => {
    const gens = [createGenerator(), createGenerator({ backend: 'native' }), createGenerator({ backend: 'simulated' })];
    for (const g of gens) g.fill(new Uint8Array(8));
    reseed();
    for (const g of gens) g.fill(new Uint8Array(8));
    expect(gens.map((g) => g.stats().rekeys)).toEqual([2, 2, 2]);
  });

  it("the ticker thread expires an idle generator's key without any call", () => {
    const child = fileURLToPath(new URL('./native/ticker-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
      encoding: 'utf8',
      env: { ...process.env, VGETRANDOM_TICK_MS: '50' },
    });
    expect(r.stderr).toBe('');
    const { before, after, rekeys } = JSON.parse(r.stdout) as { before: number; after: number; rekeys: number };
    expect(after).toBeGreaterThan(before);
    expect(rekeys).toBe(2);
  });
});
