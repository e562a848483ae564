// Built-ins replaced by code that runs after the library loaded: a prototype getter or method,
// Symbol.species, Math, Atomics, String.fromCharCode, the typed-array constructors, queueMicrotask,
// Buffer.allocUnsafeSlow, Set.prototype.has. Each patch is applied, every entry point is called
// under it, the patch is undone, and only then is the output checked (the checks use the
// built-ins themselves). The library must hand out random bytes, write only the caller's view,
// and never call the patched function (which would be handed a view of a state, or decide what
// is written). Used in-process by test/api/hostile-globals.test.ts, and in a child process without
// the addon (where the syscall path is node:crypto's) by test/api/hostile/globals-child.ts.

import { Buffer } from 'node:buffer';
import { zeroStateEvidence } from '../../helpers/zero-key.js';

type Lib = typeof import('../../../src/index.js');

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const GUARD = 0xa5;

/** Replaces a property for the duration of a patch; returns the undo. */
function replace(target: object, key: PropertyKey, descriptor: PropertyDescriptor): () => void {
  const saved = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { configurable: true, ...descriptor });
  return () => (saved === undefined ? Reflect.deleteProperty(target, key) : Object.defineProperty(target, key, saved));
}

/** A patch: applies itself and returns the undo. `hit` counts calls of the patched function. */
interface Patch {
  label: string;
  apply(hit: () => void): () => void;
}

const getterLie = (key: string, value: (self: unknown) => unknown): Patch => ({
  label: `%TypedArray%.prototype.${key} getter replaced`,
  apply: (hit) =>
    replace(TypedArrayPrototype, key, {
      get(this: unknown) {
        hit();
        return value(this);
      },
    }),
});

const methodLie = (target: object, name: string, key: string, fn: (...args: unknown[]) => unknown): Patch => ({
  label: `${name}.${key} replaced`,
  apply: (hit) =>
    replace(target, key, {
      writable: true,
      value(...args: unknown[]) {
        hit();
        return fn(...args);
      },
    }),
});

class Zeroes extends Uint8Array {}

const PATCHES: Patch[] = [
  getterLie('byteLength', () => 0),
  getterLie('length', () => 0),
  getterLie('byteOffset', () => 0),
  getterLie('buffer', () => new ArrayBuffer(1 << 16)),
  methodLie(TypedArrayPrototype, '%TypedArray%.prototype', 'set', () => undefined),
  methodLie(TypedArrayPrototype, '%TypedArray%.prototype', 'fill', () => undefined),
  methodLie(TypedArrayPrototype, '%TypedArray%.prototype', 'subarray', () => new Uint8Array(0)),
  {
    label: 'Uint8Array[Symbol.species] replaced',
    apply: (hit) =>
      replace(Uint8Array, Symbol.species, {
        get() {
          hit();
          return Zeroes;
        },
      }),
  },
  methodLie(Math, 'Math', 'min', () => 0),
  methodLie(Math, 'Math', 'floor', () => 0),
  methodLie(Atomics, 'Atomics', 'load', () => 0),
  methodLie(Atomics, 'Atomics', 'store', () => 0),
  methodLie(Atomics, 'Atomics', 'add', () => 0),
  methodLie(String, 'String', 'fromCharCode', () => 'x'),
  methodLie(Buffer, 'Buffer', 'allocUnsafeSlow', (n) => Buffer.alloc(n as number)),
  methodLie(Set.prototype, 'Set.prototype', 'has', () => true),
  methodLie(globalThis, 'globalThis', 'queueMicrotask', () => undefined),
  {
    label: 'globalThis.Uint8Array and Uint32Array replaced',
    apply(hit) {
      const RealU8 = Uint8Array;
      const RealU32 = Uint32Array;
      const spy = (Real: typeof Uint8Array | typeof Uint32Array) =>
        new Proxy(Real, {
          construct(target, args) {
            hit();
            return Reflect.construct(target, args);
          },
        });
      const undo8 = replace(globalThis, 'Uint8Array', { writable: true, value: spy(RealU8) });
      const undo32 = replace(globalThis, 'Uint32Array', { writable: true, value: spy(RealU32) });
      return () => {
        undo32();
        undo8();
      };
    },
  },
];

/**
 * A caller's view: `length` bytes at an odd offset of a larger buffer, with guard bytes around
 * it. Made under the patch, so without the patched getters and methods.
 */
function guarded(length: number): { view: Uint8Array; whole: Uint8Array } {
  const buffer = new ArrayBuffer(length + 128);
  const whole = new Uint8Array(buffer);
  for (let i = 0; i < length + 128; i++) whole[i] = GUARD;
  return { view: new Uint8Array(buffer, 61, length), whole };
}

/** What an entry point handed out under a patch: the bytes it wrote, the whole buffer around them. */
interface Drawn {
  label: string;
  out?: Uint8Array;
  whole?: Uint8Array;
  text?: string;
  error?: unknown;
}

// Set while the library runs: only calls of a patched function made then count.
let inLibrary = false;

/** Runs `f`, a call into the library, with inLibrary set. */
function within<T>(f: () => T): T {
  inLibrary = true;
  try {
    return f();
  } finally {
    inLibrary = false;
  }
}

/** Calls every entry point once; the generators are made under the patch too (new states). */
function drawAll(lib: Lib): Drawn[] {
  const drawn: Drawn[] = [];
  const attempt = (label: string, f: () => Omit<Drawn, 'label'>) => {
    try {
      drawn.push({ label, ...f() });
    } catch (error) {
      drawn.push({ label, error });
    }
  };
  /** An entry point that fills a guarded view of `size` bytes. */
  const fills = (label: string, size: number, fill: (view: Uint8Array) => unknown) =>
    attempt(label, () => {
      const { view, whole } = guarded(size);
      within(() => fill(view));
      return { out: view, whole };
    });
  const backends = lib.info().backend === 'native' ? (['native', 'simulated'] as const) : (['simulated'] as const);
  for (const size of [16, 100, 4096, 70_000]) {
    fills(`getrandom(${size} B)`, size, (view) => lib.getrandom(view));
    fills(`randomFillSync(${size} B)`, size, (view) => lib.randomFillSync(view));
    for (const backend of backends) {
      fills(`createGenerator({ backend: '${backend}' }).fill(${size} B)`, size, (view) => {
        const gen = lib.createGenerator({ backend });
        gen.fill(view);
        gen.release();
      });
    }
  }
  fills('getRandomValues(Uint8Array)', 1024, (view) => lib.getRandomValues(view));
  fills('webcrypto.getRandomValues(Uint8Array)', 1024, (view) => lib.webcrypto.getRandomValues(view));
  attempt('getRandomValues(Float64Array) is refused', () => {
    const floats = new Float64Array(4);
    try {
      within(() => lib.getRandomValues(floats as never));
    } catch (e) {
      return { text: (e as Error).name };
    }
    return { text: 'accepted' };
  });
  attempt('randomBytes(1024)', () => ({ out: within(() => lib.randomBytes(1024)) }));
  const many = <T>(f: () => T): T[] => {
    const all: T[] = [];
    for (let i = 0; i < 64; i++) all.push(within(f));
    return all;
  };
  attempt('randomUUID() × 64', () => ({ text: many(() => lib.randomUUID()).join(' ') }));
  attempt('randomInt(2 ** 48 - 1) × 64', () => ({ text: many(() => lib.randomInt(2 ** 48 - 1)).join(' ') }));
  return drawn;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;

/** Why `d` is not what the library must hand out, or null. */
function whatIsWrong(d: Drawn): string | null {
  if (d.error !== undefined) return `threw ${String(d.error)}`;
  if (d.label.startsWith('getRandomValues(Float64Array)')) return d.text === 'TypeMismatchError' ? null : `gave ${d.text}`;
  if (d.label.startsWith('randomUUID')) {
    const all = d.text!.split(' ');
    if (!all.every((u) => UUID.test(u))) return `malformed UUIDs: ${all.slice(0, 2).join(' ')}`;
    return new Set(all).size === all.length ? null : 'a UUID twice';
  }
  if (d.label.startsWith('randomInt')) {
    const all = d.text!.split(' ').map(Number);
    return new Set(all).size === all.length && all.every((n) => Number.isSafeInteger(n) && n >= 0)
      ? null
      : `values ${all.slice(0, 4).join(' ')}`;
  }
  const evidence = zeroStateEvidence(d.out!);
  if (evidence !== null) return evidence;
  if (d.whole !== undefined) {
    const start = d.out!.byteOffset;
    const end = start + d.out!.byteLength;
    for (let i = 0; i < d.whole.length; i++)
      if ((i < start || i >= end) && d.whole[i] !== GUARD) return `wrote byte ${i}, outside the view [${start}, ${end})`;
  }
  return null;
}

/** Every failure, one a line: a wrong output, or a patched function the library called. */
export function patchedGlobalFailures(lib: Lib): string[] {
  const failures: string[] = [];
  // The default generator exists before any patch (the library is loaded and in use).
  lib.getrandom(new Uint8Array(16));
  for (const patch of PATCHES) {
    let calls = 0;
    const undo = patch.apply(() => {
      if (inLibrary) calls++;
    });
    let drawn: Drawn[];
    try {
      drawn = drawAll(lib);
    } finally {
      undo();
    }
    if (calls > 0) failures.push(`${patch.label}: the library called it ${calls} times`);
    for (const d of drawn) {
      const wrong = whatIsWrong(d);
      if (wrong !== null) failures.push(`${patch.label}: ${d.label}: ${wrong}`);
    }
  }
  return failures;
}
