// Tests for the node:crypto drop-ins (src/api/node-crypto.ts and the modules it re-exports): a
// differential table that runs each function beside node:crypto's (and globalThis.crypto's) over
// the same bad inputs and requires the same outcome, then statistics, formats, the async
// contract, byte ranges and failing entropy.

import { Buffer } from 'node:buffer';
import * as nodeCrypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { v4 as uuidV4 } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultGenerator } from '../../src/api/default-generator.js';
import type { Generator } from '../../src/api/generator.js';
import { reseed } from '../../src/api/getrandom.js';
import * as ours from '../../src/api/node-crypto.js';
import { systemError } from '../../src/base/errors.js';
import { type Api, differentialCases, type Fn, outcome } from './node-crypto/differential.js';

const OURS = ours as unknown as Api;
const NODE = {
  getRandomValues: nodeCrypto.getRandomValues,
  randomBytes: nodeCrypto.randomBytes,
  randomFill: nodeCrypto.randomFill,
  randomFillSync: nodeCrypto.randomFillSync,
  randomInt: nodeCrypto.randomInt,
  randomUUID: nodeCrypto.randomUUID,
  webcrypto: globalThis.crypto,
} as unknown as Api;

/**
 * Makes the ID pool's next fill (forced now, by a reseed) start with `bytes`, the rest zero;
 * returns a getter of the bytes the pool was filled into, to see what it erased.
 */
function nextPoolFill(bytes: Uint8Array): () => Uint8Array {
  reseed();
  let filled: Uint8Array | undefined;
  vi.spyOn(defaultGenerator(), 'fill').mockImplementation(((buffer: Uint8Array) => {
    filled = buffer;
    buffer.fill(0);
    buffer.set(bytes);
    return buffer;
  }) as Generator['fill']);
  return () => filled!;
}

describe('differential against node:crypto and globalThis.crypto', () => {
  const cases = differentialCases((api) => (api === OURS ? NODE.webcrypto : OURS.webcrypto));

  it(`${cases.length} cases give the same outcome: same error class, name, code and message, thrown or called back alike`, async () => {
    const mismatches: string[] = [];
    const kinds = new Set<string>();
    const probe = new Uint8Array(16);
    for (const c of cases) {
      const [mine, theirs] = await Promise.all([outcome(OURS, c), outcome(NODE, c)]);
      if (!isDeepStrictEqual(mine, theirs)) {
        mismatches.push(`${c.label}\n  ours: ${JSON.stringify(mine)}\n  node: ${JSON.stringify(theirs)}`);
      }
      const { threw, callback } = mine as { threw?: { base: string }; callback?: unknown };
      kinds.add(threw ? `threw ${threw.base}` : callback ? 'called back' : 'returned');
      // No error leaves the generator unusable.
      if (threw) expect(ours.getRandomValues(probe)).toBe(probe);
    }
    expect(mismatches.join('\n')).toBe('');
    // The table reaches every kind of outcome.
    expect([...kinds].sort()).toEqual(['called back', 'returned', 'threw DOMException', 'threw RangeError', 'threw TypeError']);
  });

  it('errors carry Node\'s toString, "Name [CODE]: message"', () => {
    const mine = (() => {
      try {
        ours.randomBytes(-1);
      } catch (e) {
        return String(e);
      }
    })();
    const theirs = (() => {
      try {
        nodeCrypto.randomBytes(-1);
      } catch (e) {
        return String(e);
      }
    })();
    expect(mine).toBe(theirs);
  });
});

// ---------------------------------------------------------------------------------------------
// randomInt: bounds and uniformity

/** ln Γ(z) for z >= 0.5 (Lanczos, g = 7): 15 significant digits. */
function lnGamma(z: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const x = z - 1;
  let sum = g[0];
  for (let i = 1; i < 9; i++) sum += g[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Q(a, x), the regularized upper incomplete gamma function (series, or Lentz's continued fraction). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * front;
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return front * h;
}

/** The chi-square test's p-value for observed counts against equal expected counts. */
function chiSquareP(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const expected = total / counts.length;
  let chi2 = 0;
  for (let i = 0; i < counts.length; i++) chi2 += (counts[i] - expected) ** 2 / expected;
  return gammaQ((counts.length - 1) / 2, chi2 / 2);
}

/**
 * Every uniformity test below fails a correct implementation with probability P_FAIL; the eleven
 * of them together, under 1e-6.
 */
const P_FAIL = 1e-7;

/** Counts of `draw()` over `n` draws, placed in `buckets` equal slices of [0, range). */
function bucketCounts(draw: () => number, min: number, range: number, buckets: number, n: number): Uint32Array {
  const counts = new Uint32Array(buckets);
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const v = draw() - min;
    if (!(Number.isInteger(v) && v >= 0 && v < range)) outside++;
    // v * buckets stays exact: range <= 2^48 and buckets <= 2^10.
    else counts[buckets === range ? v : Math.floor((v * buckets) / range)]++;
  }
  expect(outside).toBe(0);
  return counts;
}

describe('randomInt', () => {
  it('the chi-square p-value helper matches known quantiles', () => {
    expect(gammaQ(1, 27.631021 / 2)).toBeCloseTo(1e-6, 10); // df 2: p = exp(-x/2)
    expect(gammaQ(0.5, 23.928127 / 2) / 1e-6).toBeCloseTo(1, 3); // df 1
    expect(gammaQ(5, 18.307038 / 2)).toBeCloseTo(0.05, 6); // df 10
    // Integer a: Q(a, x) = e^-x * sum of x^i / i! for i < a, summed here without lnGamma.
    for (const [a, x] of [
      [500, 450],
      [500, 500],
      [500, 613],
    ] as const) {
      let term = Math.exp(-x);
      let sum = 0;
      for (let i = 0; i < a; i++) {
        sum += term;
        term *= x / (i + 1);
      }
      expect(gammaQ(a, x) / sum).toBeCloseTo(1, 9);
    }
  });

  const uniform: Array<[label: string, min: number, max: number, buckets: number, n: number]> = [
    ['[0, 2)', 0, 2, 2, 100_000],
    ['[0, 3)', 0, 3, 3, 100_000],
    ['[0, 7)', 0, 7, 7, 100_000],
    ['[0, 10)', 0, 10, 10, 100_000],
    ['[0, 1000)', 0, 1000, 1000, 200_000],
    ['[-3, 4)', -3, 4, 7, 100_000],
    ['[0, 2^32 + 1) in 64 slices', 0, 2 ** 32 + 1, 64, 100_000],
    // Half of all 48-bit draws are rejected here, the most of any range.
    ['[0, 2^47 + 1) in 64 slices', 0, 2 ** 47 + 1, 64, 100_000],
    // A quarter are rejected; plain x % range would make the lowest third twice as likely.
    ['[0, 3 * 2^46) in 64 slices', 0, 3 * 2 ** 46, 64, 100_000],
    ['[-2^47, 2^48 - 2^47 - 1) in 64 slices', -(2 ** 47), 2 ** 48 - 2 ** 47 - 1, 64, 100_000],
  ];
  for (const [label, min, max, buckets, n] of uniform) {
    it(`is uniform over ${label} (chi-square p >= ${P_FAIL})`, () => {
      const counts = bucketCounts(() => ours.randomInt(min, max), min, max - min, buckets, n);
      expect(chiSquareP(counts)).toBeGreaterThanOrEqual(P_FAIL);
    });
  }

  it('the uniformity test catches modulo bias (plain x % range over 48-bit draws)', () => {
    const range = 3 * 2 ** 46;
    const biased = () => ours.randomBytes(6).readUIntBE(0, 6) % range;
    expect(chiSquareP(bucketCounts(biased, 0, range, 64, 20_000))).toBeLessThan(1e-12);
  });

  it('is the async form uniform too', async () => {
    const counts = new Uint32Array(7);
    for (let i = 0; i < 20_000; i++) counts[await new Promise<number>((r) => ours.randomInt(7, (_e, n) => r(n)))]++;
    expect(chiSquareP(counts)).toBeGreaterThanOrEqual(P_FAIL);
  });

  it('maps each draw exactly as Node does: big-endian 48 bits, rejected at the limit, else min + x mod range', () => {
    const RAND_MAX = 2n ** 48n - 1n;
    // Draws around the rejection limit and at the extremes, for small, large and awkward ranges.
    const cases: [number, number][] = [
      [0, 1000],
      [-7, 3],
      [0, 2 ** 47 + 1],
      [0, 3 * 2 ** 46],
      [5, 2 ** 48 + 4],
      [Number.MAX_SAFE_INTEGER - 2 ** 48 + 1, Number.MAX_SAFE_INTEGER],
    ];
    for (const [min, max] of cases) {
      const range = BigInt(max) - BigInt(min);
      const limit = RAND_MAX - (RAND_MAX % range);
      const draws = [0n, 1n, range - 1n, range, limit - 1n, limit, RAND_MAX, 0x0123456789abn, limit - range];
      for (const x of draws.filter((d) => d >= 0n && d <= RAND_MAX)) {
        // The draw first, then (if it is rejected) a zero draw, which is always accepted; then a
        // draw of 1, which a second call takes only if the first draw was rejected.
        const draws = new Uint8Array(18);
        for (let i = 0; i < 6; i++) draws[i] = Number((x >> BigInt(40 - 8 * i)) & 0xffn);
        draws[17] = 1;
        const pool = nextPoolFill(draws);
        const expected = x < limit ? BigInt(min) + (x % range) : BigInt(min);
        expect(ours.randomInt(min, max), `[${min}, ${max}) draw ${x}`).toBe(Number(expected));
        expect(ours.randomInt(min, max)).toBe(x < limit ? min : min + 1);
        // Every byte taken was erased: the first draw's, and the 1 only where it was taken.
        expect(
          pool()
            .subarray(0, 6)
            .every((b) => b === 0),
        ).toBe(true);
        expect(pool()[17]).toBe(x < limit ? 1 : 0);
        vi.restoreAllMocks();
      }
    }
  });

  it('keeps min inclusive and max exclusive, negative ranges included', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(ours.randomInt(-5, -3));
    expect([...seen].sort()).toEqual([-4, -5]);
    expect(ours.randomInt(Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER + 1)).toBe(Number.MIN_SAFE_INTEGER);
    expect(ours.randomInt(Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(ours.randomInt(1)).toBe(0);
    for (let i = 0; i < 1000; i++) {
      const v = ours.randomInt(Number.MAX_SAFE_INTEGER - 2 ** 48 + 1, Number.MAX_SAFE_INTEGER);
      expect(v).toBeGreaterThanOrEqual(Number.MAX_SAFE_INTEGER - 2 ** 48 + 1);
      expect(v).toBeLessThan(Number.MAX_SAFE_INTEGER);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// randomUUID

describe('randomUUID', () => {
  const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('gives 10^5 distinct version 4 UUIDs with balanced random bits', () => {
    const n = 100_000;
    const seen = new Set<string>();
    const ones = new Uint32Array(128);
    for (let i = 0; i < n; i++) {
      const uuid = ours.randomUUID(i % 2 === 0 ? undefined : { disableEntropyCache: i % 4 === 1 });
      if (!FORMAT.test(uuid)) expect(uuid).toMatch(FORMAT);
      seen.add(uuid);
      const hex = uuid.replaceAll('-', '');
      for (let d = 0; d < 32; d++) {
        const nibble = parseInt(hex[d], 16);
        for (let b = 0; b < 4; b++) ones[d * 4 + b] += (nibble >> (3 - b)) & 1;
      }
    }
    expect(seen.size).toBe(n);
    // Version 0100 (bits 48..51) and variant 10 (bits 64, 65) are fixed; the other 122 bits
    // are each one half the time: 6 sigma apart fails a correct implementation with p < 1e-6.
    const fixed = new Map([
      [48, 0],
      [49, n],
      [50, 0],
      [51, 0],
      [64, n],
      [65, 0],
    ]);
    const sigma = Math.sqrt(n) / 2;
    for (let bit = 0; bit < 128; bit++) {
      if (fixed.has(bit)) expect(ones[bit]).toBe(fixed.get(bit));
      else expect(Math.abs(ones[bit] - n / 2)).toBeLessThan(6 * sigma);
    }
  });

  it('formats its 16 bytes as uuid v4 does, from the pool or drawn fresh, and leaves no copy of them behind', () => {
    for (const seed of [0x00, 0xff, 0x5a, 0xa5, 0x0f]) {
      const random = Uint8Array.from({ length: 16 }, (_, i) => (seed * 7 + i * 29) & 0xff);
      let scratch: Uint8Array | undefined;
      vi.spyOn(defaultGenerator(), 'getrandom').mockImplementation((buffer) => {
        scratch = buffer as Uint8Array;
        scratch.set(random);
        return 16;
      });
      expect(ours.randomUUID({ disableEntropyCache: true })).toBe(uuidV4({ random }));
      expect([...scratch!]).toEqual(Array(16).fill(0));
      vi.restoreAllMocks();

      const pool = nextPoolFill(random);
      expect(ours.randomUUID()).toBe(uuidV4({ random }));
      expect([...pool().subarray(0, 16)]).toEqual(Array(16).fill(0));
      vi.restoreAllMocks();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// getRandomValues and webcrypto

/** True once every byte of `view` has been nonzero after some fill (16 fills at most). */
function fillsEveryByte(fill: () => void, view: Uint8Array): boolean {
  const seen = new Uint8Array(view.byteLength);
  for (let attempt = 0; attempt < 16; attempt++) {
    fill();
    let all = true;
    for (let i = 0; i < view.byteLength; i++) {
      seen[i] |= view[i];
      if (seen[i] === 0) all = false;
    }
    if (all) return true;
  }
  return false;
}

/** Byte lengths: every one to 1100, then a spread to 65536, powers of two and their neighbours. */
function lengthsToTest(): number[] {
  const lengths = new Set<number>();
  for (let n = 0; n <= 1100; n++) lengths.add(n);
  for (let n = 1100; n <= 65536; n += 2039) lengths.add(n);
  for (let p = 2048; p <= 65536; p *= 2) for (const d of [-9, -8, -1, 0, 1, 8]) lengths.add(p + d);
  return [...lengths].filter((n) => n <= 65536).sort((a, b) => a - b);
}

const INTEGER_ARRAYS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
] as const;

describe('getRandomValues', () => {
  for (const C of INTEGER_ARRAYS) {
    it(`fills every byte of a ${C.name} of every length to 65536 bytes, and refuses 65536 + ${C.BYTES_PER_ELEMENT}`, () => {
      for (const bytes of lengthsToTest()) {
        if (bytes % C.BYTES_PER_ELEMENT !== 0) continue;
        const array = new C(bytes / C.BYTES_PER_ELEMENT);
        const view = new Uint8Array(array.buffer);
        if (!fillsEveryByte(() => expect(ours.getRandomValues(array)).toBe(array), view)) {
          expect.fail(`${C.name} of ${bytes} bytes: some byte never filled`);
        }
      }
      const tooBig = new C(65536 / C.BYTES_PER_ELEMENT + 1);
      expect(() => ours.getRandomValues(tooBig)).toThrow(/exceeds 65,536 bytes/);
      expect(new Uint8Array(tooBig.buffer).every((b) => b === 0)).toBe(true);
    });
  }

  it('accepts a Buffer, and writes only the bytes a view covers', () => {
    const buf = Buffer.alloc(32);
    expect(ours.getRandomValues(buf)).toBe(buf);
    const ab = new ArrayBuffer(32);
    const bytes = new Uint8Array(ab).fill(0xaa);
    const view = new Uint16Array(ab, 4, 8);
    expect(fillsEveryByte(() => ours.getRandomValues(view), new Uint8Array(ab, 4, 16))).toBe(true);
    expect([...bytes.subarray(0, 4), ...bytes.subarray(20)].every((b) => b === 0xaa)).toBe(true);
  });

  it('throws the runtime QuotaExceededError class where there is one', () => {
    class QuotaExceededError extends DOMException {
      quota: number;
      requested: number;
      constructor(message: string, options: { quota: number; requested: number }) {
        super(message, 'QuotaExceededError');
        this.quota = options.quota;
        this.requested = options.requested;
      }
    }
    vi.stubGlobal('QuotaExceededError', QuotaExceededError);
    try {
      const err = (() => {
        try {
          ours.getRandomValues(new Uint32Array(16385));
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(QuotaExceededError);
      expect(err).toMatchObject({ name: 'QuotaExceededError', code: 22, quota: 65536, requested: 65540 });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('webcrypto', () => {
  it('stands in for the random half of globalThis.crypto', () => {
    const rng: Pick<Crypto, 'getRandomValues' | 'randomUUID'> = ours.webcrypto;
    expect(Object.prototype.toString.call(rng)).toBe(Object.prototype.toString.call(globalThis.crypto));
    const u32 = new Uint32Array(4);
    expect(rng.getRandomValues(u32)).toBe(u32);
    expect(rng.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

// ---------------------------------------------------------------------------------------------
// The async contract and byte ranges

/** Calls `start(cb)` and resolves with the callback's arguments and whether it ran after `start` returned. */
function callBack(start: (cb: Fn) => void): Promise<{ args: unknown[]; afterReturn: boolean }> {
  return new Promise((resolve) => {
    let returned = false;
    start((...args) => resolve({ args, afterReturn: returned }));
    returned = true;
  });
}

describe('async forms', () => {
  it('randomBytes calls back later with (null, buf), zero bytes included', async () => {
    for (const size of [0, 1, 16, 70_000]) {
      const { args, afterReturn } = await callBack((cb) => ours.randomBytes(size, cb));
      expect(afterReturn).toBe(true);
      expect(args).toHaveLength(2);
      expect(args[0]).toBeNull();
      expect(Buffer.isBuffer(args[1])).toBe(true);
      expect(args[1]).toHaveLength(size);
    }
  });

  it('randomFill calls back later with (null, the same buffer), zero bytes included', async () => {
    for (const buf of [new Uint8Array(0), new Uint8Array(16), new ArrayBuffer(8), new DataView(new ArrayBuffer(8))]) {
      const { args, afterReturn } = await callBack((cb) => ours.randomFill(buf, cb));
      expect(afterReturn).toBe(true);
      expect(args).toEqual([null, buf]);
      expect(args[1]).toBe(buf);
    }
  });

  it('randomInt calls back later with (undefined, n), as Node does', async () => {
    const { args, afterReturn } = await callBack((cb) => ours.randomInt(5, 10, cb));
    expect(afterReturn).toBe(true);
    expect(args).toHaveLength(2);
    expect(args[0]).toBeUndefined();
    expect(args[1]).toBeGreaterThanOrEqual(5);
    expect(args[1]).toBeLessThan(10);
  });
});

describe('randomFill(Sync) with offset and size', () => {
  /** [label, buffer over a 0xaa-filled ArrayBuffer, offset, size, first byte and end of the range in that ArrayBuffer]. */
  const ranges: Array<[string, (ab: ArrayBuffer) => ours.RandomFillTarget, number, number | undefined, number, number]> = [
    ['Uint8Array', (ab) => new Uint8Array(ab), 8, 16, 8, 24],
    ['Uint8Array to the end', (ab) => new Uint8Array(ab), 40, undefined, 40, 64],
    ['Uint32Array, in elements', (ab) => new Uint32Array(ab), 2, 4, 8, 24],
    ['Uint16Array at byte offset 6', (ab) => new Uint16Array(ab, 6, 20), 3, 5, 12, 22],
    ['DataView at byte offset 4', (ab) => new DataView(ab, 4, 32), 2, 16, 6, 22],
    ['ArrayBuffer', (ab) => ab, 3, 17, 3, 20],
  ];

  async function check(fill: (buf: ours.RandomFillTarget, offset: number, size: number | undefined) => Promise<void>) {
    for (const [label, make, offset, size, from, to] of ranges) {
      const ab = new ArrayBuffer(64);
      const bytes = new Uint8Array(ab).fill(0xaa);
      const buf = make(ab);
      const outside = () => [...bytes.subarray(0, from), ...bytes.subarray(to)].every((b) => b === 0xaa);
      let filled = true;
      const seen = new Uint8Array(to - from);
      for (let attempt = 0; attempt < 16; attempt++) {
        bytes.fill(0xaa);
        await fill(buf, offset, size);
        expect(outside(), label).toBe(true);
        for (let i = from; i < to; i++) seen[i - from] |= bytes[i] ^ 0xaa;
        filled = seen.every((b) => b !== 0);
        if (filled) break;
      }
      expect(filled, label).toBe(true);
    }
  }

  it('randomFillSync writes exactly that range', async () => {
    await check(async (buf, offset, size) => {
      expect(ours.randomFillSync(buf, offset, size)).toBe(buf);
    });
  });

  it('randomFill writes exactly that range', async () => {
    await check(
      (buf, offset, size) =>
        new Promise((resolve, reject) => {
          const cb = (err: Error | null) => (err ? reject(err) : resolve());
          if (size === undefined) ours.randomFill(buf, offset, cb);
          else ours.randomFill(buf, offset, size, cb);
        }),
    );
  });

  it('fills the bytes of a TypedArray given Uint8Array.prototype, as Node does', () => {
    // Node 20 to 24 read BYTES_PER_ELEMENT (1, from the swapped prototype) and fill bytes [0, 8) of
    // the real buffer; Node 26 takes 2 from the type and fills all 16. Either way the fill is by
    // bytes: writing through the object as bytes would put 0..255 in 16-bit elements. So the bytes
    // written (ORed over 8 fills: a written byte stays 0 with probability 2^-64) must be Node's.
    const written = (fill: (w: Uint8Array) => unknown): number[] => {
      const seen = new Uint8Array(16);
      for (let i = 0; i < 8; i++) {
        const w = Object.setPrototypeOf(new Uint16Array(8), Uint8Array.prototype) as Uint8Array;
        fill(w);
        const bytes = new Uint8Array(w.buffer);
        for (let b = 0; b < 16; b++) seen[b] |= bytes[b]!;
      }
      return [...seen].map((v) => (v === 0 ? 0 : 1));
    };
    const theirs = written((w) => nodeCrypto.randomFillSync(w, 0, 8));
    expect(written((w) => ours.randomFillSync(w, 0, 8))).toEqual(theirs);
    expect(theirs.slice(0, 8)).toEqual(Array(8).fill(1));
  });
});

// ---------------------------------------------------------------------------------------------
// Failing entropy

describe('when the entropy source fails', () => {
  const failure = systemError('EAGAIN', 'getrandom');

  /**
   * Makes the default generator's fill and getrandom write 0xff into the first half of their
   * buffer, then throw; after a reseed, so that the ID pool must be filled again too.
   */
  function failFills() {
    reseed();
    const fail = (buffer: ArrayBufferView): never => {
      new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength >> 1).fill(0xff);
      throw failure;
    };
    vi.spyOn(defaultGenerator(), 'fill').mockImplementation(fail as Generator['fill']);
    vi.spyOn(defaultGenerator(), 'getrandom').mockImplementation(fail);
  }

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the sync forms throw the error, zero the range, and hand out nothing', () => {
    failFills();
    expect(() => ours.randomBytes(32)).toThrow(failure);
    expect(() => ours.randomInt(10)).toThrow(failure);
    expect(() => ours.randomUUID()).toThrow(failure);
    expect(() => ours.webcrypto.randomUUID()).toThrow(failure);

    const u8 = new Uint8Array(32).fill(0x11);
    expect(() => ours.randomFillSync(u8, 4, 16)).toThrow(failure);
    expect([...u8]).toEqual([...Array(4).fill(0x11), ...Array(16).fill(0), ...Array(12).fill(0x11)]);

    const u32 = new Uint32Array(8).fill(0x11111111);
    expect(() => ours.getRandomValues(u32)).toThrow(failure);
    expect([...u32]).toEqual(Array(8).fill(0));
    u32.fill(0x11111111);
    expect(() => ours.webcrypto.getRandomValues(u32)).toThrow(failure);
    expect([...u32]).toEqual(Array(8).fill(0));
  });

  it('the async forms pass the error alone to the callback, later', async () => {
    failFills();
    for (const start of [
      (cb: Fn) => ours.randomBytes(32, cb),
      (cb: Fn) => ours.randomInt(10, cb),
      (cb: Fn) => ours.randomFill(new Uint8Array(32), cb),
    ]) {
      const { args, afterReturn } = await callBack(start);
      expect(afterReturn).toBe(true);
      expect(args).toEqual([failure]);
      expect(args[0]).toBe(failure);
    }
    const u8 = new Uint8Array(16).fill(0x11);
    const { args } = await callBack((cb) => ours.randomFill(u8, 2, 8, cb));
    expect(args[0]).toBe(failure);
    expect([...u8]).toEqual([0x11, 0x11, ...Array(8).fill(0), ...Array(6).fill(0x11)]);
  });

  it('everything works again once the source recovers', async () => {
    failFills();
    expect(() => ours.randomBytes(8)).toThrow(failure);
    vi.restoreAllMocks();
    expect(ours.randomBytes(8)).toHaveLength(8);
    expect(ours.randomInt(10)).toBeLessThan(10);
    expect(ours.randomUUID()).toHaveLength(36);
    const { args } = await callBack((cb) => ours.randomFill(new Uint8Array(8), cb));
    expect(args[0]).toBeNull();
  });
});
