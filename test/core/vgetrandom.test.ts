// The generator against the kernel algorithm: known answers from a plain model over
// @noble/ciphers, key erasure, drops between and during calls, reentrancy, expiry, bad input.
// The whole suite runs once per backend: output must not depend on where the state lives.

import { randomBytes } from 'node:crypto';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BULK_MIN_BLOCKS } from '../../src/arena/native-allocator.js';
import { GENERATION_OFFSET, IN_USE_OFFSET, KEY_OFFSET, POS_OFFSET, standaloneState } from '../../src/core/state.js';
import { newCounters, vgetrandom } from '../../src/core/vgetrandom.js';
import {
  createGenerator as create,
  type Generator,
  type GeneratorOptions,
  GRND_INSECURE,
  GRND_NONBLOCK,
  GRND_RANDOM,
  getrandom,
} from '../../src/index.js';
import { ClockGeneration } from '../../src/platform/generation-sources.js';
import { syscallFromEntropy } from '../../src/platform/syscall-path.js';
import { BACKENDS } from '../helpers/backends.js';
import { entropyStream, KernelModel, nobleKeystream } from '../helpers/reference.js';
import { resizable } from '../helpers/resizable.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const SIZES = [0, 1, 15, 16, 63, 64, 65, 95, 96, 97, 127, 128, 1000, 4096, 65536];

/** A fake monotonic clock, with a hook run at every read (the generation is read through it). */
function fakeClock() {
  const clock = Object.assign(
    () => {
      clock.reads++;
      clock.onRead?.(clock.reads);
      return clock.now;
    },
    { now: 0, reads: 0, onRead: undefined as ((n: number) => void) | undefined },
  );
  return clock;
}

/** The offset in `b` of the first 16-byte window of `a` found in it, or -1. */
function sharedWindow(a: Uint8Array, b: Uint8Array): number {
  const windows = new Set<string>();
  for (let i = 0; i + 16 <= a.length; i++) windows.add(hex(a.subarray(i, i + 16)));
  for (let i = 0; i + 16 <= b.length; i++) if (windows.has(hex(b.subarray(i, i + 16)))) return i;
  return -1;
}

/** True if `b` holds a run of 16 zero bytes. */
const zeroRun = (b: Uint8Array) => hex(b).includes('0'.repeat(32));

function draw(gen: ReturnType<typeof create>, len: number, offset = 0): Uint8Array {
  const out = new Uint8Array(len + offset).subarray(offset);
  expect(gen.getrandom(out)).toBe(len);
  return out;
}

describe.each(BACKENDS)('%s backend', (backend) => {
  const createGenerator = (options: GeneratorOptions = {}) => create({ backend, ...options });

  /** A generator and the kernel model fed by identical entropy streams. */
  function pair(seed: number, options: { clock?: () => number; reseedIntervalMs?: number } = {}) {
    const gen = createGenerator({ entropy: entropyStream(seed).entropy, ...options });
    const model = new KernelModel(entropyStream(seed).entropy);
    return { gen, model };
  }

  describe('known answers: the kernel algorithm byte for byte', () => {
    it.each(SIZES)('a first request of %i bytes', (len) => {
      const { gen, model } = pair(len + 1);
      expect(hex(draw(gen, len))).toBe(hex(model.getrandom(len, true)));
    });

    it('every size in turn on one state, aligned and not', () => {
      for (const offset of [0, 1, 3]) {
        const { gen, model } = pair(100 + offset);
        SIZES.forEach((len, i) => {
          expect(hex(draw(gen, len, offset)), `size ${len}`).toBe(hex(model.getrandom(len, i === 0)));
        });
      }
    });

    it('every length around the bulk-core thresholds (the native backend hands runs to SIMD, with their refill)', () => {
      const { gen, model } = pair(8);
      let first = true;
      for (let len = 1; len <= (BULK_MIN_BLOCKS.avx512 + 2) * 64 + 96; len += 5) {
        expect(hex(draw(gen, len, len & 3)), `length ${len}`).toBe(hex(model.getrandom(len, first)));
        first = false;
      }
    });

    it('a long mixed sequence of 5000 requests', () => {
      const { gen, model } = pair(7);
      const sizes = entropyStream(99);
      const pick = new Uint8Array(4);
      for (let i = 0; i < 5000; i++) {
        sizes.entropy(pick);
        const len = i % 97 === 0 ? 4096 + pick[0]! : pick[1]! % 200;
        const offset = pick[2]! % 4;
        expect(hex(draw(gen, len, offset)), `request ${i}`).toBe(hex(model.getrandom(len, i === 0)));
      }
      expect(gen.stats()).toMatchObject({ calls: 5000, rekeys: 1, retries: 0, fallbacks: 0 });
    });

    it('fills any ArrayBufferView byte for byte like a Uint8Array', () => {
      const { gen, model } = pair(5);
      const u16 = new Uint16Array(10);
      const dv = new DataView(new ArrayBuffer(40), 3, 30);
      expect(gen.getrandom(u16)).toBe(20);
      expect(gen.getrandom(dv)).toBe(30);
      expect(hex(new Uint8Array(u16.buffer))).toBe(hex(model.getrandom(20, true)));
      expect(hex(new Uint8Array(dv.buffer, 3, 30))).toBe(hex(model.getrandom(30)));
    });

    it('fills a TypedArray by its bytes even with Uint8Array.prototype swapped in', () => {
      // instanceof says Uint8Array; writing through it as bytes would leave every high byte 0.
      const { gen, model } = pair(9);
      const u16 = Object.setPrototypeOf(new Uint16Array(10), Uint8Array.prototype) as Uint8Array;
      expect(gen.getrandom(u16)).toBe(20);
      expect(hex(new Uint8Array(u16.buffer))).toBe(hex(model.getrandom(20, true)));
      expect(gen.fill(u16)).toBe(u16);
      expect(hex(new Uint8Array(u16.buffer))).toBe(hex(model.getrandom(20)));
    });

    it('fill() fills the whole buffer and returns it', () => {
      const { gen, model } = pair(6);
      const buf = new Uint32Array(300);
      expect(gen.fill(buf)).toBe(buf);
      expect(hex(new Uint8Array(buf.buffer))).toBe(hex(model.getrandom(1200, true)));
    });
  });

  describe('key erasure and the zero key', () => {
    it('zeroes handed-out batch bytes and replaces the key on every refill', () => {
      const stream = entropyStream(11);
      const firstKey = new Uint8Array(32);
      entropyStream(11).entropy(firstKey);
      const gen = createGenerator({ entropy: stream.entropy });
      draw(gen, 16);
      const s = gen.state;
      expect(s[POS_OFFSET]).toBe(16);
      expect(s.subarray(0, 16).every((b) => b === 0)).toBe(true);
      expect(s.subarray(16, 96).some((b) => b !== 0)).toBe(true);
      const key1 = hex(s.subarray(KEY_OFFSET, KEY_OFFSET + 32));
      expect(key1).not.toBe(hex(firstKey)); // the refill wrote over the fetched key
      draw(gen, 80); // empties the batch exactly: no refill
      expect(s[POS_OFFSET]).toBe(96);
      expect(s.subarray(0, 96).every((b) => b === 0)).toBe(true);
      expect(hex(s.subarray(KEY_OFFSET, KEY_OFFSET + 32))).toBe(key1);
      draw(gen, 1); // refill: new batch, new key
      expect(hex(s.subarray(KEY_OFFSET, KEY_OFFSET + 32))).not.toBe(key1);
    });

    it('a state zeroed between calls rekeys instead of using the zero key', () => {
      const { gen, model } = pair(12);
      draw(gen, 40);
      model.getrandom(40, true);
      gen.state.fill(0);
      const out = draw(gen, 40);
      expect(hex(out)).toBe(hex(model.getrandom(40, true)));
      expect(hex(out)).not.toBe(hex(nobleKeystream(new Uint8Array(32), 0, 40)));
      expect(gen.stats()).toMatchObject({ rekeys: 2, retries: 0, fallbacks: 0 });
    });

    it('never uses an all-zero key from a broken entropy source', () => {
      const gen = createGenerator({ entropy: (buf) => buf.fill(0) });
      const out = draw(gen, 64);
      // Served by the syscall path (the broken source itself), never by ChaCha20 under key 0.
      expect(hex(out)).not.toBe(hex(nobleKeystream(new Uint8Array(32), 0, 64)));
      expect(gen.stats()).toMatchObject({ rekeys: 1, fallbacks: 1 });
      expect(gen.state[IN_USE_OFFSET]).toBe(0);
      expect(gen.state.subarray(GENERATION_OFFSET, GENERATION_OFFSET + 8).every((b) => b === 0)).toBe(true);
    });
  });

  describe('drops during a call', () => {
    it('a state zeroed before the final check makes the call retry over the whole output', () => {
      const clock = fakeClock();
      const { gen, model } = pair(13, { clock });
      draw(gen, 10);
      model.getrandom(10, true);
      const start = clock.reads;
      // Reads during the next call: 1 = start, 2 = final check (zero here), 3 = retry start, 4 = final.
      clock.onRead = (n) => n === start + 2 && gen.state.fill(0);
      const out = draw(gen, 200);
      // The first attempt used blocks 0 (direct) and 1-2 (refill) of the old key; the retry
      // rekeys and keeps counting, so its 200 bytes are the new key's keystream from block 3:
      // exactly what a fresh-key request of 3 * 64 + 200 bytes ends with.
      const fresh = model.getrandom(3 * 64 + 200, true);
      expect(hex(out)).toBe(hex(fresh.subarray(3 * 64)));
      clock.onRead = undefined;
      expect(hex(draw(gen, 100))).toBe(hex(model.getrandom(100)));
      expect(gen.stats()).toMatchObject({ rekeys: 2, retries: 1, fallbacks: 0 });
      expect(out.some((b) => b !== 0)).toBe(true);
      expect(gen.state[IN_USE_OFFSET]).toBe(0);
    });

    it('a second zeroing sends the whole request to the syscall path', () => {
      const clock = fakeClock();
      const stream = entropyStream(14);
      const mirror = entropyStream(14);
      const gen = createGenerator({ entropy: stream.entropy, clock });
      draw(gen, 10);
      const start = clock.reads;
      clock.onRead = (n) => (n === start + 2 || n === start + 4) && gen.state.fill(0);
      const out = draw(gen, 100);
      // Entropy so far: key, key again after the first zeroing, then the 100 fallback bytes.
      const expected = new Uint8Array(32 + 32 + 100);
      mirror.entropy(expected);
      expect(hex(out)).toBe(hex(expected.subarray(64)));
      expect(gen.stats()).toMatchObject({ rekeys: 2, retries: 1, fallbacks: 1 });
      expect(gen.state[IN_USE_OFFSET]).toBe(0);
      clock.onRead = undefined;
      expect(draw(gen, 16).some((b) => b !== 0)).toBe(true);
    });
  });

  describe('reentrancy, expiry and reseed', () => {
    it('a busy state goes to the syscall path and is left alone', () => {
      const stream = entropyStream(15);
      const mirror = entropyStream(15);
      const gen = createGenerator({ entropy: stream.entropy });
      draw(gen, 8);
      const skipped = new Uint8Array(32);
      mirror.entropy(skipped);
      gen.state[IN_USE_OFFSET] = 1;
      const before = hex(gen.state);
      const out = draw(gen, 24);
      const expected = new Uint8Array(24);
      mirror.entropy(expected);
      expect(hex(out)).toBe(hex(expected));
      expect(hex(gen.state)).toBe(before);
      expect(gen.stats().fallbacks).toBe(1);
    });

    it('a call from inside the syscall callback on the same generator is served by the syscall', () => {
      let inner: Uint8Array | undefined;
      let nested = false;
      const { entropy } = entropyStream(16);
      const gen = createGenerator({
        entropy(buf) {
          if (!nested) {
            nested = true;
            inner = draw(gen, 8);
          }
          entropy(buf);
        },
      });
      draw(gen, 8);
      expect(inner?.some((b) => b !== 0)).toBe(true);
      expect(gen.stats()).toMatchObject({ calls: 2, fallbacks: 1, rekeys: 1 });
    });

    it('keys expire after the reseed interval of the clock', () => {
      const clock = fakeClock();
      const { gen, model } = pair(17, { clock });
      expect(hex(draw(gen, 20))).toBe(hex(model.getrandom(20, true)));
      clock.now = 59_999;
      expect(hex(draw(gen, 20))).toBe(hex(model.getrandom(20)));
      clock.now = 60_000;
      expect(hex(draw(gen, 20))).toBe(hex(model.getrandom(20, true)));
      clock.now = 119_999;
      expect(hex(draw(gen, 20))).toBe(hex(model.getrandom(20)));
      clock.now = 120_000;
      expect(hex(draw(gen, 20))).toBe(hex(model.getrandom(20, true)));
      expect(gen.stats().rekeys).toBe(3);
    });

    it('honours a custom reseed interval', () => {
      const clock = fakeClock();
      const { gen } = pair(18, { clock, reseedIntervalMs: 5 });
      draw(gen, 1);
      clock.now = 4.9;
      draw(gen, 1);
      clock.now = 5;
      draw(gen, 1);
      expect(gen.stats().rekeys).toBe(2);
    });

    it('reseed() makes the next call rekey', () => {
      const { gen, model } = pair(19, { clock: () => 0 });
      draw(gen, 5);
      model.getrandom(5, true);
      gen.reseed();
      expect(hex(draw(gen, 5))).toBe(hex(model.getrandom(5, true)));
    });

    it('release() zeroes the state and fails closed', () => {
      const gen = createGenerator();
      draw(gen, 5);
      const view = gen.state;
      gen.release();
      // Zeroed, or detached with it (a native slice's buffer no longer reaches the page).
      expect(view.byteLength === 0 || view.every((b) => b === 0)).toBe(true);
      for (const call of [() => gen.getrandom(new Uint8Array(1)), () => gen.fill(new Uint8Array(1)), () => gen.state, () => gen.reseed()]) {
        expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
      }
      gen.release(); // idempotent
    });

    it('flags GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE stay on the fast path', () => {
      const { gen, model } = pair(20);
      const flags = [GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE, GRND_RANDOM | GRND_INSECURE | GRND_NONBLOCK];
      flags.forEach((f, i) => {
        const out = new Uint8Array(33);
        expect(gen.getrandom(out, f)).toBe(33);
        expect(hex(out)).toBe(hex(model.getrandom(33, i === 0)));
      });
      expect(gen.stats().fallbacks).toBe(0);
    });

    it('clamps a corrupted pos instead of reading past the batch', () => {
      const gen = createGenerator();
      draw(gen, 1);
      const key = hex(gen.state.subarray(KEY_OFFSET, KEY_OFFSET + 32));
      gen.state[POS_OFFSET] = 200;
      const out = draw(gen, 64 + 32);
      expect(hex(out)).not.toContain(key);
    });
  });

  describe('bad input leaves the state usable', () => {
    /** After `bad` throws, in_use is clear and the next call gives the model's next bytes. */
    function expectRecovers(bad: (g: ReturnType<typeof create>) => unknown, error: object) {
      const { gen, model } = pair(21);
      expect(hex(draw(gen, 7))).toBe(hex(model.getrandom(7, true)));
      expect(() => bad(gen)).toThrow(expect.objectContaining(error));
      expect(gen.state[IN_USE_OFFSET]).toBe(0);
      expect(hex(draw(gen, 50))).toBe(hex(model.getrandom(50)));
    }

    it.each([
      ['a number', 16],
      ['a string', 'abc'],
      ['null', null],
      ['an ArrayBuffer', new ArrayBuffer(8)],
      ['a plain array', [1, 2, 3]],
    ])('rejects %s as the buffer', (_, value) => {
      expectRecovers((g) => g.getrandom(value as never), {
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringMatching(/^The "buffer" argument must be an instance of TypedArray or DataView\. Received /),
      });
    });

    it('rejects a detached buffer', () => {
      const ab = new ArrayBuffer(16);
      const view = new Uint8Array(ab);
      structuredClone(ab, { transfer: [ab] });
      expectRecovers((g) => g.getrandom(view), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
      expectRecovers((g) => g.fill(view), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
      // A zero-length view of a live buffer is fine.
      expect(createGenerator().getrandom(new Uint8Array(0))).toBe(0);
    });

    it.each([
      ['a string', '1', TypeError, 'ERR_INVALID_ARG_TYPE'],
      ['negative', -1, RangeError, 'ERR_OUT_OF_RANGE'],
      ['fractional', 1.5, RangeError, 'ERR_OUT_OF_RANGE'],
      ['NaN', Number.NaN, RangeError, 'ERR_OUT_OF_RANGE'],
      ['too large', 2 ** 32, RangeError, 'ERR_OUT_OF_RANGE'],
    ])('rejects %s flags', (_, flags, cls, code) => {
      expectRecovers((g) => g.getrandom(new Uint8Array(4), flags as never), { name: cls.name, code });
    });

    it('rejects unknown flags with EINVAL, as getrandom(2) does, even for zero bytes', () => {
      for (const len of [0, 4]) {
        expectRecovers((g) => g.getrandom(new Uint8Array(len), 0x8), { code: 'EINVAL', errno: -22, syscall: 'getrandom' });
      }
    });

    it('an entropy source that throws leaves the generation at 0 and the error reaches the caller', () => {
      let broken = true;
      const stream = entropyStream(22);
      const gen = createGenerator({
        entropy(buf) {
          if (broken) throw new Error('no entropy');
          stream.entropy(buf);
        },
      });
      expect(() => gen.getrandom(new Uint8Array(16))).toThrow('no entropy');
      expect(gen.state.subarray(GENERATION_OFFSET, GENERATION_OFFSET + 8).every((b) => b === 0)).toBe(true);
      expect(gen.state[IN_USE_OFFSET]).toBe(0);
      broken = false;
      const model = new KernelModel(entropyStream(22).entropy);
      expect(hex(draw(gen, 16))).toBe(hex(model.getrandom(16, true)));
    });

    it('rejects a non-function entropy option', () => {
      expect(() => createGenerator({ entropy: 5 as never })).toThrow(TypeError);
    });

    it('rejects a reseed interval that is not a number in (0, 60000]: no key outlives 60 s', () => {
      for (const ms of [0, -1, Number.NaN, 60_001, Infinity]) {
        expect(() => createGenerator({ reseedIntervalMs: ms })).toThrow(
          expect.objectContaining({
            name: 'RangeError',
            code: 'ERR_OUT_OF_RANGE',
            message: expect.stringContaining('The value of "options.reseedIntervalMs" is out of range. It must be > 0 && <= 60000.'),
          }),
        );
      }
      expect(() => createGenerator({ reseedIntervalMs: '1000' as never })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expect(createGenerator({ reseedIntervalMs: 60_000 }).getrandom(new Uint8Array(4))).toBe(4);
    });

    it('a clock that throws after output was made wipes key, batch and generation: the next call rekeys', () => {
      const clock = fakeClock();
      const gen = createGenerator({ entropy: entropyStream(23).entropy, clock });
      const first = new Uint8Array(4096);
      // Read 1 is the generation's start, 2 the check before the output, 3 the final check.
      clock.onRead = (n) => {
        if (n === 3) throw new Error('clock failed');
      };
      expect(() => gen.getrandom(first)).toThrow('clock failed');
      clock.onRead = undefined;
      expect(gen.state.subarray(0, IN_USE_OFFSET + 1).every((b) => b === 0)).toBe(true);
      const next = draw(gen, 4096);
      expect(gen.stats().rekeys).toBe(2);
      expect(sharedWindow(first, next)).toBe(-1);
    });
  });

  describe("a caller's callback that resizes or detaches the output during the call", () => {
    const shrunk = {
      name: 'Error',
      code: 'ERR_INVALID_STATE',
      message: 'Invalid state: the output buffer was resized or detached during the call',
    };

    it('a clock that shrinks the buffer before the output is written: an error, not a false count over dropped writes', () => {
      for (const size of [48, 4096]) {
        const ab = resizable(size, size * 2);
        for (const out of [new Uint8Array(ab), new Uint8Array(ab, 0, size)]) {
          const clock = fakeClock();
          const gen = createGenerator({ clock, entropy: entropyStream(25).entropy });
          draw(gen, 16);
          // Shrunk at the check before the output (read 3 of this call's), grown back at the final one.
          clock.onRead = (n) => (n === 4 ? ab.resize(0) : n === 5 ? ab.resize(size) : undefined);
          expect(() => gen.getrandom(out)).toThrow(expect.objectContaining(shrunk));
          clock.onRead = undefined;
          ab.resize(size);
          expect(gen.state.subarray(0, IN_USE_OFFSET + 1).every((b) => b === 0)).toBe(true);
          expect(zeroRun(draw(gen, 64))).toBe(false);
        }
      }
    });

    it('an entropy callback that detaches the buffer during the rekey: an error, and the state wiped', () => {
      const ab = new ArrayBuffer(256);
      const out = new Uint8Array(ab);
      const stream = entropyStream(26);
      let detach = true;
      const gen = createGenerator({
        entropy(buf) {
          if (detach) structuredClone(ab, { transfer: [ab] });
          detach = false;
          stream.entropy(buf);
        },
      });
      expect(() => gen.getrandom(out)).toThrow(expect.objectContaining(shrunk));
      expect(gen.state.subarray(0, IN_USE_OFFSET + 1).every((b) => b === 0)).toBe(true);
      expect(zeroRun(draw(gen, 64))).toBe(false);
    });
  });

  describe('a call cut short by a terminated execution', () => {
    it('a vm timeout that leaves in_use set: served by the syscall path, then the state is wiped and rekeys', async () => {
      const gen = createGenerator();
      const context = vm.createContext({ gen, buf: new Uint8Array(1 << 20) });
      // The timeout lands wherever the loop is: mostly inside a 1 MiB fill. Try until it did.
      const until = Date.now() + 60_000;
      while (gen.state[IN_USE_OFFSET] === 0 && Date.now() < until) {
        expect(() => vm.runInContext('for (;;) gen.fill(buf)', context, { timeout: 5 })).toThrow(/timed out/);
      }
      expect(gen.state[IN_USE_OFFSET]).toBe(1);
      const before = gen.stats();
      const out = draw(gen, 64);
      expect(gen.stats().fallbacks).toBe(before.fallbacks + 1);
      expect(zeroRun(out)).toBe(false);
      // Once this stack has unwound, nothing can hold the state: it is wiped.
      await Promise.resolve();
      expect(gen.state.every((b) => b === 0)).toBe(true);
      expect(gen.stats().recoveries).toBe(before.recoveries + 1);
      draw(gen, 64);
      expect(gen.stats()).toMatchObject({ fallbacks: before.fallbacks + 1, rekeys: before.rekeys + 1 });
    });

    it('a reentrant call finds the state busy but leaves it alone: no wipe under a live call', async () => {
      // The rekey's entropy callback draws once from the same generator (whose fallback comes
      // back here, without drawing again).
      let inner: Generator | undefined;
      const gen = createGenerator({
        entropy(buf) {
          const reenter = inner;
          inner = undefined;
          reenter?.getrandom(new Uint8Array(16));
          buf.set(randomBytes(buf.length));
        },
      });
      inner = gen;
      draw(gen, 16);
      await Promise.resolve();
      expect(gen.stats()).toMatchObject({ recoveries: 0, fallbacks: 1, rekeys: 1 });
      draw(gen, 16);
      expect(gen.stats()).toMatchObject({ recoveries: 0, fallbacks: 1, rekeys: 1 });
    });
  });
});

describe('across backends', () => {
  it.runIf(BACKENDS.length > 1)('simulated and native give byte-identical output for the same entropy', () => {
    const [a, b] = BACKENDS.map((backend) => create({ backend, entropy: entropyStream(42).entropy }));
    for (const len of [...SIZES, ...SIZES.slice().reverse()]) {
      expect(hex(draw(a!, len, len % 3)), `size ${len}`).toBe(hex(draw(b!, len)));
    }
  });
});

describe('a throw after output was made (the algorithm)', () => {
  it('wipes key, batch and generation, so that nothing it produced is ever handed out again', () => {
    const state = standaloneState();
    const generation = new ClockGeneration(() => 0);
    const syscall = syscallFromEntropy(entropyStream(24).entropy);
    const counters = newCounters();
    // A faster core that writes its blocks, then fails: the key must not survive it.
    const failing = {
      minBlocks: 1,
      refill(out: Uint8Array, bytes: Uint8Array, counter: number, nblocks: number): never {
        out.set(nobleKeystream(bytes.slice(96, 128), counter, nblocks * 64));
        throw new Error('core failed');
      },
    };
    const first = new Uint8Array(4096);
    expect(() => vgetrandom(state, first, 0, generation, syscall, counters, failing)).toThrow('core failed');
    expect(first.subarray(64).some((b) => b !== 0)).toBe(true);
    expect(state.bytes.every((b) => b === 0)).toBe(true);
    const next = new Uint8Array(4096);
    expect(vgetrandom(state, next, 0, generation, syscall, counters)).toBe(4096);
    expect(counters.rekeys).toBe(2);
    expect(sharedWindow(first, next)).toBe(-1);
  });
});

describe('module-level getrandom', () => {
  it('fills from the default generator and returns the count', () => {
    const a = new Uint8Array(32);
    const b = new Uint8Array(32);
    expect(getrandom(a)).toBe(32);
    expect(getrandom(b, GRND_NONBLOCK)).toBe(32);
    expect(hex(a)).not.toBe(hex(b));
    expect(a.some((x) => x !== 0)).toBe(true);
  });
});
