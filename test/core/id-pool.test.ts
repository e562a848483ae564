// The ID pool (src/core/id-pool.ts) on each backend's droppable pages: it hands out the kernel
// algorithm's output in order (known answers from the plain model over @noble/ciphers), erases
// what it hands out, refills when its generation is not the current one, and never hands out a
// byte of a page that was dropped before or during the copy.

import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/arena/backends.js';
import { NativeAllocator } from '../../src/arena/native-allocator.js';
import { KERNEL_PARAMS } from '../../src/arena/simulated-arena.js';
import type { Generation } from '../../src/core/generation.js';
import { ID_POOL_DATA_OFFSET, idPool } from '../../src/core/id-pool.js';
import { createGenerator } from '../../src/index.js';
import { MADV_PAGEOUT } from '../../src/mm/constants.js';
import { SimulatedMm } from '../../src/mm/simulated.js';
import { loadNative } from '../../src/platform/addon/binding.js';
import { ClockGeneration } from '../../src/platform/generation-sources.js';
import { BACKENDS } from '../helpers/backends.js';
import { entropyStream, KernelModel } from '../helpers/reference.js';

const PAGE = 4096;
const DATA = PAGE - ID_POOL_DATA_OFFSET;

/** A generation the test moves by hand; `onSync` runs at every sync() (a drop at a chosen moment). */
function manualGeneration(): Generation & { move(): void; onSync?: () => void } {
  const words = new Uint32Array([7, 1]);
  const g = {
    low: words.subarray(0, 1),
    high: words.subarray(1, 2),
    callsCaller: false,
    onSync: undefined as (() => void) | undefined,
    sync() {
      g.onSync?.();
    },
    bump() {
      words[0]! += 1;
    },
    move() {
      words[0]! += 1;
    },
  };
  return g;
}

/** A zero page of `backend`'s droppable memory, and how to drop it now. */
function poolPage(backend: Backend): { page: Uint8Array; drop(): void } {
  if (backend === 'native') {
    const allocator = new NativeAllocator(loadNative().binding!);
    const page = allocator.mapIdPoolPage();
    // The native page is this thread's, for the whole file: start each test from zero.
    page.fill(0);
    return { page, drop: () => allocator.binding.pageout(page.buffer as ArrayBuffer) };
  }
  const mm = new SimulatedMm();
  const { addr, bytes: page } = mm.mmap(PAGE, KERNEL_PARAMS.mmapProt, KERNEL_PARAMS.mmapFlags);
  return { page, drop: () => mm.madvise(addr, PAGE, MADV_PAGEOUT) };
}

/** A pool on `backend` filled by a known-answer generator, with the model that predicts it. */
function setup(backend: Backend, seed: number) {
  const { page, drop } = poolPage(backend);
  const generation = manualGeneration();
  const generator = createGenerator({ backend, entropy: entropyStream(seed).entropy, clock: () => 0 });
  const kernel = new KernelModel(entropyStream(seed).entropy);
  // The next fill the pool should make: the model's next 4032 bytes (the first call fetches the key).
  let keyed = false;
  const model = {
    fill(): Buffer {
      const bytes = Buffer.from(kernel.getrandom(DATA, !keyed));
      keyed = true;
      return bytes;
    },
  };
  let fills = 0;
  const pool = idPool(page, generation, (out) => {
    fills++;
    generator.fill(out);
  });
  return { page, drop, generation, pool, model, fills: () => fills };
}

const be48 = (b: Buffer, at: number) => b.readUIntBE(at, 6);
const take16Bytes = (pool: ReturnType<typeof idPool>) => {
  const w = new Uint32Array(4);
  expect(pool.take16(w)).toBe(true);
  return new Uint8Array(w.buffer);
};

describe.each(BACKENDS)('ID pool on the %s backend', (backend) => {
  it('hands out the kernel algorithm output in order, refilling with the next request when empty', () => {
    const { pool, model, fills } = setup(backend, 1);
    let fill = model.fill();
    let made = 1;
    let at = 0;
    for (let i = 0; i < 2000; i++) {
      if (i % 3 === 0) {
        const start = (at + 3) & ~3; // take16 starts on a word boundary of the page (offset 64 is one)
        if (start + 16 > DATA) {
          fill = model.fill();
          made++;
          at = 0;
        } else at = start;
        expect(Buffer.from(take16Bytes(pool)).equals(fill.subarray(at, at + 16))).toBe(true);
        at += 16;
      } else {
        if (at + 6 > DATA) {
          fill = model.fill();
          made++;
          at = 0;
        }
        expect(pool.take48()).toBe(be48(fill, at));
        at += 6;
      }
    }
    // A fill only when the pool cannot serve a take: 2000 takes of about 9.5 bytes, 5 fills.
    expect(made).toBe(5);
    expect(fills()).toBe(made);
  });

  it('erases every byte it hands out (the skipped ones too) and records the generation it was filled under', () => {
    const { page, pool, generation } = setup(backend, 2);
    pool.take48();
    pool.take16(new Uint32Array(4));
    const words = new Uint32Array(page.buffer, page.byteOffset, 3);
    expect([words[0], words[1]]).toEqual([generation.low[0], generation.high[0]]);
    const used = words[2]! - ID_POOL_DATA_OFFSET;
    expect(used).toBe(24); // 6, 2 skipped to the word boundary, 16
    expect(page.subarray(ID_POOL_DATA_OFFSET, ID_POOL_DATA_OFFSET + used).every((b) => b === 0)).toBe(true);
    expect(page.subarray(ID_POOL_DATA_OFFSET + used).some((b) => b !== 0)).toBe(true);
  });

  it('refills when the generation has moved (a reseed): no byte of the old fill after it', () => {
    const { pool, generation, model, fills } = setup(backend, 3);
    const first = model.fill();
    expect(pool.take48()).toBe(be48(first, 0));
    generation.move();
    const second = model.fill();
    expect(pool.take48()).toBe(be48(second, 0));
    generation.move();
    expect(Buffer.from(take16Bytes(pool)).equals(model.fill().subarray(0, 16))).toBe(true);
    expect(fills()).toBe(3);
  });

  it('a generation that moves only when synced (a clock past its deadline) fails the final check; the next take refills', () => {
    const { pool, generation, model, fills, page } = setup(backend, 30);
    const first = model.fill();
    expect(pool.take48()).toBe(be48(first, 0));
    // As a clock generation expires: its words move at the next sync(), the final check's.
    generation.onSync = () => {
      generation.move();
      generation.onSync = undefined;
    };
    expect(pool.take48()).toBe(-1);
    expect(page.every((b) => b === 0)).toBe(true);
    const second = model.fill();
    expect(pool.take48()).toBe(be48(second, 0));
    // And for take16: false, nothing handed out.
    generation.onSync = () => {
      generation.move();
      generation.onSync = undefined;
    };
    const out = new Uint32Array(4);
    expect(pool.take16(out)).toBe(false);
    expect([...out]).toEqual([0, 0, 0, 0]);
    expect(page.every((b) => b === 0)).toBe(true);
    expect(Buffer.from(take16Bytes(pool)).equals(model.fill().subarray(0, 16))).toBe(true);
    expect(fills()).toBe(3);
  });

  it('under a clock generation, no pool byte is handed out 60 s after its fill: that take fails, the next refills', () => {
    const { page } = poolPage(backend);
    let now = 1_000;
    let fills = 0;
    const pool = idPool(page, new ClockGeneration(() => now), (out) => {
      fills++;
      out.fill(fills);
    });
    expect(pool.take48()).toBe(0x010101010101);
    now += 59_999;
    expect(pool.take48()).toBe(0x010101010101);
    now += 1;
    expect(pool.take48()).toBe(-1);
    expect(page.every((b) => b === 0)).toBe(true);
    expect(pool.take48()).toBe(0x020202020202);
    expect(fills).toBe(2);
  });

  it('refills after its page was dropped between takes, and hands out no zero from it', () => {
    const { pool, drop, model, fills, page } = setup(backend, 4);
    model.fill();
    pool.take48();
    drop();
    expect(page.every((b) => b === 0)).toBe(true);
    const next = model.fill();
    expect(Buffer.from(take16Bytes(pool)).equals(next.subarray(0, 16))).toBe(true);
    expect(fills()).toBe(2);
  });

  it('discards the pool and the bytes just copied when the page is dropped during the copy', () => {
    const { pool, drop, generation, page } = setup(backend, 5);
    pool.take48(); // filled
    // The drop lands after the bytes were read, before the final check's read: at the take's
    // one sync, its final check's.
    let syncs = 0;
    let dropAt = 1;
    generation.onSync = () => {
      if (++syncs === dropAt) drop();
    };
    const out = new Uint32Array(4);
    expect(pool.take16(out)).toBe(false);
    expect([...out]).toEqual([0, 0, 0, 0]);
    expect(page.every((b) => b === 0)).toBe(true);
    // A take that refills syncs twice: for the fill's generation, then for the final check.
    syncs = 0;
    dropAt = 2;
    expect(pool.take48()).toBe(-1);
    generation.onSync = undefined;
    expect(pool.take48()).toBeGreaterThanOrEqual(0);
  });

  it('discards the pool when the generation moves during the copy', () => {
    const { pool, generation, page } = setup(backend, 6);
    pool.take48();
    let syncs = 0;
    generation.onSync = () => {
      if (++syncs === 1) generation.move();
    };
    expect(pool.take48()).toBe(-1);
    expect(page.every((b) => b === 0)).toBe(true);
  });

  it('a fill that throws leaves nothing to hand out, and the next take fills afresh', () => {
    const { page } = poolPage(backend);
    const generation = manualGeneration();
    let fail = true;
    const pool = idPool(page, generation, (out) => {
      out.fill(0xab, 0, 100); // part written, then the source fails
      if (fail) throw new Error('entropy source failed');
      out.fill(0xcd);
    });
    expect(() => pool.take48()).toThrow('entropy source failed');
    expect(page.every((b) => b === 0)).toBe(true);
    fail = false;
    expect(pool.take48()).toBe(0xcdcdcdcdcdcd);
  });

  it('a position written from outside the pool never sends a read past it: it refills', () => {
    const { page, pool, model } = setup(backend, 7);
    model.fill();
    pool.take48();
    const words = new Uint32Array(page.buffer, page.byteOffset, 3);
    // Odd ones too: take48 reads 16-bit halves, which an odd position would straddle.
    for (const pos of [0, 8, ID_POOL_DATA_OFFSET - 1, ID_POOL_DATA_OFFSET + 7, PAGE - 7, PAGE - 5, PAGE, 0xffffffff]) {
      words[2] = pos;
      const fill = model.fill();
      expect(pool.take48()).toBe(be48(fill, 0));
    }
  });
});
