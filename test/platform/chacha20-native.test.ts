// The addon's ChaCha20 cores (native/chacha20.c: avx512, avx2, sse, scalar) against the JS core
// (src/core/chacha20.ts), @noble/ciphers and OpenSSL, byte for byte.
//
// A process picks its core once, at first use, capped by VGETRANDOM_CHACHA; so each core runs
// in a child process of its own with that variable set, over the same cases, and hands back the
// whole buffer of every case (the output, what lies around it, the key it may have overwritten)
// for this process to compare. Each child also times 1 MiB requests: the GB/s are logged.
//
// Runs where the addon is loaded; on Linux x64 it must be (test/helpers/backends.ts).

import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chacha20Blocks } from '../../src/core/chacha20.js';
import { loadNative, type NativeBinding, type NativeChachaCore } from '../../src/platform/addon/binding.js';
import { BACKENDS } from '../helpers/backends.js';
import { nobleKeystream, opensslKeystream } from '../helpers/reference.js';

const loaded = loadNative();
const hasNative = BACKENDS.includes('native');

const CORES: readonly NativeChachaCore[] = ['scalar', 'sse', 'avx2', 'avx512'];
const TWO32 = 2 ** 32;

/** The cores this CPU can run, worst first (the kernel's view of the CPU and its xsave state). */
function cpuCores(): NativeChachaCore[] {
  if (process.arch !== 'x64') return ['scalar'];
  const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  const flags = new Set(line.trim().split(/\s+/));
  const cores: NativeChachaCore[] = ['scalar'];
  for (const [core, flag] of [
    ['sse', 'ssse3'],
    ['avx2', 'avx2'],
    ['avx512', 'avx512f'],
  ] as const) {
    if (!flags.has(flag)) break;
    cores.push(core);
  }
  return cores;
}

/** The core a process runs when VGETRANDOM_CHACHA is `cap`: at most the cap, at most the CPU's best. */
function expectedCore(cap: string | undefined): NativeChachaCore {
  const have = cpuCores();
  const best = have[have.length - 1]!;
  const i = CORES.indexOf(cap as NativeChachaCore);
  return i < 0 ? best : CORES[Math.min(i, CORES.indexOf(best))]!;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The JS core's blocks as bytes. */
function jsKeystream(key: Uint8Array, counter: number, nblocks: number): Uint8Array {
  const out = new Uint32Array(nblocks * 16);
  chacha20Blocks(out, 0, new Uint32Array(new Uint8Array(key).buffer), 0, counter, nblocks);
  return new Uint8Array(out.buffer);
}

/** An independent reference for any counter: noble below 2^32 (its counter does not carry), else OpenSSL. */
function referenceKeystream(key: Uint8Array, counter: number, nblocks: number): Uint8Array {
  return counter + nblocks < TWO32 - 1 ? nobleKeystream(key, counter, nblocks * 64) : opensslKeystream(key, BigInt(counter), nblocks * 64);
}

/**
 * One call of chacha20Blocks in a child. The child fills a `bufLen`-byte buffer with a pattern,
 * puts the key at `keyAt` in it (overlap) or else at offset `keyOff` of a buffer of its own,
 * calls chacha20Blocks(buf.subarray(outAt), key, counter, nblocks) and returns the buffer.
 */
interface Case {
  group: 'random' | 'lengths' | 'carry' | 'overlap' | 'unaligned';
  name: string;
  key: string;
  counter: number;
  nblocks: number;
  bufLen: number;
  outAt: number;
  keyAt: number | null;
  keyOff: number;
}

const pattern = (len: number) => Uint8Array.from({ length: len }, (_, i) => (i * 131 + 7) & 0xff);

/** The buffer a case must leave: the pattern, the key where it was put, the keystream over both. */
function expectedBuffer(c: Case, keystream: Uint8Array): Uint8Array {
  const buf = pattern(c.bufLen);
  if (c.keyAt !== null) buf.set(Buffer.from(c.key, 'hex'), c.keyAt);
  buf.set(keystream, c.outAt);
  return buf;
}

function makeCases(): Case[] {
  const cases: Case[] = [];
  const add = (
    group: Case['group'],
    name: string,
    c: Omit<Case, 'group' | 'name' | 'key' | 'keyAt' | 'keyOff' | 'bufLen'> & Partial<Case>,
  ) => cases.push({ group, name, key: hex(randomBytes(32)), keyAt: null, keyOff: 0, bufLen: c.outAt + c.nblocks * 64, ...c });

  // 1000 random keys, counters, lengths 1..40, output and key offsets.
  for (let i = 0; i < 1000; i++) {
    const kind = i % 4;
    const counter =
      kind === 0
        ? randomInt(0, 2 ** 48 - 1) * 32 + randomInt(0, 32) // anywhere below 2^53
        : kind === 1
          ? randomInt(0, TWO32 - 64) // noble's range
          : kind === 2
            ? TWO32 - randomInt(1, 41) // the carry inside the run
            : randomInt(0, 1000);
    const nblocks = randomInt(1, 41);
    const outAt = randomInt(0, 16);
    add('random', `random #${i} counter ${counter} nblocks ${nblocks} out at +${outAt}`, {
      counter,
      nblocks,
      outAt,
      keyOff: randomInt(0, 4),
      bufLen: outAt + nblocks * 64 + randomInt(0, 17),
    });
  }
  // Every length from 0 to 70 blocks (each core's group sizes and tails), aligned and not,
  // below the carry and across it.
  for (let n = 0; n <= 70; n++) {
    add('lengths', `${n} blocks from 7`, { counter: 7, nblocks: n, outAt: 0, bufLen: n * 64 + 64 });
    add('lengths', `${n} blocks from 2^32 - 35 at +3`, { counter: TWO32 - 35, nblocks: n, outAt: 3, bufLen: 3 + n * 64 + 61 });
  }
  // The counter carries from word 12 into 13 (OpenSSL carries too), at every lane of a group.
  add('carry', '10 blocks from 2^32 - 3', { counter: TWO32 - 3, nblocks: 10, outAt: 0 });
  for (let lane = 1; lane <= 16; lane++) add('carry', `16 blocks from 2^32 - ${lane}`, { counter: TWO32 - lane, nblocks: 16, outAt: 0 });
  add('carry', '40 blocks from 2^33 - 20', { counter: 2 ** 33 - 20, nblocks: 40, outAt: 0 });
  add('carry', '33 blocks from 7 * 2^32 - 1', { counter: 7 * TWO32 - 1, nblocks: 33, outAt: 0 });
  add('carry', '1 block at 2^53 - 1 (the largest counter)', { counter: 2 ** 53 - 1, nblocks: 1, outAt: 0 });
  add('carry', '20 blocks from 2^53 - 1 (past 2^53 in 64 bits)', { counter: 2 ** 53 - 1, nblocks: 20, outAt: 0 });
  // out overlaps the key: read whole before written.
  add('overlap', 'the batch refill: 2 blocks over batch ∥ key (key at 96)', { counter: 9, nblocks: 2, outAt: 0, keyAt: 96, bufLen: 128 });
  add('overlap', 'key at the start of out, 16 blocks', { counter: 0, nblocks: 16, outAt: 0, keyAt: 0 });
  add('overlap', 'key at the start of out, 37 blocks', { counter: 5, nblocks: 37, outAt: 0, keyAt: 0 });
  add('overlap', 'key in block 9 of 20 (aligned: read in place)', { counter: 3, nblocks: 20, outAt: 0, keyAt: 9 * 64 + 4 });
  add('overlap', 'key in block 9 of 20 (unaligned: copied)', { counter: 3, nblocks: 20, outAt: 0, keyAt: 9 * 64 + 5 });
  add('overlap', 'key straddling the end of out', { counter: 1, nblocks: 8, outAt: 0, keyAt: 8 * 64 - 16, bufLen: 8 * 64 + 16 });
  add('overlap', 'key in the last block of 47, out at +3', { counter: TWO32 - 20, nblocks: 47, outAt: 3, keyAt: 3 + 46 * 64 + 8 });
  add('overlap', 'key just before out (touching, not overlapping)', { counter: 2, nblocks: 17, outAt: 32, keyAt: 0 });
  // Every output offset within 16 bytes, and unaligned keys, for group-sized runs.
  for (let at = 0; at < 16; at++) {
    add('unaligned', `out at +${at}, 31 blocks, key at +${at % 4}`, {
      counter: 100 + at,
      nblocks: 31,
      outAt: at,
      keyOff: at % 4,
      bufLen: at + 31 * 64 + 16,
    });
  }
  return cases;
}

// The child: loads the addon, runs every case, then times 1 MiB requests (best of 20 runs).
const CHILD = `
const fs = require('node:fs');
const m = { exports: {} };
process.dlopen(m, process.env.CHACHA_TEST_ADDON);
const b = m.exports;
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const pattern = (len) => Uint8Array.from({ length: len }, (_, i) => (i * 131 + 7) & 0xff);
const results = cases.map((c) => {
  const buf = pattern(c.bufLen);
  const key = Buffer.from(c.key, 'hex');
  let keyView;
  if (c.keyAt !== null) {
    buf.set(key, c.keyAt);
    keyView = buf.subarray(c.keyAt, c.keyAt + 32);
  } else {
    keyView = new Uint8Array(c.keyOff + 32).subarray(c.keyOff);
    keyView.set(key);
  }
  b.chacha20Blocks(buf.subarray(c.outAt), keyView, c.counter, c.nblocks);
  return Buffer.from(buf).toString('hex');
});
// chacha20Refill: a run of n blocks and the refill of a patterned state whose key is case i's.
const refills = [];
for (const [i, c] of cases.entries()) {
  if (c.group !== 'lengths') continue;
  const state = pattern(144);
  state.set(Buffer.from(c.key, 'hex'), 96);
  const run = new Uint8Array(c.nblocks * 64);
  b.chacha20Refill(run, state, c.counter, c.nblocks);
  refills.push([i, Buffer.from(run).toString('hex') + Buffer.from(state).toString('hex')]);
}
const out = new Uint8Array(1 << 20), key = new Uint8Array(32).fill(0x5a);
let best = Infinity;
for (let r = 0; r < 20; r++) {
  const t = process.hrtime.bigint();
  b.chacha20Blocks(out, key, r * 16384, 16384);
  best = Math.min(best, Number(process.hrtime.bigint() - t));
}
process.stdout.write(JSON.stringify({ core: b.chacha20Core(), results, refills, gbps: out.length / best }));
`;

interface ChildRun {
  core: NativeChachaCore;
  results: string[];
  /** [case index, the run's bytes then the state's 144] for each 'lengths' case. */
  refills: [number, string][];
  gbps: number;
}

function runChild(cap: string, cases: readonly Case[]): ChildRun {
  const r = spawnSync(process.execPath, ['-e', CHILD], {
    input: JSON.stringify(cases),
    env: { ...process.env, VGETRANDOM_CHACHA: cap, CHACHA_TEST_ADDON: loaded.path ?? '' },
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child (VGETRANDOM_CHACHA=${cap}) failed: ${r.error?.message ?? ''} ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildRun;
}

function native(): NativeBinding {
  if (loaded.binding === null) throw new Error(`the native addon did not load: ${loaded.reason}`);
  return loaded.binding;
}

describe.runIf(hasNative)('native ChaCha20 cores', () => {
  const cases = makeCases();
  // What every core must produce: the JS core's bytes, which an independent reference confirms.
  let expected: string[] | undefined;
  const expectedBuffers = (): string[] =>
    (expected ??= cases.map((c) => hex(expectedBuffer(c, jsKeystream(Buffer.from(c.key, 'hex'), c.counter, c.nblocks)))));

  it('the JS core matches noble (counters below 2^32) and OpenSSL (any counter) on every case', () => {
    for (const c of cases) {
      const key = Buffer.from(c.key, 'hex');
      expect(hex(jsKeystream(key, c.counter, c.nblocks)), c.name).toBe(hex(referenceKeystream(key, c.counter, c.nblocks)));
    }
    // The brief's carry case, straight from OpenSSL.
    const key = randomBytes(32);
    expect(hex(jsKeystream(key, TWO32 - 3, 10))).toBe(hex(opensslKeystream(key, BigInt(TWO32 - 3), 640)));
  });

  const runs = new Map<string, ChildRun>();
  const run = (cap: string) => {
    let r = runs.get(cap);
    if (r === undefined) {
      r = runChild(cap, cases);
      runs.set(cap, r);
    }
    return r;
  };

  describe.each(CORES)('VGETRANDOM_CHACHA=%s', (cap) => {
    it(`runs ${expectedCore(cap)} on this CPU (the cap, or the best below it)`, () => {
      const r = run(cap);
      expect(r.core).toBe(expectedCore(cap));
      console.log(`chacha20Blocks on ${r.core}: ${r.gbps.toFixed(2)} GB/s (1 MiB requests, best of 20)`);
    });

    for (const group of ['random', 'lengths', 'carry', 'overlap', 'unaligned'] as const) {
      it(`matches the JS core byte for byte: ${group} cases`, () => {
        const r = run(cap);
        const want = expectedBuffers();
        let n = 0;
        cases.forEach((c, i) => {
          if (c.group !== group) return;
          n++;
          // Compare cheaply, report readably: only a mismatch builds the long message.
          if (r.results[i] !== want[i]) expect(r.results[i], `${r.core}: ${c.name}`).toBe(want[i]);
        });
        expect(n).toBeGreaterThan(0);
      });
    }

    it('chacha20Refill: the run, then the next two blocks over batch and key, the rest of the state kept (0 to 70 blocks)', () => {
      const r = run(cap);
      expect(r.refills).toHaveLength(142);
      for (const [i, got] of r.refills) {
        const c = cases[i]!;
        const key = Buffer.from(c.key, 'hex');
        const state = pattern(144);
        state.set(jsKeystream(key, c.counter + c.nblocks, 2), 0);
        const want = hex(jsKeystream(key, c.counter, c.nblocks)) + hex(state);
        if (got !== want) expect(got, `${r.core}: refill after ${c.name}`).toBe(want);
      }
    });
  });

  it('chacha20Refill refuses a run that overlaps the state, or a state shorter than batch and key, writing nothing', () => {
    const buf = pattern(1024);
    const before = hex(buf);
    expect(() => native().chacha20Refill(buf.subarray(100, 300), buf.subarray(0, 144), 0, 3)).toThrow(RangeError);
    expect(() => native().chacha20Refill(buf.subarray(0, 200), buf.subarray(128, 272), 0, 3)).toThrow(RangeError);
    expect(() => native().chacha20Refill(new Uint8Array(64), new Uint8Array(127), 0, 1)).toThrow(RangeError);
    expect(() => native().chacha20Refill(new Uint8Array(64), new Uint8Array(144), 0, 2)).toThrow(RangeError);
    expect(hex(buf)).toBe(before);
  });

  it('with no cap, "auto" or an unknown value, picks the best core the CPU has', () => {
    const best = expectedCore(undefined);
    for (const cap of ['', 'auto', 'AVX2', 'bogus']) expect(runChild(cap, []).core, `VGETRANDOM_CHACHA=${cap}`).toBe(best);
  });

  describe('in this process', () => {
    it('reports the core it runs', () => {
      expect(native().chacha20Core()).toBe(expectedCore(process.env.VGETRANDOM_CHACHA));
    });

    it('takes an ArrayBuffer, a Uint8Array or a Buffer for out and key, at any offset', () => {
      const key = randomBytes(32);
      const want = hex(jsKeystream(key, 11, 3));
      const at = (bytes: Uint8Array, offset: number) => {
        const u8 = new Uint8Array(offset + bytes.length).subarray(offset);
        u8.set(bytes);
        return u8;
      };
      const keys = [key, new Uint8Array(key), at(key, 4), at(key, 3), new Uint8Array(key).buffer];
      for (const k of keys) {
        const kName = `${k.constructor.name}${ArrayBuffer.isView(k) ? `@${k.byteOffset}` : ''}`;
        // A Uint8Array over another view's memory is how callers pass wider arrays.
        const outs = [
          new Uint8Array(192),
          new Uint8Array(new Uint32Array(48).buffer),
          new Uint8Array(new Float64Array(24).buffer),
          new Uint8Array(200).subarray(5, 197),
          Buffer.alloc(192),
        ];
        for (const o of outs) {
          native().chacha20Blocks(o, k, 11, 3);
          expect(hex(o), `${o.constructor.name}@${o.byteOffset} ← ${kName}`).toBe(want);
        }
        const ab = new ArrayBuffer(192);
        native().chacha20Blocks(ab, k, 11, 3);
        expect(hex(new Uint8Array(ab))).toBe(want);
      }
    });

    it('refuses other views for out and key (TypeError, ERR_INVALID_ARG_TYPE), writing nothing', () => {
      const key = randomBytes(32);
      const others = (bytes: number): ArrayBufferView[] => [
        new Uint16Array(bytes / 2),
        new Uint32Array(bytes / 4),
        new Float64Array(bytes / 8),
        new DataView(new ArrayBuffer(bytes)),
        new Uint8ClampedArray(bytes),
      ];
      const typeError = expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      for (const o of others(192)) {
        expect(() => native().chacha20Blocks(o as never, key, 11, 3), o.constructor.name).toThrow(typeError);
        expect(
          new Uint8Array(o.buffer).every((x) => x === 0),
          `${o.constructor.name} untouched`,
        ).toBe(true);
      }
      const out = new Uint8Array(192).fill(0xee);
      for (const k of others(32)) {
        new Uint8Array(k.buffer).set(key);
        expect(() => native().chacha20Blocks(out, k as never, 11, 3), k.constructor.name).toThrow(typeError);
      }
      expect(out.every((x) => x === 0xee)).toBe(true);
    });

    it('writes nothing for 0 blocks, even into an empty buffer', () => {
      const key = randomBytes(32);
      native().chacha20Blocks(new Uint8Array(0), key, 0, 0);
      const out = new Uint8Array(64).fill(0xee);
      native().chacha20Blocks(out, key, 0, 0);
      expect(out.every((x) => x === 0xee)).toBe(true);
    });

    it('matches OpenSSL at the largest counter, 2^53 - 1, and past it', () => {
      const key = randomBytes(32);
      const out = new Uint8Array(3 * 64);
      native().chacha20Blocks(out, key, 2 ** 53 - 1, 3);
      expect(hex(out)).toBe(hex(opensslKeystream(key, 2n ** 53n - 1n, 3 * 64)));
    });

    it('rejects bad arguments with TypeError or RangeError, writing nothing', () => {
      const key = randomBytes(32);
      const out = new Uint8Array(256).fill(0xee);
      const call =
        (...args: unknown[]) =>
        () =>
          (native().chacha20Blocks as (...a: unknown[]) => void)(...args);
      const typeError = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
      const rangeError = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };

      for (const bad of [undefined, null, 'x', 42, [1, 2], {}]) {
        expect(call(bad, key, 0, 1), `out ${String(bad)}`).toThrow(expect.objectContaining(typeError));
        expect(call(out, bad, 0, 1), `key ${String(bad)}`).toThrow(expect.objectContaining(typeError));
      }
      for (const len of [0, 16, 31, 33, 64]) {
        expect(call(out, new Uint8Array(len), 0, 1), `key of ${len} bytes`).toThrow(
          expect.objectContaining({ ...rangeError, message: expect.stringMatching(/key\.byteLength/) }),
        );
      }
      for (const bad of [undefined, '1', 1n, null]) {
        expect(call(out, key, bad, 1), `counter ${String(bad)}`).toThrow(expect.objectContaining(typeError));
        expect(call(out, key, 0, bad), `nblocks ${String(bad)}`).toThrow(expect.objectContaining(typeError));
      }
      for (const bad of [-1, 0.5, 2 ** 53, 2 ** 64, NaN, Infinity, -Infinity]) {
        expect(call(out, key, bad, 1), `counter ${bad}`).toThrow(expect.objectContaining(rangeError));
      }
      for (const bad of [-1, 1.5, 2 ** 32, NaN, Infinity]) {
        expect(call(out, key, 0, bad), `nblocks ${bad}`).toThrow(expect.objectContaining(rangeError));
      }
      // out too small for nblocks * 64 bytes: a RangeError, never a write past its end.
      expect(call(out, key, 0, 5)).toThrow(
        expect.objectContaining({ ...rangeError, message: expect.stringMatching(/<= 4 \(out holds 256 bytes/) }),
      );
      expect(call(out.subarray(1), key, 0, 4)).toThrow(expect.objectContaining(rangeError));
      expect(call(new Uint8Array(63), key, 0, 1)).toThrow(expect.objectContaining(rangeError));
      expect(call(out, key, 0, 2 ** 32 - 1)).toThrow(expect.objectContaining(rangeError));
      expect(out.every((x) => x === 0xee)).toBe(true);

      // A view of exactly nblocks * 64 bytes inside a larger buffer: the bytes around it stay.
      const big = new Uint8Array(64 * 6).fill(0xee);
      native().chacha20Blocks(big.subarray(64, 64 * 5), key, 0, 4);
      expect(big.subarray(0, 64).every((x) => x === 0xee) && big.subarray(64 * 5).every((x) => x === 0xee)).toBe(true);
      expect(hex(big.subarray(64, 64 * 5))).toBe(hex(jsKeystream(key, 0, 4)));
    });
  });
});
