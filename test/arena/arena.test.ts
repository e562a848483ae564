// The state allocator over a simulated arena, and generators whose states live in droppable
// pages: reclaim between calls, reclaim from another thread during a million calls, fork,
// core dumps. The same rules hold for the native arena (test/platform/native.test.ts).

import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { KERNEL_PARAMS, SimulatedArena } from '../../src/arena/simulated-arena.js';
import { StateAllocator } from '../../src/arena/state-allocator.js';
import { GENERATION_OFFSET, IN_USE_OFFSET, KEY_OFFSET, KEY_SIZE, STATE_SIZE } from '../../src/core/state.js';
import { createGenerator, info } from '../../src/index.js';
import { SimulatedMm } from '../../src/mm/simulated.js';
import { BACKENDS } from '../helpers/backends.js';
import { entropyStream, KernelModel } from '../helpers/reference.js';
import { drawMixed } from '../helpers/stress.js';
import { tsWorker } from '../helpers/ts-worker.js';
import { zeroStateEvidence } from '../helpers/zero-key.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe('StateAllocator', () => {
  it('carves 28 slices per page, 8-aligned, none straddling a page, growing by whole pages', () => {
    const mm = new SimulatedMm();
    const allocator = new StateAllocator(new SimulatedArena(mm));
    expect(allocator.statesPerPage).toBe(28);
    const slices = Array.from({ length: 60 }, () => allocator.allocate());
    expect(allocator.stats()).toEqual({ pages: 3, statesInUse: 60, statesFree: 24 });
    const seen = new Set<string>();
    for (const s of slices) {
      expect(s.offset % 8).toBe(0);
      expect(s.offset + STATE_SIZE).toBeLessThanOrEqual(4096);
      expect(s.view.bytes.byteLength).toBe(STATE_SIZE);
      seen.add(`${s.pageAddr}:${s.offset}`);
    }
    expect(seen.size).toBe(60);
    expect(mm.mappings().every((m) => m.flags.droppable)).toBe(true);
  });

  it('zeroes a released slice, reuses it, and refuses a double release', () => {
    const allocator = new StateAllocator(new SimulatedArena(new SimulatedMm()));
    const a = allocator.allocate();
    a.view.bytes.fill(0xaa);
    allocator.release(a);
    expect(a.view.bytes.every((b) => b === 0)).toBe(true);
    expect(() => allocator.release(a)).toThrow(RangeError);
    expect(allocator.allocate()).toBe(a);
    expect(allocator.stats()).toEqual({ pages: 1, statesInUse: 1, statesFree: 27 });
  });

  it('maps its pages with the params the kernel probe returns', () => {
    expect(KERNEL_PARAMS).toEqual({ sizeOfOpaqueState: 144, mmapProt: 3, mmapFlags: 0x28 });
    const mm = new SimulatedMm();
    new StateAllocator(new SimulatedArena(mm)).allocate();
    expect(mm.smaps()).toMatch(/VmFlags: rd wr mr mw me nr wf dd dp/);
  });
});

describe('generators on a simulated arena', () => {
  it('two live generators never share a slice; a released slice comes back zeroed', () => {
    const mm = new SimulatedMm();
    const gens = Array.from({ length: 40 }, () => createGenerator({ mm }));
    const places = new Map<ArrayBufferLike, Set<number>>();
    for (const g of gens) {
      g.getrandom(new Uint8Array(8));
      const offsets = places.get(g.state.buffer) ?? new Set<number>();
      expect(offsets.has(g.state.byteOffset)).toBe(false);
      places.set(g.state.buffer, offsets.add(g.state.byteOffset));
    }
    expect(places.size).toBe(2); // 40 states: two pages
    const view = gens[0]!.state;
    gens[0]!.release();
    expect(view.every((b) => b === 0)).toBe(true);
    expect(createGenerator({ mm }).state.every((b) => b === 0)).toBe(true);
  });

  it('reclaim() between calls: the next call rekeys, and no output comes from the zero key', () => {
    const mm = new SimulatedMm();
    const gen = createGenerator({ mm, entropy: entropyStream(1).entropy });
    const model = new KernelModel(entropyStream(1).entropy);
    for (let i = 0; i < 50; i++) {
      const out = new Uint8Array(40 + i);
      gen.getrandom(out);
      expect(hex(out)).toBe(hex(model.getrandom(out.length, true)));
      expect(zeroStateEvidence(out)).toBeNull();
      expect(mm.reclaim()).toBe(1);
      expect(gen.state.every((b) => b === 0)).toBe(true);
    }
    expect(gen.stats()).toMatchObject({ rekeys: 50, retries: 0, fallbacks: 0 });
  });

  it('survives a thread reclaiming its pages in a tight loop during 10^6 requests', async () => {
    const mm = new SimulatedMm();
    const gens = [createGenerator({ mm }), createGenerator({ mm })];
    const control = new SharedArrayBuffer(8);
    const worker = tsWorker(new URL('../helpers/reclaimer.ts', import.meta.url), {
      workerData: { handle: mm.share(), control },
    });
    await once(worker, 'message'); // attached and looping
    const { problems, first } = drawMixed(gens);
    Atomics.store(new Int32Array(control), 0, 1);
    const [done] = (await once(worker, 'message')) as [{ dropped: number; loops: number }];
    await worker.terminate();
    expect({ problems, first }).toEqual({ problems: 0, first: null });
    const stats = [gens[0]!.stats(), gens[1]!.stats()];
    console.log('concurrent reclaim:', done, stats);
    expect(done.dropped).toBeGreaterThan(100);
    expect(stats[0]!.retries + stats[1]!.retries).toBeGreaterThan(0);
    expect(stats[0]!.rekeys + stats[1]!.rekeys).toBeGreaterThan(100);
    for (const g of gens) expect(g.state[IN_USE_OFFSET]).toBe(0);
  });

  it('fork(): the child state reads zero and rekeys; the parent stays valid; other slices are free', () => {
    const mm = new SimulatedMm();
    const others = [createGenerator({ mm }), createGenerator({ mm })];
    const parent = createGenerator({ mm, entropy: entropyStream(3).entropy });
    const model = new KernelModel(entropyStream(3).entropy);
    for (const g of others) g.getrandom(new Uint8Array(8));
    expect(hex(parent.fill(new Uint8Array(20)))).toBe(hex(model.getrandom(20, true)));

    const child = parent.fork();
    expect(child.mm).not.toBe(mm);
    expect(child.generator.state.every((b) => b === 0)).toBe(true);
    expect(parent.state.some((b) => b !== 0)).toBe(true);
    // glibc's rule: only the forking generator's slice is in use in the child.
    const childGen2 = createGenerator({ mm: child.mm });
    expect(childGen2.state.byteOffset === child.generator.state.byteOffset && childGen2.state.buffer === child.generator.state.buffer).toBe(
      false,
    );

    const fromChild = child.generator.fill(new Uint8Array(20));
    const fromParent = parent.fill(new Uint8Array(20));
    expect(hex(fromParent)).toBe(hex(model.getrandom(20))); // parent state untouched by the fork
    expect(hex(fromChild)).not.toBe(hex(fromParent));
    expect(zeroStateEvidence(fromChild)).toBeNull();
    expect(child.generator.stats().rekeys).toBe(1);
  });

  it('a core dump of an mm holding live states contains none of their key bytes', () => {
    const mm = new SimulatedMm();
    const gens = Array.from({ length: 5 }, () => createGenerator({ mm }));
    for (const g of gens) g.getrandom(new Uint8Array(10));
    const ordinary = mm.mmap(8192, 3, 0x22); // MAP_PRIVATE | MAP_ANONYMOUS: dumped
    ordinary.bytes.fill(0x5a);
    const dump = Buffer.from(mm.coredump().bytes);
    expect(dump.length).toBe(8192);
    for (const g of gens) {
      const key = Buffer.from(g.state.subarray(KEY_OFFSET, KEY_OFFSET + KEY_SIZE));
      expect(key.some((b) => b !== 0)).toBe(true);
      expect(dump.indexOf(key)).toBe(-1);
      expect(dump.indexOf(Buffer.from(g.state.subarray(GENERATION_OFFSET, GENERATION_OFFSET + 8)))).toBe(-1);
    }
  });

  it('info() reports the backend and the default arena', () => {
    const before = info().arena;
    const gen = createGenerator();
    const backend = BACKENDS.includes('native') ? 'native' : 'simulated';
    expect(info()).toMatchObject({ backend, arena: { statesInUse: before.statesInUse + 1 } });
    gen.release();
    expect(info().arena.statesInUse).toBe(before.statesInUse);
    expect(info().arena.pages).toBeGreaterThanOrEqual(1);
  });
});
