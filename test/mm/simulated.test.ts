// The simulated mm against the kernel rules it models: mmap, munmap, madvise, mlock, memory
// pressure, fork, core dumps, smaps and commit accounting as Linux 6.11+ has them for
// MAP_DROPPABLE (the VM_DROPPABLE thread, mm/mmap.c, mm/madvise.c, mm/mlock.c), and reclaim
// from another thread.

import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GENERATION_OFFSET, KEY_OFFSET, POS_OFFSET, STATE_SIZE } from '../../src/core/state.js';
import {
  MADV_DODUMP,
  MADV_DONTDUMP,
  MADV_KEEPONFORK,
  MADV_PAGEOUT,
  MADV_WIPEONFORK,
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NORESERVE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  type MappingFlags,
  PAGE_SIZE,
  PROT_READ,
  PROT_WRITE,
  SimulatedMm,
} from '../../src/mm/index.js';
import { tsWorker } from '../helpers/ts-worker.js';

const RW = PROT_READ | PROT_WRITE;
const PRIVATE = MAP_PRIVATE | MAP_ANONYMOUS;
const SHARED = MAP_SHARED | MAP_ANONYMOUS;
const DROPPABLE = MAP_DROPPABLE | MAP_ANONYMOUS;
const P = PAGE_SIZE;

const ORDINARY: MappingFlags = {
  shared: false,
  droppable: false,
  wipeOnFork: false,
  dontDump: false,
  noReserve: false,
  locked: false,
  growsDown: false,
};

/** Expects `fn` to throw a system error like Node's: code, negative errno, syscall, the rule. */
function expectSystemError(fn: () => unknown, code: 'EINVAL' | 'ENOMEM' | 'EFAULT', syscall: string, rule: RegExp) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  const errno = { EINVAL: -22, ENOMEM: -12, EFAULT: -14 }[code];
  expect(error).toMatchObject({ code, errno, syscall });
  expect((error as Error).message).toMatch(new RegExp(`^${code}: .*, ${syscall} \\(`));
  expect((error as Error).message).toMatch(rule);
}

/** The flags of the mapping at `addr`. */
const flagsAt = (mm: SimulatedMm, addr: number) => mm.mappings().find((m) => m.addr === addr)!.flags;
/** [addr, length] of every mapping, relative to `base`, in pages. */
const layout = (mm: SimulatedMm, base: number) => mm.mappings().map((m) => [(m.addr - base) / P, m.length / P]);
/** The VmFlags line of every smaps entry. */
const vmFlags = (mm: SimulatedMm) => mm.smaps().match(/^VmFlags:.*$/gm);

// A page as the vgetrandom allocators carve it, in 32-bit words: 28 slots of 144 bytes from the
// page's start; in each, the key, the u64 generation (two words) and the pos/in_use word.
const SLOT = STATE_SIZE / 4;
const SLOTS = Math.floor(P / STATE_SIZE);
const GEN = GENERATION_OFFSET / 4;
const POS = POS_OFFSET / 4;
const KEY = KEY_OFFSET / 4;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('constants: Linux x86-64 values', () => {
  it('match include/uapi', () => {
    expect([PROT_READ, PROT_WRITE, MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_TYPE, MAP_DROPPABLE]).toEqual([
      1, 2, 1, 2, 3, 0x0f, 8,
    ]);
    expect([MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_LOCKED, MAP_NORESERVE, MAP_HUGETLB]).toEqual([0x20, 0x100, 0x2000, 0x4000, 0x40000]);
    expect([MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_PAGEOUT, PAGE_SIZE]).toEqual([16, 17, 18, 19, 21, 4096]);
  });
});

describe('mmap', () => {
  it('maps zeroed whole pages at aligned user addresses, one SharedArrayBuffer each, a guard page apart', () => {
    const mm = new SimulatedMm();
    const a = mm.mmap(1, RW, PRIVATE);
    const b = mm.mmap(P + 1, RW, DROPPABLE);
    expect(a.addr).toBe(0x7f0000000000);
    expect(a.length).toBe(P);
    expect(b.length).toBe(2 * P);
    expect(b.addr % P).toBe(0);
    expect(b.addr).toBeGreaterThan(a.addr + a.length); // never adjacent: separate mappings stay separate
    expect(a.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
    expect(b.bytes.length).toBe(2 * P);
    expect(b.bytes.every((x) => x === 0)).toBe(true);
    expect(mm.mappings().map((m) => m.addr)).toEqual([a.addr, b.addr]);
  });

  it('EINVAL for a length of 0', () => {
    expectSystemError(() => new SimulatedMm().mmap(0, RW, PRIVATE), 'EINVAL', 'mmap', /length is 0/);
  });

  it('EINVAL without MAP_ANONYMOUS: only anonymous memory is modelled', () => {
    expectSystemError(() => new SimulatedMm().mmap(P, RW, MAP_PRIVATE), 'EINVAL', 'mmap', /only anonymous memory is modelled/);
    expectSystemError(() => new SimulatedMm().mmap(P, RW, MAP_DROPPABLE), 'EINVAL', 'mmap', /MAP_ANONYMOUS/);
  });

  it.each([0, 4, 5, 7, 9, 0xf])('EINVAL for map type %i', (type) => {
    const rule = /map type .* is not MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE or MAP_DROPPABLE/;
    expectSystemError(() => new SimulatedMm().mmap(P, RW, type | MAP_ANONYMOUS), 'EINVAL', 'mmap', rule);
  });

  it('MAP_SHARED and MAP_SHARED_VALIDATE make shared mappings', () => {
    const mm = new SimulatedMm();
    const a = mm.mmap(P, RW, SHARED);
    const b = mm.mmap(P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS);
    expect(flagsAt(mm, a.addr)).toEqual({ ...ORDINARY, shared: true });
    expect(flagsAt(mm, b.addr)).toEqual({ ...ORDINARY, shared: true });
  });

  it('an ordinary private mapping has no flags', () => {
    const mm = new SimulatedMm();
    expect(flagsAt(mm, mm.mmap(P, RW, PRIVATE).addr)).toEqual(ORDINARY);
  });

  it('MAP_DROPPABLE implies droppable, no-reserve, wipe-on-fork and dont-dump', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, DROPPABLE);
    expect(flagsAt(mm, addr)).toEqual({ ...ORDINARY, droppable: true, noReserve: true, wipeOnFork: true, dontDump: true });
  });

  it.each([
    ['MAP_LOCKED', MAP_LOCKED, /MAP_DROPPABLE with MAP_LOCKED: locked memory cannot be dropped/],
    ['MAP_HUGETLB', MAP_HUGETLB, /MAP_DROPPABLE with MAP_HUGETLB: huge pages cannot be droppable/],
    ['MAP_GROWSDOWN', MAP_GROWSDOWN, /MAP_DROPPABLE with MAP_GROWSDOWN: a stack cannot be droppable/],
  ])('EINVAL for MAP_DROPPABLE with %s', (_name, flag, rule) => {
    const mm = new SimulatedMm();
    expectSystemError(() => mm.mmap(P, RW, DROPPABLE | flag), 'EINVAL', 'mmap', rule);
    expect(mm.mappings()).toEqual([]);
  });

  it('MAP_NORESERVE makes a no-reserve mapping', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE | MAP_NORESERVE);
    expect(flagsAt(mm, addr)).toEqual({ ...ORDINARY, noReserve: true });
  });

  it('MAP_GROWSDOWN is recorded on a private mapping, EINVAL on a shared one', () => {
    const mm = new SimulatedMm();
    expect(flagsAt(mm, mm.mmap(P, RW, PRIVATE | MAP_GROWSDOWN).addr)).toEqual({ ...ORDINARY, growsDown: true });
    expectSystemError(() => mm.mmap(P, RW, SHARED | MAP_GROWSDOWN), 'EINVAL', 'mmap', /MAP_GROWSDOWN with a shared mapping/);
  });

  it('EINVAL for MAP_HUGETLB on an ordinary mapping: huge pages are not modelled', () => {
    expectSystemError(() => new SimulatedMm().mmap(P, RW, PRIVATE | MAP_HUGETLB), 'EINVAL', 'mmap', /huge pages are not modelled/);
  });

  it('MAP_LOCKED locks an ordinary mapping against the lock budget, ENOMEM past it', () => {
    const mm = new SimulatedMm({ lockLimit: 3 * P });
    const { addr } = mm.mmap(2 * P, RW, PRIVATE | MAP_LOCKED);
    expect(flagsAt(mm, addr).locked).toBe(true);
    expect(mm.locked).toBe(2 * P);
    expectSystemError(() => mm.mmap(2 * P, RW, PRIVATE | MAP_LOCKED), 'ENOMEM', 'mmap', /lock limit of 12288 bytes \(RLIMIT_MEMLOCK\)/);
    expect(mm.mappings()).toHaveLength(1);
    mm.mmap(P, RW, SHARED | MAP_LOCKED);
    expect(mm.locked).toBe(3 * P);
  });

  it('the lock budget defaults to 8 MiB, like RLIMIT_MEMLOCK', () => {
    expect(new SimulatedMm().lockLimit).toBe(8 * 1024 * 1024);
  });

  it('rejects arguments that are not integers the way Node does', () => {
    const mm = new SimulatedMm();
    expect(() => mm.mmap('4096' as unknown as number, RW, PRIVATE)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => mm.mmap(1.5, RW, PRIVATE)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => mm.mmap(-1, RW, PRIVATE)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => mm.mmap(P, RW, -1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new SimulatedMm({ lockLimit: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

describe('munmap', () => {
  it('EINVAL for an unaligned address or a length of 0', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE);
    expectSystemError(() => mm.munmap(addr + 1, P), 'EINVAL', 'munmap', /addr 0x7f0000000001 is not page-aligned/);
    expectSystemError(() => mm.munmap(addr, 0), 'EINVAL', 'munmap', /length is 0/);
    expect(mm.mappings()).toHaveLength(1);
  });

  it('unmaps whole mappings, the length rounded up to pages', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE);
    mm.munmap(addr, 1);
    expect(mm.mappings()).toEqual([]);
  });

  it('a hole splits a mapping; both pieces keep the SharedArrayBuffer at their offsets', () => {
    const mm = new SimulatedMm();
    const { addr, bytes } = mm.mmap(4 * P, RW, PRIVATE);
    bytes.fill(7);
    mm.munmap(addr + P, 2 * P);
    expect(layout(mm, addr)).toEqual([
      [0, 1],
      [3, 1],
    ]);
    const [low, high] = mm.mappings();
    expect(low!.bytes.buffer).toBe(bytes.buffer);
    expect(high!.bytes.buffer).toBe(bytes.buffer);
    expect([low!.bytes.byteOffset, high!.bytes.byteOffset]).toEqual([0, 3 * P]);
    expect(high!.bytes.every((x) => x === 7)).toBe(true);
    // The unmapped pages belong to no mapping; the old view reads them as zero.
    expect(bytes.subarray(P, 3 * P).every((x) => x === 0)).toBe(true);
  });

  it('unmapping pages that are not mapped is not an error, and a range may span mappings and gaps', () => {
    const mm = new SimulatedMm();
    const a = mm.mmap(2 * P, RW, PRIVATE);
    const b = mm.mmap(2 * P, RW, DROPPABLE);
    mm.munmap(0x10000, P); // nothing there
    mm.munmap(a.addr + P, b.addr + P - (a.addr + P)); // a's second page, the guard gap, b's first page
    expect(layout(mm, a.addr)).toEqual([
      [0, 1],
      [(b.addr + P - a.addr) / P, 1],
    ]);
  });

  it('leaves shared pages to the other processes mapping them', () => {
    const mm = new SimulatedMm();
    const { addr, bytes } = mm.mmap(P, RW, SHARED);
    const child = mm.fork();
    bytes.fill(3);
    mm.munmap(addr, P);
    expect(child.bytes(addr, P).every((x) => x === 3)).toBe(true);
  });

  it('gives locked pages back to the lock budget', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(3 * P, RW, PRIVATE | MAP_LOCKED);
    mm.munmap(addr, P);
    expect(mm.locked).toBe(2 * P);
  });
});

describe('madvise', () => {
  it('MADV_WIPEONFORK and MADV_DONTDUMP set their flags on private memory', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE);
    mm.madvise(addr, P, MADV_WIPEONFORK);
    mm.madvise(addr, P, MADV_DONTDUMP);
    expect(flagsAt(mm, addr)).toEqual({ ...ORDINARY, wipeOnFork: true, dontDump: true });
  });

  it('MADV_WIPEONFORK on a shared mapping is EINVAL; MADV_DONTDUMP there is fine', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, SHARED);
    expectSystemError(() => mm.madvise(addr, P, MADV_WIPEONFORK), 'EINVAL', 'madvise', /MADV_WIPEONFORK on a shared mapping/);
    mm.madvise(addr, P, MADV_DONTDUMP);
    expect(flagsAt(mm, addr)).toEqual({ ...ORDINARY, shared: true, dontDump: true });
  });

  it('MADV_KEEPONFORK and MADV_DODUMP clear the flags of ordinary memory', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE);
    mm.madvise(addr, P, MADV_WIPEONFORK);
    mm.madvise(addr, P, MADV_DONTDUMP);
    mm.madvise(addr, P, MADV_KEEPONFORK);
    mm.madvise(addr, P, MADV_DODUMP);
    expect(flagsAt(mm, addr)).toEqual(ORDINARY);
  });

  it('MADV_KEEPONFORK on droppable memory is EINVAL', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, DROPPABLE);
    expectSystemError(() => mm.madvise(addr, P, MADV_KEEPONFORK), 'EINVAL', 'madvise', /MADV_KEEPONFORK on a droppable mapping/);
    expect(flagsAt(mm, addr).wipeOnFork).toBe(true);
  });

  it('MADV_DODUMP on droppable memory is EINVAL', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, DROPPABLE);
    expectSystemError(() => mm.madvise(addr, P, MADV_DODUMP), 'EINVAL', 'madvise', /MADV_DODUMP on a droppable mapping/);
    expect(flagsAt(mm, addr).dontDump).toBe(true);
  });

  it('advice over part of a mapping splits it; undoing it merges the pieces again', () => {
    const mm = new SimulatedMm();
    const { addr, bytes } = mm.mmap(4 * P, RW, PRIVATE);
    mm.madvise(addr + P, 2 * P, MADV_DONTDUMP);
    expect(layout(mm, addr)).toEqual([
      [0, 1],
      [1, 2],
      [3, 1],
    ]);
    expect(mm.mappings().map((m) => m.flags.dontDump)).toEqual([false, true, false]);
    expect(mm.mappings().every((m) => m.bytes.buffer === bytes.buffer)).toBe(true);
    mm.madvise(addr + P, 2 * P, MADV_DODUMP);
    expect(layout(mm, addr)).toEqual([[0, 4]]);
  });

  it('MADV_PAGEOUT drops the droppable pages in the range now and leaves ordinary pages alone', () => {
    const mm = new SimulatedMm();
    const d = mm.mmap(3 * P, RW, DROPPABLE);
    const o = mm.mmap(P, RW, PRIVATE);
    d.bytes.fill(1);
    o.bytes.fill(1);
    mm.madvise(d.addr + P, P, MADV_PAGEOUT);
    expect([0, P, 2 * P].map((at) => d.bytes[at])).toEqual([1, 0, 1]);
    expect(d.bytes.subarray(P, 2 * P).every((x) => x === 0)).toBe(true);
    mm.madvise(o.addr, P, MADV_PAGEOUT);
    expect(o.bytes.every((x) => x === 1)).toBe(true);
    expect(layout(mm, d.addr)).toEqual([
      [0, 3],
      [4, 1],
    ]); // page-level: no split
  });

  it.each([0, 4, 8, 20, 999, -1])('EINVAL for advice %i the model does not know', (advice) => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE);
    expectSystemError(() => mm.madvise(addr, P, advice), 'EINVAL', 'madvise', /advice .* is not one the model knows/);
  });

  it('EINVAL for an unaligned address', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE);
    expectSystemError(() => mm.madvise(addr + 8, P, MADV_DONTDUMP), 'EINVAL', 'madvise', /not page-aligned/);
  });

  it('ENOMEM for a range with unmapped pages, and nothing is advised', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(2 * P, RW, PRIVATE);
    expectSystemError(() => mm.madvise(addr, 3 * P, MADV_DONTDUMP), 'ENOMEM', 'madvise', /includes unmapped pages from 0x7f0000002000/);
    expectSystemError(() => mm.madvise(addr - P, 2 * P, MADV_DONTDUMP), 'ENOMEM', 'madvise', /unmapped pages from 0x7efffffff000/);
    expect(flagsAt(mm, addr)).toEqual(ORDINARY);
  });

  it('a rule broken anywhere in the range changes nothing', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(4 * P, RW, PRIVATE);
    mm.madvise(addr, 2 * P, MADV_DONTDUMP);
    mm.munmap(addr + 2 * P, 2 * P);
    const shared = mm.mmap(P, RW, SHARED);
    expect(shared.addr).toBe(addr + 5 * P);
    expectSystemError(() => mm.madvise(addr, 6 * P, MADV_WIPEONFORK), 'ENOMEM', 'madvise', /unmapped/);
    expect(mm.mappings().every((m) => !m.flags.wipeOnFork)).toBe(true);
  });

  it('a length of 0 does nothing', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, DROPPABLE);
    mm.madvise(addr, 0, MADV_DODUMP);
    mm.madvise(0x1000, 0, MADV_DONTDUMP);
    expect(flagsAt(mm, addr).dontDump).toBe(true);
  });
});

describe('mlock / munlock', () => {
  it('locks ordinary pages and counts them against the budget; relocking counts nothing more', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(2 * P, RW, PRIVATE);
    mm.mlock(addr, 2 * P);
    mm.mlock(addr, 2 * P);
    expect(flagsAt(mm, addr).locked).toBe(true);
    expect(mm.locked).toBe(2 * P);
    mm.munlock(addr, 2 * P);
    expect(flagsAt(mm, addr).locked).toBe(false);
    expect(mm.locked).toBe(0);
  });

  it('leaves droppable pages unlocked and does not count them', () => {
    const mm = new SimulatedMm({ lockLimit: P });
    const d = mm.mmap(4 * P, RW, DROPPABLE);
    mm.mlock(d.addr, 4 * P); // past the budget if counted
    expect(flagsAt(mm, d.addr).locked).toBe(false);
    expect(mm.locked).toBe(0);
    expect(layout(mm, d.addr)).toEqual([[0, 4]]);
  });

  it('ENOMEM past the budget, and nothing is locked', () => {
    const mm = new SimulatedMm({ lockLimit: 2 * P });
    const { addr } = mm.mmap(3 * P, RW, PRIVATE);
    expectSystemError(() => mm.mlock(addr, 3 * P), 'ENOMEM', 'mlock', /locking 12288 more bytes would pass the lock limit of 8192 bytes/);
    expect(mm.locked).toBe(0);
    mm.mlock(addr, 2 * P);
    expect(mm.locked).toBe(2 * P);
  });

  it('ENOMEM for a range with unmapped pages', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(P, RW, PRIVATE);
    expectSystemError(() => mm.mlock(addr, 2 * P), 'ENOMEM', 'mlock', /unmapped pages/);
    expectSystemError(() => mm.munlock(addr, 2 * P), 'ENOMEM', 'munlock', /unmapped pages/);
    expect(mm.locked).toBe(0);
  });

  it('locks only the pages of the range (addr rounded down to its page), splitting the mapping', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(3 * P, RW, PRIVATE);
    mm.mlock(addr + P + 100, 10);
    expect(layout(mm, addr)).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(mm.mappings().map((m) => m.flags.locked)).toEqual([false, true, false]);
    expect(mm.locked).toBe(P);
    mm.munlock(addr + P, P);
    expect(layout(mm, addr)).toEqual([[0, 3]]);
  });
});

describe('reclaim (memory pressure)', () => {
  it('drops droppable pages, dirty or not, so they read as zero, and returns how many', () => {
    const mm = new SimulatedMm();
    const { bytes } = mm.mmap(3 * P, RW, DROPPABLE);
    bytes.fill(0xa5);
    expect(mm.reclaim()).toBe(3);
    expect(bytes.every((x) => x === 0)).toBe(true);
    expect(mm.reclaim()).toBe(0);
  });

  it('counts only resident pages: a page is resident if it holds a nonzero byte', () => {
    const mm = new SimulatedMm();
    const { bytes } = mm.mmap(4 * P, RW, DROPPABLE);
    bytes[P + P - 1] = 1; // the last byte of page 1
    bytes[3 * P] = 1;
    expect(mm.reclaim()).toBe(2);
  });

  it('honours the cap, in address order across mappings', () => {
    const mm = new SimulatedMm();
    const a = mm.mmap(2 * P, RW, DROPPABLE);
    const b = mm.mmap(2 * P, RW, DROPPABLE);
    a.bytes.fill(1);
    b.bytes.fill(1);
    expect(mm.reclaim(3)).toBe(3);
    expect([a.bytes[0], a.bytes[P], b.bytes[0], b.bytes[P]]).toEqual([0, 0, 0, 1]);
    expect(mm.reclaim(0)).toBe(0);
    expect(mm.reclaim(5)).toBe(1);
  });

  it('never drops ordinary pages: private, shared, locked or advised', () => {
    const mm = new SimulatedMm();
    const maps = [
      mm.mmap(P, RW, PRIVATE),
      mm.mmap(P, RW, SHARED),
      mm.mmap(P, RW, PRIVATE | MAP_LOCKED),
      mm.mmap(P, RW, PRIVATE | MAP_NORESERVE),
    ];
    mm.madvise(maps[3]!.addr, P, MADV_WIPEONFORK);
    mm.madvise(maps[3]!.addr, P, MADV_DONTDUMP);
    for (const m of maps) m.bytes.fill(9);
    expect(mm.reclaim()).toBe(0);
    for (const m of maps) expect(m.bytes.every((x) => x === 9)).toBe(true);
  });

  it('zeroes each state slot generation first: no key, batch or pos word goes while its generation is intact', () => {
    const mm = new SimulatedMm();
    const { bytes } = mm.mmap(P, RW, DROPPABLE);
    bytes.fill(0xff);
    const words = new Int32Array(bytes.buffer);
    const violations: number[] = [];
    const zeroed: number[] = [];
    const check = (index: number) => {
      zeroed.push(index);
      const slot = Math.floor(index / SLOT) * SLOT;
      const isGeneration = index === slot + GEN || index === slot + GEN + 1;
      // Words past the last slot belong to no state.
      if (slot < SLOTS * SLOT && !isGeneration && (words[slot + GEN] !== 0 || words[slot + GEN + 1] !== 0)) {
        violations.push(index);
      }
    };
    const store = Atomics.store.bind(Atomics);
    const cas = Atomics.compareExchange.bind(Atomics);
    vi.spyOn(Atomics, 'store').mockImplementation(((a: Int32Array, i: number, v: number) => {
      check(i);
      return store(a, i, v);
    }) as typeof Atomics.store);
    vi.spyOn(Atomics, 'compareExchange').mockImplementation(((a: Int32Array, i: number, e: number, v: number) => {
      check(i);
      return cas(a, i, e, v);
    }) as typeof Atomics.compareExchange);
    expect(mm.reclaim()).toBe(1);
    expect(violations).toEqual([]);
    expect(new Set(zeroed).size).toBe(P / 4); // every word, each once
    expect(bytes.every((x) => x === 0)).toBe(true);
  });

  it('keeps what a generator writes while the page is being dropped: a rekey after the drop stands', () => {
    const mm = new SimulatedMm();
    const { bytes } = mm.mmap(P, RW, DROPPABLE);
    bytes.fill(0xff);
    const words = new Int32Array(bytes.buffer);
    const store = Atomics.store.bind(Atomics);
    vi.spyOn(Atomics, 'store').mockImplementation(((a: Int32Array, i: number, v: number) => {
      const result = store(a, i, v);
      if (i === GEN) {
        // Slot 0's generation is now zero: the generator sees it, writes a new generation, a
        // new key, and pos = 96 with in_use set, as step 5 of the algorithm does.
        words[GEN] = 7;
        words[GEN + 1] = 0;
        for (let k = KEY; k < GEN; k++) words[k] = 0x1234 + k;
        words[POS] = 96 | (1 << 8);
      }
      return result;
    }) as typeof Atomics.store);
    mm.reclaim();
    const key = Array.from({ length: GEN - KEY }, (_, k) => 0x1234 + KEY + k);
    expect(Array.from(words.subarray(KEY, POS + 1))).toEqual([...key, 7, 0, 96 | (1 << 8)]);
    expect(words.subarray(0, KEY).every((x) => x === 0)).toBe(true); // the old batch: dropped
    expect(words.subarray(POS + 1).every((x) => x === 0)).toBe(true); // every other slot and the tail
  });

  it('an attached mm in a worker thread drops the pages this thread then reads as zero', async () => {
    const mm = new SimulatedMm();
    const d = mm.mmap(2 * P, RW, DROPPABLE);
    const o = mm.mmap(P, RW, PRIVATE);
    d.bytes.fill(0x5a);
    o.bytes.fill(0x5a);
    const worker = tsWorker(new URL('../helpers/reclaimer.ts', import.meta.url), { workerData: { handle: mm.share() } });
    const [dropped] = (await once(worker, 'message')) as [number];
    await worker.terminate();
    expect(dropped).toBe(2);
    expect(d.bytes.every((x) => x === 0)).toBe(true);
    expect(o.bytes.every((x) => x === 0x5a)).toBe(true);
  });

  it('rejects a cap that is not a count', () => {
    expect(() => new SimulatedMm().reclaim(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

describe('share / attach', () => {
  it('the handle is structured-cloneable and attaches to the same memory', () => {
    const mm = new SimulatedMm({ lockLimit: 5 * P });
    const d = mm.mmap(P, RW, DROPPABLE);
    d.bytes.fill(1);
    const handle = structuredClone(mm.share());
    expect(handle.mappings[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
    const other = SimulatedMm.attach(handle);
    expect(other.lockLimit).toBe(5 * P);
    expect(other.mappings().map(({ addr, length, flags }) => ({ addr, length, flags }))).toEqual(
      mm.mappings().map(({ addr, length, flags }) => ({ addr, length, flags })),
    );
    expect(other.reclaim()).toBe(1);
    expect(d.bytes[0]).toBe(0);
    expect(other.mmap(P, RW, PRIVATE).addr).toBe(d.addr + 2 * P); // continues after the shared mappings
  });
});

describe('fork', () => {
  it('copies private memory: same addresses and contents, then independent', () => {
    const mm = new SimulatedMm();
    const { addr, bytes } = mm.mmap(2 * P, RW, PRIVATE);
    bytes.fill(4);
    const child = mm.fork();
    const copy = child.bytes(addr, 2 * P);
    expect(copy.buffer).not.toBe(bytes.buffer);
    expect(copy.every((x) => x === 4)).toBe(true);
    bytes[0] = 5;
    copy[1] = 6;
    expect([bytes[0], bytes[1], copy[0], copy[1]]).toEqual([5, 4, 4, 6]);
    expect(child.mappings().map((m) => m.addr)).toEqual([addr]);
  });

  it('wipe-on-fork memory, and so droppable memory, reads as zero in the child', () => {
    const mm = new SimulatedMm();
    const w = mm.mmap(P, RW, PRIVATE);
    const d = mm.mmap(P, RW, DROPPABLE);
    mm.madvise(w.addr, P, MADV_WIPEONFORK);
    w.bytes.fill(1);
    d.bytes.fill(1);
    const child = mm.fork();
    expect(child.bytes(w.addr, P).every((x) => x === 0)).toBe(true);
    expect(child.bytes(d.addr, P).every((x) => x === 0)).toBe(true);
    expect(d.bytes.every((x) => x === 1)).toBe(true); // the parent keeps its pages
    expect(flagsAt(child, d.addr)).toEqual(flagsAt(mm, d.addr));
  });

  it('shares MAP_SHARED memory with the parent: one SharedArrayBuffer, writes seen both ways', () => {
    const mm = new SimulatedMm();
    const { addr, bytes } = mm.mmap(P, RW, SHARED);
    const child = mm.fork();
    const theirs = child.bytes(addr, P);
    expect(theirs.buffer).toBe(bytes.buffer);
    bytes[0] = 1;
    theirs[1] = 2;
    expect([theirs[0], bytes[1]]).toEqual([1, 2]);
  });

  it('locks are not inherited; other flags are', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(2 * P, RW, PRIVATE | MAP_LOCKED | MAP_NORESERVE);
    mm.madvise(addr, 2 * P, MADV_DONTDUMP);
    const child = mm.fork();
    expect(child.locked).toBe(0);
    expect(flagsAt(child, addr)).toEqual({ ...ORDINARY, noReserve: true, dontDump: true });
    expect(mm.locked).toBe(2 * P);
  });

  it('pieces of one private mapping stay over one buffer in the child; only wipe-on-fork pieces are zero', () => {
    const mm = new SimulatedMm();
    const { addr, bytes } = mm.mmap(3 * P, RW, PRIVATE);
    bytes.fill(8);
    mm.madvise(addr + P, P, MADV_WIPEONFORK);
    const child = mm.fork();
    const all = child.bytes(addr, 3 * P);
    expect([all[0], all[P], all[2 * P]]).toEqual([8, 0, 8]);
    child.madvise(addr + P, P, MADV_KEEPONFORK);
    expect(layout(child, addr)).toEqual([[0, 3]]);
  });

  it('the child maps new memory where the parent would, without overlapping inherited mappings', () => {
    const mm = new SimulatedMm();
    const a = mm.mmap(P, RW, PRIVATE);
    const child = mm.fork();
    expect(child.mmap(P, RW, PRIVATE).addr).toBe(a.addr + 2 * P);
  });
});

describe('coredump', () => {
  it('holds every mapping except dont-dump (so droppable) ones, in address order, as copies', () => {
    const mm = new SimulatedMm();
    const a = mm.mmap(P, RW, PRIVATE);
    const d = mm.mmap(P, RW, DROPPABLE);
    const x = mm.mmap(P, RW, PRIVATE);
    const s = mm.mmap(2 * P, RW, SHARED);
    mm.madvise(x.addr, P, MADV_DONTDUMP);
    a.bytes.fill(1);
    d.bytes.fill(2);
    x.bytes.fill(3);
    s.bytes.fill(4);
    const dump = mm.coredump();
    expect(dump.segments).toEqual([
      { addr: a.addr, length: P },
      { addr: s.addr, length: 2 * P },
    ]);
    expect(dump.bytes.length).toBe(3 * P);
    expect(dump.bytes.subarray(0, P).every((b) => b === 1)).toBe(true);
    expect(dump.bytes.subarray(P).every((b) => b === 4)).toBe(true);
    a.bytes.fill(0);
    expect(dump.bytes[0]).toBe(1);
  });
});

describe('smaps', () => {
  it('prints a droppable mapping exactly as Linux 6.18 does', () => {
    const mm = new SimulatedMm();
    const { bytes } = mm.mmap(2 * P, RW, DROPPABLE);
    bytes.fill(0x41, 0, P);
    // /proc/self/smaps of mmap(8192, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS) with
    // its first page written, on Linux 6.18 (only the addresses differ).
    expect(mm.smaps()).toBe(
      [
        '7f0000000000-7f0000002000 rw-p 00000000 00:00 0 ',
        'Size:                  8 kB',
        'KernelPageSize:        4 kB',
        'MMUPageSize:           4 kB',
        'Rss:                   4 kB',
        'Pss:                   4 kB',
        'Pss_Dirty:             4 kB',
        'Shared_Clean:          0 kB',
        'Shared_Dirty:          0 kB',
        'Private_Clean:         0 kB',
        'Private_Dirty:         4 kB',
        'Referenced:            4 kB',
        'Anonymous:             4 kB',
        'KSM:                   0 kB',
        'LazyFree:              0 kB',
        'AnonHugePages:         0 kB',
        'ShmemPmdMapped:        0 kB',
        'FilePmdMapped:         0 kB',
        'Shared_Hugetlb:        0 kB',
        'Private_Hugetlb:       0 kB',
        'Swap:                  0 kB',
        'SwapPss:               0 kB',
        'Locked:                0 kB',
        'THPeligible:           0',
        'VmFlags: rd wr mr mw me nr wf dd dp ',
        '',
      ].join('\n'),
    );
  });

  it('VmFlags in the kernel bit order for each kind of mapping', () => {
    const mm = new SimulatedMm();
    mm.mmap(P, RW, PRIVATE);
    mm.mmap(P, PROT_READ, PRIVATE);
    mm.mmap(P, RW, PRIVATE | MAP_NORESERVE);
    mm.mmap(P, RW, PRIVATE | MAP_LOCKED);
    mm.mmap(P, RW, SHARED);
    const w = mm.mmap(P, RW, PRIVATE);
    mm.madvise(w.addr, P, MADV_WIPEONFORK);
    mm.madvise(w.addr, P, MADV_DONTDUMP);
    mm.mmap(P, RW, DROPPABLE);
    // Each line as Linux 6.18 prints it for the same mmap() (checked with a C program).
    expect(vmFlags(mm)).toEqual([
      'VmFlags: rd wr mr mw me ac ',
      'VmFlags: rd mr mw me ',
      'VmFlags: rd wr mr mw me nr ',
      'VmFlags: rd wr mr mw me lo ac ',
      'VmFlags: rd wr sh mr mw me ms ',
      'VmFlags: rd wr mr mw me ac wf dd ',
      'VmFlags: rd wr mr mw me nr wf dd dp ',
    ]);
  });

  it('shared memory is the deleted /dev/zero shmem file; private memory has no name', () => {
    const mm = new SimulatedMm();
    mm.mmap(P, RW, PRIVATE);
    const s = mm.mmap(P, RW, SHARED);
    s.bytes[0] = 1;
    const [, shared] = mm.smaps().split(/(?=^7f)/m);
    const header = shared!.split('\n')[0]!;
    expect(header).toMatch(/^7f0000002000-7f0000003000 rw-s 00000000 00:01 \d+ +\/dev\/zero \(deleted\)$/);
    expect(header.indexOf('/dev/zero')).toBe(73);
    expect(shared).toMatch(/^Rss: +4 kB$/m);
    expect(shared).toMatch(/^Anonymous: +0 kB$/m); // shmem, not anonymous pages
  });

  it('Rss counts resident pages and Locked the resident locked ones', () => {
    const mm = new SimulatedMm();
    const { bytes } = mm.mmap(4 * P, RW, PRIVATE | MAP_LOCKED);
    bytes[0] = 1;
    bytes[2 * P + 5] = 1;
    const text = mm.smaps();
    expect(text).toMatch(/^Size: +16 kB$/m);
    expect(text).toMatch(/^Rss: +8 kB$/m);
    expect(text).toMatch(/^Locked: +8 kB$/m);
  });

  it('one entry per mapping after a split', () => {
    const mm = new SimulatedMm();
    const { addr } = mm.mmap(3 * P, RW, PRIVATE);
    mm.madvise(addr + P, P, MADV_DONTDUMP);
    expect(mm.smaps().match(/^7f\S+/gm)).toEqual(['7f0000000000-7f0000001000', '7f0000001000-7f0000002000', '7f0000002000-7f0000003000']);
  });
});

describe('committed (VM_ACCOUNT)', () => {
  it('counts private writable and shared mappings, not no-reserve, droppable or read-only private ones', () => {
    const mm = new SimulatedMm();
    const a = mm.mmap(2 * P, RW, PRIVATE);
    expect(mm.committed).toBe(2 * P);
    mm.mmap(P, RW, SHARED);
    expect(mm.committed).toBe(3 * P);
    mm.mmap(4 * P, RW, DROPPABLE);
    mm.mmap(4 * P, RW, PRIVATE | MAP_NORESERVE);
    mm.mmap(4 * P, RW, SHARED | MAP_NORESERVE);
    mm.mmap(4 * P, PROT_READ, PRIVATE);
    expect(mm.committed).toBe(3 * P);
    mm.munmap(a.addr, P);
    expect(mm.committed).toBe(2 * P);
  });
});

describe('bytes(addr, length)', () => {
  it('views mapped memory, across pieces of one mapping; EFAULT elsewhere', () => {
    const mm = new SimulatedMm();
    const { addr, bytes } = mm.mmap(3 * P, RW, PRIVATE);
    const next = mm.mmap(P, RW, PRIVATE);
    mm.madvise(addr + P, P, MADV_DONTDUMP);
    const view = mm.bytes(addr + 10, 2 * P);
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(10);
    expectSystemError(() => mm.bytes(addr - P, 1), 'EFAULT', 'bytes', /not inside one mapping/);
    expectSystemError(() => mm.bytes(addr, next.addr - addr + 1), 'EFAULT', 'bytes', /not inside one mapping/);
  });
});
