// The differential table of the node:crypto drop-ins: each case calls one random function of an
// api (ours, Node's, or node:crypto itself under vgetrandom/register) with fresh inputs, and its
// outcome is reduced to what callers can see (an error's class, name, code and message; a
// value's type; a callback's arguments), so that two apis can be compared case by case. Used by
// test/api/node-crypto.test.ts and test/api/register.test.ts.

import { Buffer } from 'node:buffer';
export type Fn = (...args: unknown[]) => unknown;
/** The functions under comparison, ours or Node's, called loosely. */
export interface Api {
  getRandomValues: Fn;
  randomBytes: Fn;
  randomFill: Fn;
  randomFillSync: Fn;
  randomInt: Fn;
  randomUUID: Fn;
  webcrypto: { getRandomValues: Fn; randomUUID: Fn };
}

/** One row: `run` calls one function of `api` with fresh inputs; `cb` is a recording callback. */
export interface Case {
  label: string;
  run: (api: Api, cb: Fn) => unknown;
  /** The case passes `cb` as the callback: its invocation is awaited and compared. */
  async?: boolean;
}

/** What an error looks like from outside: the base class, constructor, name, code, message. */
export function errorShape(e: unknown): unknown {
  if (!(e instanceof Error) && !(e instanceof DOMException)) return { nonError: String(e) };
  const base = [DOMException, RangeError, TypeError, Error].find((C) => e instanceof C)?.name;
  return { base, ctor: e.constructor.name, name: e.name, code: (e as { code?: unknown }).code, message: e.message };
}

/** A success value's type, without its (random) contents. */
export function valueShape(v: unknown): unknown {
  if (v === null || v === undefined) return String(v);
  if (typeof v !== 'object') return typeof v;
  const { byteLength, length } = v as { byteLength?: number; length?: number };
  return { ctor: v.constructor.name, byteLength, length };
}

/** Runs a case against one api: a sync throw, or a return value plus, if async, the callback's arguments. */
export async function outcome(api: Api, c: Case): Promise<unknown> {
  let called: (args: unknown[]) => void = () => {};
  const callback = new Promise<unknown[]>((resolve) => (called = resolve));
  const cb: Fn = (...args) => called(args);
  let returned: unknown;
  try {
    returned = c.run(api, cb);
  } catch (e) {
    return { threw: errorShape(e) };
  }
  if (!c.async) return { returned: valueShape(returned) };
  const timeout = new Promise<'never called'>((resolve) => setTimeout(() => resolve('never called'), 2000).unref());
  const args = await Promise.race([callback, timeout]);
  if (args === 'never called') return { returned: valueShape(returned), callback: args };
  const [err, value] = args;
  return {
    returned: valueShape(returned),
    callback: { arity: args.length, err: err ? errorShape(err) : String(err), value: valueShape(value) },
  };
}

/** An anonymous class: Node prints its instances as `an instance of ` with nothing after. */
const Anonymous = class {};
Object.defineProperty(Anonymous, 'name', { value: '' });

/** Values of every kind, for any argument position. Fresh on every call. */
const VALUES: ReadonlyArray<readonly [string, () => unknown]> = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['true', () => true],
  ['false', () => false],
  ["'abc'", () => 'abc'],
  ["'8'", () => '8'],
  ["''", () => ''],
  ['a 40-character string', () => 'x'.repeat(40)],
  ['a string with a quote', () => "it's"],
  ['a long string with a quote', () => `${'y'.repeat(30)}'`],
  ['a string with a newline', () => 'a\nb'],
  ['1n', () => 1n],
  ['-1n', () => -1n],
  ['2n ** 64n', () => 2n ** 64n],
  ['a symbol', () => Symbol('s')],
  ['{}', () => ({})],
  ['[]', () => []],
  ['[8]', () => [8]],
  ['an anonymous function', () => () => {}],
  ['a named function', () => function named() {}],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['-1', () => -1],
  ['-0', () => -0],
  ['0', () => 0],
  ['1', () => 1],
  ['4', () => 4],
  ['1.5', () => 1.5],
  ['-1.5', () => -1.5],
  ['2 ** 31', () => 2 ** 31],
  ['2 ** 32', () => 2 ** 32],
  ['2 ** 32 + 1', () => 2 ** 32 + 1],
  ['2 ** 48', () => 2 ** 48],
  ['2 ** 53', () => 2 ** 53],
  ['-(2 ** 53)', () => -(2 ** 53)],
  ['Number.MAX_VALUE', () => Number.MAX_VALUE],
  ['Number.MIN_VALUE', () => Number.MIN_VALUE],
  ['new Number(4)', () => new Number(4)],
  ['a null-prototype object', () => Object.create(null)],
  ['an instance of an anonymous class', () => new Anonymous()],
  ['{ constructor: 5 }', () => ({ constructor: 5 })],
  ['a Date', () => new Date(0)],
];

/** A view whose ArrayBuffer was transferred away. */
function detached<T>(make: (ab: ArrayBuffer) => T): () => T {
  return () => {
    const ab = new ArrayBuffer(8);
    const view = make(ab);
    structuredClone(ab, { transfer: [ab] });
    return view;
  };
}

/** Buffers of every kind randomFill(Sync) and getRandomValues meet. Fresh on every call. */
const BUFFERS: ReadonlyArray<readonly [string, () => unknown]> = [
  ['Uint8Array(8)', () => new Uint8Array(8)],
  ['Buffer(8)', () => Buffer.alloc(8)],
  ['Uint8ClampedArray(8)', () => new Uint8ClampedArray(8)],
  ['Int16Array(4)', () => new Int16Array(4)],
  ['Uint32Array(4)', () => new Uint32Array(4)],
  ['BigUint64Array(2)', () => new BigUint64Array(2)],
  ['Float32Array(4)', () => new Float32Array(4)],
  ['Float64Array(2)', () => new Float64Array(2)],
  ['Uint16Array at offset 2', () => new Uint16Array(new ArrayBuffer(16), 2, 4)],
  ['DataView(8)', () => new DataView(new ArrayBuffer(8))],
  ['DataView at offset 4', () => new DataView(new ArrayBuffer(16), 4, 8)],
  ['ArrayBuffer(8)', () => new ArrayBuffer(8)],
  ['SharedArrayBuffer(8)', () => new SharedArrayBuffer(8)],
  ['Uint8Array(0)', () => new Uint8Array(0)],
  ['a detached Uint8Array', detached((ab) => new Uint8Array(ab))],
  ['a detached Uint32Array', detached((ab) => new Uint32Array(ab))],
  ['a detached DataView', detached((ab) => new DataView(ab))],
  ['a detached ArrayBuffer', detached((ab) => ab)],
];

/** Offsets and sizes around the 8-byte buffers' edges, in elements. */
const COUNTS: ReadonlyArray<unknown> = [undefined, -1, 0, 1, 2, 3, 4, 7, 8, 9, 16, 1.5, NaN, Infinity, 2 ** 31];

/**
 * The table: every function over bad inputs of every kind. `otherCrypto` is a webcrypto object
 * other than the one under test, for the case that calls a method on it.
 */
export function differentialCases(otherCrypto: (api: Api) => unknown): Case[] {
  const cases: Case[] = [];
  const add = (label: string, run: Case['run'], async = false) => cases.push({ label, run, async });

  // randomBytes
  add('randomBytes()', (api) => api.randomBytes());
  add('randomBytes(0, cb)', (api, cb) => api.randomBytes(0, cb), true);
  add('randomBytes(1.9)', (api) => api.randomBytes(1.9));
  for (const [name, v] of VALUES) {
    add(`randomBytes(${name})`, (api) => api.randomBytes(v()));
    add(`randomBytes(${name}, cb)`, (api, cb) => api.randomBytes(v(), cb), true);
    add(`randomBytes(4, ${name})`, (api) => api.randomBytes(4, v()));
  }

  // randomFillSync and randomFill: the buffer argument
  for (const [name, v] of [...VALUES, ...BUFFERS]) {
    add(`randomFillSync(${name})`, (api) => api.randomFillSync(v()));
    add(`randomFill(${name}, cb)`, (api, cb) => api.randomFill(v(), cb), true);
  }
  for (const [name, b] of BUFFERS) {
    add(`randomFill(${name})`, (api) => api.randomFill(b()));
    add(`randomFill(${name}, 0)`, (api) => api.randomFill(b(), 0));
    add(`randomFill(${name}, 0, 4)`, (api) => api.randomFill(b(), 0, 4));
    // Every value as offset, size and callback.
    for (const [name2, v] of VALUES) {
      add(`randomFillSync(${name}, ${name2})`, (api) => api.randomFillSync(b(), v()));
      add(`randomFillSync(${name}, 0, ${name2})`, (api) => api.randomFillSync(b(), 0, v()));
      add(`randomFillSync(${name}, 1, ${name2})`, (api) => api.randomFillSync(b(), 1, v()));
      // A function here is taken as the callback, and `cb` is never called.
      const waits = typeof v() !== 'function';
      add(`randomFill(${name}, ${name2}, cb)`, (api, cb) => api.randomFill(b(), v(), cb), waits);
      add(`randomFill(${name}, 0, ${name2}, cb)`, (api, cb) => api.randomFill(b(), 0, v(), cb), waits);
      add(`randomFill(${name}, 1, 2, ${name2})`, (api) => api.randomFill(b(), 1, 2, v()));
      add(`randomFill(${name}, ${name2})`, (api) => api.randomFill(b(), v()));
    }
    // Offsets and sizes at and past the edges.
    for (const offset of COUNTS) {
      add(`randomFill(${name}, ${offset}, cb)`, (api, cb) => api.randomFill(b(), offset, cb), true);
      for (const size of COUNTS) {
        add(`randomFillSync(${name}, ${offset}, ${size})`, (api) => api.randomFillSync(b(), offset, size));
        add(`randomFill(${name}, ${offset}, ${size}, cb)`, (api, cb) => api.randomFill(b(), offset, size, cb), true);
      }
    }
  }

  // randomInt
  add('randomInt()', (api) => api.randomInt());
  add('randomInt(5, undefined, cb): cb ignored, as in Node', (api, cb) => api.randomInt(5, undefined, cb));
  add('randomInt(1, 5, undefined)', (api) => api.randomInt(1, 5, undefined));
  const pairs: Array<[number, number]> = [
    [0, 2 ** 48 - 1],
    [0, 2 ** 48],
    [-1, 2 ** 48 - 1],
    [-(2 ** 47), 2 ** 47],
    [-(2 ** 47), 2 ** 47 - 1],
    [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    [Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER],
    [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER + 1],
    [5, 5],
    [5, 4],
    [-5, -5],
    [-5, -6],
    [-3, 4],
  ];
  for (const [min, max] of pairs) {
    add(`randomInt(${min}, ${max})`, (api) => api.randomInt(min, max));
    add(`randomInt(${min}, ${max}, cb)`, (api, cb) => api.randomInt(min, max, cb), true);
  }
  for (const [name, v] of VALUES) {
    add(`randomInt(${name})`, (api) => api.randomInt(v()));
    add(`randomInt(${name}, cb)`, (api, cb) => api.randomInt(v(), cb), true);
    add(`randomInt(0, ${name})`, (api) => api.randomInt(0, v()));
    add(`randomInt(${name}, 10)`, (api) => api.randomInt(v(), 10));
    add(`randomInt(0, 10, ${name})`, (api) => api.randomInt(0, 10, v()));
    add(`randomInt(${name}, 10, cb)`, (api, cb) => api.randomInt(v(), 10, cb), true);
    add(`randomInt(0, ${name}, cb)`, (api, cb) => api.randomInt(0, v(), cb), true);
  }

  // randomUUID
  for (const [name, v] of VALUES) {
    add(`randomUUID(${name})`, (api) => api.randomUUID(v()));
    add(`randomUUID({ disableEntropyCache: ${name} })`, (api) => api.randomUUID({ disableEntropyCache: v() }));
  }
  add('randomUUID() with an inherited option', (api) => api.randomUUID(Object.create({ disableEntropyCache: 1 })));
  add('randomUUID() with a getter option', (api) =>
    api.randomUUID({
      get disableEntropyCache() {
        return true;
      },
    }),
  );

  // getRandomValues, node:crypto's (unbound by design) and globalThis.crypto's (bound)
  const arrays: Array<readonly [string, () => unknown]> = [...VALUES, ...BUFFERS];
  for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array]) {
    for (const bytes of [0, 65536, 65536 + C.BYTES_PER_ELEMENT]) {
      arrays.push([`${C.name} of ${bytes} bytes`, () => new C(bytes / C.BYTES_PER_ELEMENT)]);
    }
  }
  for (const C of [BigInt64Array, BigUint64Array, Float32Array, Float64Array]) {
    arrays.push([`${C.name} of 65536 + 8 bytes`, () => new C((65536 + 8) / C.BYTES_PER_ELEMENT)]);
  }
  arrays.push(['Buffer of 65537 bytes', () => Buffer.alloc(65537)]);
  for (const [name, v] of arrays) {
    add(`getRandomValues(${name})`, (api) => api.getRandomValues(v()));
    add(`webcrypto.getRandomValues(${name})`, (api) => api.webcrypto.getRandomValues(v()));
  }
  add('getRandomValues()', (api) => api.getRandomValues());
  add('getRandomValues(u8, extra)', (api) => api.getRandomValues(new Uint8Array(4), 1));
  add('getRandomValues unbound', (api) => {
    const f = api.getRandomValues;
    return f(new Uint8Array(4));
  });
  add('getRandomValues.call({})', (api) => api.getRandomValues.call({}, new Uint8Array(4)));
  add('webcrypto.getRandomValues()', (api) => api.webcrypto.getRandomValues());
  add('webcrypto.getRandomValues(u8, extra)', (api) => api.webcrypto.getRandomValues(new Uint8Array(4), 1));
  add('webcrypto.getRandomValues unbound', (api) => {
    const f = api.webcrypto.getRandomValues;
    return f(new Uint8Array(4));
  });
  add('webcrypto.getRandomValues unbound, no argument', (api) => {
    const f = api.webcrypto.getRandomValues;
    return f();
  });
  add('webcrypto.getRandomValues.call({})', (api) => api.webcrypto.getRandomValues.call({}, new Uint8Array(4)));
  add('webcrypto.getRandomValues on the other crypto', (api) => api.webcrypto.getRandomValues.call(otherCrypto(api), new Uint8Array(4)));
  add('webcrypto.randomUUID()', (api) => api.webcrypto.randomUUID());
  add('webcrypto.randomUUID(5): arguments ignored', (api) => api.webcrypto.randomUUID(5));
  add('webcrypto.randomUUID unbound', (api) => {
    const f = api.webcrypto.randomUUID;
    return f();
  });
  add('webcrypto.randomUUID.call(null)', (api) => api.webcrypto.randomUUID.call(null));
  return cases;
}
