// `vgetrandom demo`: each step's facts (not its wording), in this process through demoFacts()
// and as the command in a child process (`--json` through tsx), on the native backend (Linux
// x64 with the addon; a real cgroup reclaim where root and a v1 memory controller allow) and on
// the simulated mm (asked for, and VGETRANDOM_NATIVE=0).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cgroupUnavailable } from '../../src/demo/cgroup.js';
import { type DemoFacts, type DropFacts, demoFacts } from '../../src/demo/index.js';
import { hexBytes, MASK } from '../../src/demo/inspect.js';
import { loadNative } from '../../src/platform/addon/binding.js';
import { NATIVE_EXPECTED } from '../helpers/backends.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BIN = 'bin/vgetrandom.ts';
const FLAGS = ['dp', 'wf', 'dd', 'nr'];

/** Runs the command in a child process through tsx; returns its stdout and how long it took. */
function runCommand(args: string[], env: NodeJS.ProcessEnv = {}) {
  const start = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', BIN, 'demo', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { ...r, ms: Date.now() - start };
}

function runJson(env: NodeJS.ProcessEnv = {}): DemoFacts {
  const r = runCommand(['--json'], env);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.ms).toBeLessThan(20_000);
  return JSON.parse(r.stdout) as DemoFacts;
}

function expectSoundDrop(d: DropFacts | undefined) {
  expect(d).toBeDefined();
  expect(d!.generationBefore).toBeGreaterThan(0); // the state held a key
  expect(d!.stateZeroAfterDrop).toBe(true);
  expect(d!.rekeysAfter).toBeGreaterThan(d!.rekeysBefore);
  expect(d!.outputBytes).toBeGreaterThan(0);
  expect(d!.outputNonZero).toBe(true);
  expect(d!.zeroKeyKeystream).toBe(false);
}

/** What every run shows, whichever backend it is on. */
function expectCommon(f: DemoFacts) {
  expect(f.elapsedMs).toBeLessThan(20_000);
  for (const step of [f.probe, f.arena, f.draw, f.pressure, f.fork, f.reseed, f.threads, f.stats]) {
    expect(step.sentence).toMatch(/^\S.*\.$/su);
  }

  // 2. the arena
  expect(f.arena.vmFlags).toEqual(expect.arrayContaining(FLAGS));
  expect(f.arena.flags.map((x) => [x.flag, x.present])).toEqual(FLAGS.map((x) => [x, true]));
  expect(f.arena.pageAddr % 4096).toBe(0);
  expect(f.arena.offset % 144).toBe(0);
  expect(f.arena.arenaPages).toBeGreaterThanOrEqual(1);

  // 3. the draw
  const [fresh, first, second] = f.draw.snapshots;
  expect(f.draw.draws).toEqual([16, 24]);
  expect(fresh).toMatchObject({ generation: 0, pos: 0, inUse: 0, batchZeroPrefix: 96 });
  expect(first!.generation).toBeGreaterThan(0);
  expect(first!.pos).toBe(16);
  expect(first!.batchZeroPrefix).toBeGreaterThanOrEqual(16);
  expect(first!.batchZeroPrefix).toBeLessThan(96);
  expect(second).toMatchObject({ generation: first!.generation, pos: 40, inUse: 0 });
  expect(second!.batchZeroPrefix).toBeGreaterThanOrEqual(40);
  expect(f.draw.keyUnchangedByLastDraw).toBe(true);
  for (const s of f.draw.snapshots) {
    const bytes = hexBytes(s.hex);
    expect(bytes).toHaveLength(144);
    expect(bytes.slice(96, 128)).toEqual(Array(32).fill(MASK)); // the key never leaves the state
    expect(bytes.filter((b) => b === MASK)).toHaveLength(32);
    expect(bytes[136]).toBe(s.pos.toString(16).padStart(2, '0'));
  }

  // 4. memory pressure
  expect(f.pressure.drops.length).toBeGreaterThanOrEqual(1);
  for (const d of f.pressure.drops) expectSoundDrop(d);

  // 5. fork, simulated
  expect(f.fork.simulated).toEqual({ childStateZero: true, parentIntact: true, childRekeys: 1, outputsDiffer: true });

  // 7. threads
  expect(f.threads.workers).toHaveLength(4);
  expect(f.threads.distinct).toBe(true);
  expect(new Set(f.threads.workers.map((w) => `${w.pageAddr}+${w.offset}`)).size).toBe(4);
  expect(new Set(f.threads.workers.map((w) => w.threadId)).size).toBe(4);
  for (const w of f.threads.workers) {
    expect(w.fresh).toBe(true);
    expect(w.offset % 144).toBe(0);
    expect(w.offset + 144).toBeLessThanOrEqual(4096);
  }

  // 8. counters
  const rows = f.stats.rows;
  expect(rows.at(-1)!.generator).toMatch(/stats\(\)/u);
  for (const r of rows) {
    expect(r.calls).toBeGreaterThan(0);
    expect(r.rekeys).toBeGreaterThanOrEqual(1);
    expect(r.fallbacks).toBe(0);
  }
  const pressureRows = rows.filter((r) => /step 4/u.test(r.generator));
  expect(pressureRows).toHaveLength(f.pressure.drops.length);
  for (const r of pressureRows) expect(r.rekeys).toBeGreaterThanOrEqual(2);
}

function expectNative(f: DemoFacts) {
  expectCommon(f);
  expect(f.backend).toBe('native');
  expect(f.reason).toBeUndefined();
  expect(f.probe).toMatchObject({
    kernel: release(),
    vdso: true,
    mapDroppable: true,
    params: { sizeOfOpaqueState: 144, mmapProt: 3, mmapFlags: 0x28, source: 'vdso' },
  });
  expect(f.arena.source).toBe('/proc/self/smaps');
  expect(f.arena.coredumpHoldsArena).toBeUndefined();
  expect(f.pressure.drops[0]!.method).toBe('madvise(MADV_PAGEOUT)');
  const cgroupReason = cgroupUnavailable();
  if (cgroupReason === undefined) {
    expect(f.pressure.cgroup).toEqual({ ran: true });
    expect(f.pressure.drops[1]!.method).toBe('memory.force_empty');
    expect(f.pressure.drops[1]!.where).toMatch(/^child \d+ /u);
  } else {
    console.log(`demo: no cgroup reclaim here (${cgroupReason})`);
    expect(f.pressure.cgroup).toEqual({ ran: false, reason: cgroupReason });
    expect(f.pressure.drops).toHaveLength(1);
  }
  expect(f.fork.native).toEqual({
    childSawZero: true,
    parentIntact: true,
    control: { childSawZero: false, parentIntact: true },
  });
  // 6. the kernel reseeds: as root, the very next draw rekeys (the generation is mapped here)
  expect(f.reseed.mode).toBe('mapped');
  if (process.getuid?.() === 0) {
    expect(f.reseed).toMatchObject({ ran: true, nextDrawRekeyed: true });
    expect(f.reseed.kernelAfter).toBeGreaterThan(f.reseed.kernelBefore!);
    expect(f.reseed.rekeysAfter).toBe(f.reseed.rekeysBefore! + 1);
  } else {
    expect(f.reseed.ran).toBe(false);
  }
  expect(f.threads.backend).toBe('native');
  // All four held at once, from the one process-wide arena, and given back.
  const { before, during, after } = f.threads.statesInUse!;
  expect(during).toBe(before + 4);
  expect(after).toBe(before);
  expect(f.stats.rows.filter((r) => r.backend === 'native').length).toBeGreaterThanOrEqual(3);
}

function expectSimulated(f: DemoFacts, reason: string) {
  expectCommon(f);
  expect(f.backend).toBe('simulated');
  expect(f.reason).toBe(reason);
  expect(f.probe).toMatchObject({
    vdso: null,
    mapDroppable: null,
    params: { sizeOfOpaqueState: 144, mmapProt: 3, mmapFlags: 0x28, source: 'modelled' },
  });
  expect(f.arena.source).toBe('SimulatedMm.smaps()');
  expect(f.arena.coredumpHoldsArena).toBe(false);
  expect(f.pressure.drops).toHaveLength(1);
  expect(f.pressure.drops[0]!.method).toBe('SimulatedMm.reclaim()');
  expect(f.pressure.drops[0]!.pagesDropped).toBeGreaterThanOrEqual(1);
  expect(f.pressure.cgroup.ran).toBe(false);
  expect(f.fork.native).toBeNull();
  expect(f.reseed).toMatchObject({ mode: 'none', ran: false });
  expect(f.threads.backend).toBe('simulated');
  expect(f.threads.statesInUse).toBeUndefined();
  expect(f.threads.pages).toHaveLength(1);
  expect(f.stats.rows.filter((r) => !/stats\(\)/u.test(r.generator)).every((r) => r.backend === 'simulated')).toBe(true);
}

describe('vgetrandom demo', () => {
  describe.runIf(NATIVE_EXPECTED)('on the native backend', () => {
    it('demoFacts() in this process', async () => {
      expectNative(await demoFacts());
    });

    it('`vgetrandom demo --json` in a child process', () => {
      expectNative(runJson());
    });
  });

  describe('on the simulated mm', () => {
    it("demoFacts({ backend: 'simulated' }) in this process", async () => {
      expectSimulated(await demoFacts({ backend: 'simulated' }), 'asked for the simulated backend');
    });

    it('`vgetrandom demo --json` with VGETRANDOM_NATIVE=0', () => {
      expectSimulated(runJson({ VGETRANDOM_NATIVE: '0' }), 'VGETRANDOM_NATIVE=0');
    });
  });

  describe('the command', () => {
    it('prints the eight steps, each with a sentence, and says which backend', () => {
      const r = runCommand([], { VGETRANDOM_NATIVE: '0' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/simulated mm .*VGETRANDOM_NATIVE=0/u);
      const titles = r.stdout.split('\n').filter((l) => /^\d\. /u.test(l));
      expect(titles.map((l) => l[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
      expect(r.stdout).toMatch(/•• •• ••/u);
      expect(r.stdout).toMatch(/^done in \d+\.\d s$/mu);
    });

    it('rejects an unknown argument with the usage and exit code 2', () => {
      const r = runCommand(['--bogus']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/unknown argument "--bogus"[\s\S]*Usage: vgetrandom demo/u);
      expect(r.stdout).toBe('');
    });

    it('its cgroup child script sits beside the demo', () => {
      expect(existsSync(fileURLToPath(new URL('../../src/demo/cgroup-child.ts', import.meta.url)))).toBe(true);
    });
  });

  it.skipIf(loadNative().binding !== null)("demoFacts({ backend: 'native' }) without the addon throws, saying why", async () => {
    await expect(demoFacts({ backend: 'native' })).rejects.toThrow(/native backend is unavailable/u);
  });
});
