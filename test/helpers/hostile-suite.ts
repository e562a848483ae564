// The hostile-input suite: every entry point that takes a buffer, fed caller objects that lie
// about themselves (subclasses, getters, own `length`/`byteLength`/`byteOffset`/`buffer`),
// patched species and TypedArray methods, unaligned views and DataViews, detached, resizable and
// shared buffers. The SPEC it checks: the library reads a view only through the intrinsic
// %TypedArray%.prototype / DataView.prototype getters captured at load and calls no method or
// getter of the caller's, so the REAL view is filled completely and nothing outside it is
// written; where node:crypto accepts or rejects an input without crashing, ours does the same
// (same error class, name, code and message); after every hostile call, even one that threw, the
// next ordinary 4096-byte request is random and repeats no 16-byte window of earlier output.
//
// Node trusts a caller's `byteLength` (and, in randomFill, `length`): a lie above the truth makes
// Node 20 abort the process (a CHECK in crypto_random.cc), one below leaves bytes unfilled. So
// node:crypto is never called with a lying object: for those the expected outcome is Node's on an
// honest twin (same type, same real length), which is our SPEC, stricter than Node.
//
// The test files call hostileSuite() (module-level functions), generatorSuite() (Generator
// methods on one backend) or formSuite() (any set of entry points, e.g. the syscall path).

import { Buffer } from 'node:buffer';
import * as nodeCrypto from 'node:crypto';
import { isDeepStrictEqual, types } from 'node:util';
import vm from 'node:vm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/arenas.js';
import type { Generator } from '../../src/generator.js';
import { IN_USE_OFFSET } from '../../src/state.js';
import { zeroStateEvidence } from './zero-key.js';
import { type GrowableSharedArrayBuffer, growable, type ResizableArrayBuffer, resizable } from './resizable.js';

/** The library's public module, as src/index.js exports it. */
export type Lib = typeof import('../../src/index.js');

/** getrandom(2)'s cap on one request. */
const MAX_RW_COUNT = 0x7ffff000;

// ---------------------------------------------------------------------------------------------
// The truth about a view, from the intrinsic getters (captured before any test patches anything)

type Getter = (this: unknown) => unknown;
const getterOf = (proto: object, key: PropertyKey): Getter => Object.getOwnPropertyDescriptor(proto, key)!.get as Getter;
const TypedArray = Object.getPrototypeOf(Uint8Array) as object;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const TA = {
  tag: getterOf(TypedArrayPrototype, Symbol.toStringTag),
  buffer: getterOf(TypedArrayPrototype, 'buffer'),
  byteOffset: getterOf(TypedArrayPrototype, 'byteOffset'),
  byteLength: getterOf(TypedArrayPrototype, 'byteLength'),
  length: getterOf(TypedArrayPrototype, 'length'),
};
const DV = {
  buffer: getterOf(DataView.prototype, 'buffer'),
  byteOffset: getterOf(DataView.prototype, 'byteOffset'),
  byteLength: getterOf(DataView.prototype, 'byteLength'),
};
const abByteLength = getterOf(ArrayBuffer.prototype, 'byteLength');
const sabByteLength = getterOf(SharedArrayBuffer.prototype, 'byteLength');
const get = <T>(getter: Getter, self: unknown): T => Reflect.apply(getter, self, []) as T;
const U8 = Uint8Array;

/** What a view really is, per its internal slots. */
interface Real {
  /** 'Uint8Array', 'Uint32Array', ... or 'DataView'. */
  type: string;
  buffer: ArrayBufferLike;
  byteOffset: number;
  /** 0 for a detached or out-of-bounds view. */
  byteLength: number;
  elementSize: number;
  /** The buffer was transferred away: no memory to check. */
  detached: boolean;
}

function bufferByteLength(buffer: ArrayBufferLike): number {
  return types.isSharedArrayBuffer(buffer) ? get<number>(sabByteLength, buffer) : get<number>(abByteLength, buffer);
}

function isDetachedBuffer(buffer: ArrayBufferLike): boolean {
  if (types.isSharedArrayBuffer(buffer) || bufferByteLength(buffer) !== 0) return false;
  try {
    new U8(buffer);
    return false;
  } catch {
    return true;
  }
}

function realView(view: ArrayBufferView): Real {
  const tag = get<string | undefined>(TA.tag, view);
  if (tag !== undefined) {
    const buffer = get<ArrayBufferLike>(TA.buffer, view);
    const C = (globalThis as unknown as Record<string, { BYTES_PER_ELEMENT: number }>)[tag]!;
    return {
      type: tag,
      buffer,
      byteOffset: get<number>(TA.byteOffset, view),
      byteLength: get<number>(TA.byteLength, view),
      elementSize: C.BYTES_PER_ELEMENT,
      detached: isDetachedBuffer(buffer),
    };
  }
  const buffer = get<ArrayBufferLike>(DV.buffer, view);
  let byteOffset = 0;
  let byteLength = 0;
  try {
    byteOffset = get<number>(DV.byteOffset, view);
    byteLength = get<number>(DV.byteLength, view);
  } catch {
    // A detached or out-of-bounds DataView: its getters throw.
  }
  return { type: 'DataView', buffer, byteOffset, byteLength, elementSize: 1, detached: isDetachedBuffer(buffer) };
}

/** A plain same-type view of the same real length, with nothing to lie about: what Node may be given. */
function honestTwin(view: ArrayBufferView): ArrayBufferView {
  const real = realView(view);
  const make = (ab: ArrayBufferLike): ArrayBufferView =>
    real.type === 'DataView'
      ? new DataView(ab)
      : new (globalThis as unknown as Record<string, new (ab: ArrayBufferLike) => ArrayBufferView>)[real.type]!(ab);
  if (real.detached) return detachedView(make);
  return make(types.isSharedArrayBuffer(real.buffer) ? new SharedArrayBuffer(real.byteLength) : new ArrayBuffer(real.byteLength));
}

// ---------------------------------------------------------------------------------------------
// Byte helpers. Patches are live only inside our call (see attempt()), so these may use
// TypedArray methods; they still go through the intrinsics captured here, to be sure.

const taSet = Reflect.get(TypedArrayPrototype, 'set') as (this: Uint8Array, src: Uint8Array, offset?: number) => void;
const taFill = Reflect.get(TypedArrayPrototype, 'fill') as (this: Uint8Array, v: number, start?: number, end?: number) => Uint8Array;
const ZERO16 = Buffer.alloc(16);

function copyOf(b: Uint8Array, from = 0, to = b.length): Uint8Array {
  const out = new U8(to - from);
  Reflect.apply(taSet, out, [new U8(b.buffer, b.byteOffset + from, to - from)]);
  return out;
}

function fillBytes(b: Uint8Array, v: number, start = 0, end = b.length): void {
  Reflect.apply(taFill, b, [v, start, end]);
}

/** Whether bytes [from, to) of `a` and `b` are equal. */
function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  if (to <= from) return true;
  return Buffer.from(a.buffer, a.byteOffset + from, to - from).equals(Buffer.from(b.buffer, b.byteOffset + from, to - from));
}

function wholeBuffer(buffer: ArrayBufferLike): Uint8Array {
  return new U8(buffer, 0, bufferByteLength(buffer));
}

/**
 * Why `out` (16 bytes or more) does not look random: a zero run anywhere, or the zero key's
 * keystream near either end (a zeroed state restarts that keystream at every request, so it
 * shows from the start); null if it looks random.
 */
function notRandom(out: Uint8Array): string | null {
  if (out.length <= 12288) return zeroStateEvidence(out);
  const run = Buffer.from(out.buffer, out.byteOffset, out.length).indexOf(ZERO16);
  if (run !== -1) return `16 zero bytes ending at ${run + 15}`;
  return zeroStateEvidence(new U8(out.buffer, out.byteOffset, 8192)) ?? zeroStateEvidence(new U8(out.buffer, out.byteOffset + out.length - 4096, 4096));
}

/** An error as seen from outside: base class, constructor, name, code, message. */
function errorShape(e: unknown): unknown {
  if (!(e instanceof Error) && !(e instanceof DOMException)) return { nonError: String(e) };
  const base = [DOMException, RangeError, TypeError, Error].find((C) => e instanceof C)?.name;
  return { base, ctor: e.constructor.name, name: e.name, code: (e as { code?: unknown }).code, message: e.message };
}

function showError(e: unknown): string {
  if (!(e instanceof Error) && !(e instanceof DOMException)) return `a non-error (${String(e)})`;
  const code = (e as { code?: unknown }).code;
  return `${e.constructor.name} ${e.name}${code === undefined ? '' : ` [${String(code)}]`}: ${e.message}`;
}

/** `make(ab)` over an 8-byte ArrayBuffer that is then transferred away. */
function detachedView<T>(make: (ab: ArrayBuffer) => T): T {
  const ab = new ArrayBuffer(8);
  const view = make(ab);
  structuredClone(ab, { transfer: [ab] });
  return view;
}

// ---------------------------------------------------------------------------------------------
// Earlier output, and the ordinary request after each hostile call

/** The first 3 of the 8 bytes at `b[i ..]`: the index key (a prefilter; hits are compared in full). */
function key3(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
}

/**
 * The outputs of one test, to find a 16-byte window seen before. Every 16-byte window of an
 * output contains one of its 8-aligned 8-byte blocks, so indexing those (by their first 3 bytes,
 * behind a bitmap) and looking up every 8-byte window of a new output finds every repeat exactly.
 */
class OutputLog {
  readonly #outputs: Uint8Array[] = [];
  readonly #index = new Map<number, number[]>();
  readonly #bits = new U8(1 << 21);

  /** The first 16-byte window of `out` (its first and last 4 KiB if longer) that repeats logged output, or null. */
  repeat(out: Uint8Array): string | null {
    if (out.length > 8192) {
      return this.repeat(new U8(out.buffer, out.byteOffset, 4096)) ?? this.repeat(new U8(out.buffer, out.byteOffset + out.length - 4096, 4096));
    }
    const bits = this.#bits;
    for (let i = 0; i + 8 <= out.length; i++) {
      const k = key3(out, i);
      if ((bits[k >> 3]! & (1 << (k & 7))) === 0) continue;
      const hits = this.#index.get(k);
      if (hits === undefined) continue;
      for (let h = 0; h < hits.length; h += 2) {
        const old = this.#outputs[hits[h]!]!;
        const p = hits[h + 1]!;
        for (let d = 0; d <= 8; d++) {
          const s = i - d;
          const t = p - d;
          if (s < 0 || t < 0 || s + 16 > out.length || t + 16 > old.length) continue;
          let same = true;
          for (let k = 0; k < 16 && same; k++) same = out[s + k] === old[t + k];
          if (same) return `bytes ${s}..${s + 16} repeat bytes ${t}..${t + 16} of earlier output #${hits[h]}`;
        }
      }
    }
    return null;
  }

  /** Logs a copy of `out` (its first and last 4 KiB if longer). */
  add(out: Uint8Array): void {
    if (out.length > 8192) {
      this.add(copyOf(out, 0, 4096));
      this.add(copyOf(out, out.length - 4096));
      return;
    }
    const n = this.#outputs.push(copyOf(out)) - 1;
    for (let p = 0; p + 8 <= out.length; p += 8) {
      const k = key3(out, p);
      this.#bits[k >> 3]! |= 1 << (k & 7);
      const hits = this.#index.get(k);
      if (hits === undefined) this.#index.set(k, [n, p]);
      else hits.push(n, p);
    }
  }
}

/** Draws one ordinary request into `out` and returns the count: getrandom of a generator. */
export type Draw = (out: Uint8Array) => number;

/** Why the next ordinary getrandom(new Uint8Array(4096)) is wrong, or null. */
function probe(draw: Draw, log: OutputLog): string | null {
  const out = new U8(4096);
  let n: unknown;
  try {
    n = draw(out);
  } catch (e) {
    return `the next ordinary getrandom(new Uint8Array(4096)) threw ${showError(e)}`;
  }
  if (n !== 4096) return `the next ordinary getrandom(new Uint8Array(4096)) returned ${String(n)}`;
  // A zero key's keystream starts within the first 96 + 64 bytes of a request: look for it in
  // the first KiB, for zero runs everywhere.
  const run = Buffer.from(out.buffer).indexOf(ZERO16);
  const evidence = run !== -1 ? `16 zero bytes ending at ${run + 15}` : zeroStateEvidence(new U8(out.buffer, 0, 1024));
  if (evidence !== null) return `the next ordinary 4096-byte request is not random: ${evidence}`;
  const repeat = log.repeat(out);
  if (repeat !== null) return `the next ordinary 4096-byte request repeats earlier output: ${repeat}`;
  log.add(out);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Patches of the realm, always undone

const pendingRestores = new Set<() => void>();

/** Defines `key` on `target`; returns the undo, which afterEach also runs if the test did not. */
function patchProperty(target: object, key: PropertyKey, descriptor: PropertyDescriptor): () => void {
  const saved = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { configurable: true, ...descriptor });
  const restore = () => {
    if (!pendingRestores.delete(restore)) return;
    if (saved === undefined) delete (target as Record<PropertyKey, unknown>)[key];
    else Object.defineProperty(target, key, saved);
  };
  pendingRestores.add(restore);
  return restore;
}

function restoreAllPatches(): void {
  for (const restore of [...pendingRestores].reverse()) restore();
}

/** A change to the realm made just around our call (its synchronous part). */
export interface Patch {
  label: string;
  /** It patches a species: run the 1 MiB request under it too. */
  species?: boolean;
  /** Patches, and returns the undo. */
  apply(): () => void;
}

const patched = (label: string, ...targets: Array<[object, PropertyKey, PropertyDescriptor]>): Patch => ({
  label,
  species: targets.some(([, key]) => key === Symbol.species),
  apply() {
    const undo = targets.map(([target, key, descriptor]) => patchProperty(target, key, descriptor));
    return () => {
      for (const u of undo.reverse()) u();
    };
  },
});

function patchedCalled(what: string): never {
  throw new Error(`patched ${what} was called`);
}

/** The type name of a TypedArray (by its slot) and its constructor. */
function ctorOf(view: unknown): new (n: number) => Uint8Array {
  return (globalThis as unknown as Record<string, new (n: number) => Uint8Array>)[get<string>(TA.tag, view)]!;
}

/** A species constructor that ignores where the view is and returns a fresh zero array of the requested length. */
function freshSpecies(C: new (n: number) => Uint8Array) {
  return function Fresh(a: unknown, offset?: number, length?: number) {
    if (typeof a === 'number') return new C(a);
    return new C(length ?? (bufferByteLength(a as ArrayBufferLike) - (offset ?? 0)) / (C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
  };
}

/** A subarray that returns a fresh zero array of the requested length: writes through it go nowhere. */
function sinkSubarray(this: Uint8Array, begin = 0, end?: number): Uint8Array {
  const len = get<number>(TA.length, this);
  const rel = (x: number) => (x < 0 ? Math.max(len + x, 0) : Math.min(x, len));
  const from = rel(begin);
  const to = end === undefined ? len : rel(end);
  return new (ctorOf(this))(Math.max(to - from, 0));
}

const speciesOf = (C: object, value: unknown): [object, PropertyKey, PropertyDescriptor] => [C, Symbol.species, { get: () => value }];
const method = (proto: object, key: string, fn: (...args: never[]) => unknown): [object, PropertyKey, PropertyDescriptor] => [
  proto,
  key,
  { value: fn, writable: true },
];

/** Every patch of species and TypedArray methods the suite runs requests under. */
export function patches(): Patch[] {
  return [
    patched('Uint8Array[Symbol.species] is a subclass whose constructor ignores (buffer, offset, length)', speciesOf(Uint8Array, Bytes)),
    patched('Uint8Array[Symbol.species] makes a fresh zero array', speciesOf(Uint8Array, freshSpecies(Uint8Array))),
    patched('%TypedArray%[Symbol.species] makes a fresh zero array of the same type', [
      TypedArray,
      Symbol.species,
      {
        get(this: new (n: number) => Uint8Array) {
          return freshSpecies(this);
        },
      },
    ]),
    patched('Uint8Array.prototype.subarray throws', method(Uint8Array.prototype, 'subarray', () => patchedCalled('subarray'))),
    patched('Uint8Array.prototype.subarray returns a fresh zero array', method(Uint8Array.prototype, 'subarray', sinkSubarray)),
    patched('%TypedArray%.prototype.subarray throws', method(TypedArrayPrototype, 'subarray', () => patchedCalled('subarray'))),
    patched('%TypedArray%.prototype.subarray returns a fresh zero array', method(TypedArrayPrototype, 'subarray', sinkSubarray)),
    patched('%TypedArray%.prototype.set is a no-op', method(TypedArrayPrototype, 'set', () => undefined)),
    patched('%TypedArray%.prototype.set throws', method(TypedArrayPrototype, 'set', () => patchedCalled('set'))),
    patched('Uint8Array.prototype.set is a no-op', method(Uint8Array.prototype, 'set', () => undefined)),
    patched(
      '%TypedArray%.prototype.fill is a no-op',
      method(TypedArrayPrototype, 'fill', function (this: unknown) {
        return this;
      }),
    ),
    patched('%TypedArray%.prototype.fill throws', method(TypedArrayPrototype, 'fill', () => patchedCalled('fill'))),
    patched(
      'all at once: both species fresh, subarray/set/fill/slice of %TypedArray% and Uint8Array throwing',
      speciesOf(Uint8Array, freshSpecies(Uint8Array)),
      [TypedArray, Symbol.species, { get: () => Bytes }],
      ...(['subarray', 'set', 'fill', 'slice'] as const).flatMap((name) => [
        method(TypedArrayPrototype, name, () => patchedCalled(name)),
        method(Uint8Array.prototype, name, () => patchedCalled(name)),
      ]),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Entry points

type Callback = (...args: unknown[]) => void;

/** Which entry point a form calls, for cases that only make sense for some. */
export type Kind = 'getRandomValues' | 'randomFillSync' | 'randomFill' | 'getrandom' | 'fill';

/** One way of calling an entry point with a view. */
export interface Form {
  name: string;
  kind: Kind;
  ours(view: ArrayBufferView, cb: Callback): unknown;
  /** node:crypto's counterpart, whose outcome ours must match; absent: the SPEC's own rules (getrandom, Generator methods). */
  node?(view: ArrayBufferView, cb: Callback): unknown;
  /** It calls back: (null, view) on success. */
  async?: boolean;
  /** The bytes [from, to) of the real view a successful call fills, given its real byte length and element size. */
  range(byteLength: number, elementSize: number): readonly [number, number];
  /** What a successful call gives back: the caller's object itself, or the byte count. */
  gives: 'view' | 'count';
  /** It fills part of the view (an offset or size is given). */
  partial?: boolean;
  /** Undoes what the form itself set up, after a call it made was cut off by the time limit. */
  recover?(): void;
}

const whole = (n: number) => [0, n] as const;
const fromOne = (n: number, e: number) => [e, n] as const;
const oneSixteen = (_n: number, e: number) => [e, 17 * e] as const;
type Loose = Record<string, (...args: unknown[]) => unknown>;

/** The node:crypto drop-ins, each beside node:crypto's (globalThis.crypto's for webcrypto). */
export function dropInForms(lib: Lib): Form[] {
  const ours = lib as unknown as Loose;
  const node = nodeCrypto as unknown as Loose;
  const sync = (name: string, kind: Kind, args: unknown[], range: Form['range']): Form => ({
    name: `${name}(v${args.map((a) => `, ${String(a)}`).join('')})`,
    kind,
    ours: (v) => ours[name]!(v, ...args),
    node: (v) => node[name]!(v, ...args),
    range,
    gives: 'view',
    partial: args.length > 0,
  });
  const fill = (args: unknown[], range: Form['range']): Form => ({
    name: `randomFill(v${args.map((a) => `, ${String(a)}`).join('')}, cb)`,
    kind: 'randomFill',
    ours: (v, cb) => ours.randomFill!(v, ...args, cb),
    node: (v, cb) => node.randomFill!(v, ...args, cb),
    async: true,
    range,
    gives: 'view',
    partial: args.length > 0,
  });
  return [
    sync('getRandomValues', 'getRandomValues', [], whole),
    {
      name: 'webcrypto.getRandomValues(v)',
      kind: 'getRandomValues',
      ours: (v) => lib.webcrypto.getRandomValues(v),
      node: (v) => globalThis.crypto.getRandomValues(v as Uint8Array),
      range: whole,
      gives: 'view',
    },
    sync('randomFillSync', 'randomFillSync', [], whole),
    sync('randomFillSync', 'randomFillSync', [1], fromOne),
    sync('randomFillSync', 'randomFillSync', [1, 16], oneSixteen),
    sync('randomFillSync', 'randomFillSync', [0, 100], (_n, e) => [0, 100 * e]),
    fill([], whole),
    fill([1], fromOne),
    fill([1, 16], oneSixteen),
  ];
}

/** The module-level getrandom (the default generator). */
export function getrandomForm(lib: Lib): Form {
  return { name: 'getrandom(v)', kind: 'getrandom', ours: (v) => lib.getrandom(v), range: whole, gives: 'count' };
}

/** A generator's getrandom and fill. */
export function generatorForms(gen: () => Generator, label = 'gen'): Form[] {
  return [
    { name: `${label}.getrandom(v)`, kind: 'getrandom', ours: (v) => gen().getrandom(v), range: whole, gives: 'count' },
    { name: `${label}.fill(v)`, kind: 'fill', ours: (v) => gen().fill(v), range: whole, gives: 'view' },
  ];
}

/**
 * `form` with the generator's state marked in use during the call, as a call further up the
 * stack would leave it: the request takes the syscall path (the fallback). Cleared before the
 * call returns, so the state is only ever busy inside it.
 */
export function busy(form: Form, state: () => Uint8Array, label = 'with the state busy (syscall path)'): Form {
  return {
    ...form,
    name: `${form.name} ${label}`,
    // On this path the library leaves the state alone: clearing the flag we set is safe.
    recover: () => void (state()[IN_USE_OFFSET] = 0),
    ours(view, cb) {
      const bytes = state();
      bytes[IN_USE_OFFSET] = 1;
      try {
        return form.ours(view, cb);
      } finally {
        bytes[IN_USE_OFFSET] = 0;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs

/** One input, fresh from make(). */
export interface Made {
  view: ArrayBufferView;
  /** Buffers a lying `buffer` points at: never to be written. */
  decoys?: ArrayBufferLike[];
  /** How often the caller's own getters, methods or species ran: must stay 0. */
  calls?: () => number;
}

export interface Hostile {
  label: string;
  make(): Made;
  /**
   * It lies where Node would trust it: the expected outcome is node:crypto's on an honest twin.
   * Our calls with it run under a time limit: a library that trusts a `length` above the truth
   * can loop for ever (the syscall path fills the real bytes, the loop waits for the rest).
   */
  lies?: boolean;
  /** A view of a resized buffer that is now out of bounds (length 0, not detached). */
  outOfBounds?: boolean;
  /** Only these entry points (default: all). */
  kinds?: readonly Kind[];
  /** Only the forms that fill the whole view. */
  wholeOnly?: boolean;
}

const applies = (c: Hostile, form: Form) => (c.kinds === undefined || c.kinds.includes(form.kind)) && !(c.wholeOnly && form.partial);
/** One macrotask turn: lets the test runner's IPC through between cases. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** (1a) Its species constructor ignores subarray's (buffer, offset, length): a subarray of it is a fresh zero buffer. */
export class Bytes extends Uint8Array {
  constructor(x: number | ArrayBufferLike) {
    super(typeof x === 'number' ? x : bufferByteLength(x));
  }
}

/** (1b) A subclass with no constructor of its own. */
class PlainSubclass extends Uint8Array {}

/** A counter of calls into the caller's code. */
function counter() {
  let n = 0;
  return { hit: () => void n++, calls: () => n };
}

type LieKey = 'length' | 'byteLength' | 'byteOffset' | 'buffer';
type Lies = Partial<Record<LieKey, (self: ArrayBufferView) => unknown>>;

/** A subclass of `Base` whose getters for `lies` return the lies (and count their calls). */
function lyingSubclass<C extends new (...args: never[]) => ArrayBufferView>(Base: C, lies: Lies, hit: () => void): C {
  const Sub = class extends (Base as unknown as new (...args: unknown[]) => object) {};
  for (const [key, lie] of Object.entries(lies)) {
    Object.defineProperty(Sub.prototype, key, {
      get(this: ArrayBufferView) {
        hit();
        return lie!(this);
      },
      configurable: true,
    });
  }
  return Sub as unknown as C;
}

/** Own data properties that lie, on `view`. */
function withOwn<T extends object>(view: T, props: Partial<Record<LieKey, unknown>>): T {
  for (const [key, value] of Object.entries(props)) Object.defineProperty(view, key, { value, configurable: true });
  return view;
}

const realLength = (v: ArrayBufferView) => get<number>(TA.byteLength, v);

/** Buffer's shared pool: neighbouring bytes belong to others, so the suite compares them by snapshot. */
const isPooled = (real: Real) => !types.isSharedArrayBuffer(real.buffer) && real.byteLength < bufferByteLength(real.buffer) && bufferByteLength(real.buffer) === Buffer.poolSize;

/** (1) Subclasses: of Uint8Array, with and without constructors, lying getters, own methods; and of other TypedArrays. */
function subclassCases(): Hostile[] {
  const cases: Hostile[] = [];
  for (const n of [1, 15, 16, 64, 97, 256, 4096, 65536, 1 << 20]) {
    cases.push({ label: `Bytes(${n}), whose species ignores (buffer, offset, length)`, wholeOnly: n > 65536, make: () => ({ view: new Bytes(n) }) });
  }
  for (const [n, at] of [
    [16, 0],
    [16, 3],
    [4096, 3],
    [65536, 5],
  ] as const) {
    cases.push({
      label: `a subclass without a constructor: ${n} bytes at offset ${at}`,
      make: () => ({ view: new PlainSubclass(new ArrayBuffer(at + n + 64), at, n) }),
    });
  }
  for (const n of [16, 4096, 65536]) {
    cases.push({
      label: `a subclass with its own subarray/set/fill (throwing) and a species getter: ${n} bytes at offset 5`,
      make() {
        const { hit, calls } = counter();
        class Methods extends Uint8Array {}
        Object.defineProperty(Methods, Symbol.species, { get: () => (hit(), Bytes) });
        for (const name of ['subarray', 'set', 'fill'] as const) {
          Object.defineProperty(Methods.prototype, name, { value: () => (hit(), patchedCalled(`the caller’s ${name}`)), writable: true, configurable: true });
        }
        return { view: new Methods(new ArrayBuffer(n + 69), 5, n), calls };
      },
    });
  }

  // (1c) Lying getters on a 64-byte view at offset 40 of a 4 KiB buffer.
  const decoy = () => new ArrayBuffer(4096);
  const lyingGetters: Array<[string, (decoys: ArrayBufferLike[]) => Lies]> = [
    ['length larger (real + 100)', () => ({ length: (v) => realLength(v) + 100 })],
    ['length smaller (half)', () => ({ length: (v) => realLength(v) >> 1 })],
    ['length 0', () => ({ length: () => 0 })],
    ['length 0x7ffff001', () => ({ length: () => 0x7ffff001 })],
    ['byteLength larger (real + 100)', () => ({ byteLength: (v) => realLength(v) + 100 })],
    ['byteLength smaller (half)', () => ({ byteLength: (v) => realLength(v) >> 1 })],
    ['byteLength 0', () => ({ byteLength: () => 0 })],
    ['byteLength 0x7ffff001', () => ({ byteLength: () => 0x7ffff001 })],
    ['byteLength 1e6', () => ({ byteLength: () => 1e6 })],
    ['byteOffset 0', () => ({ byteOffset: () => 0 })],
    ['byteOffset 1000', () => ({ byteOffset: () => 1000 })],
    ['byteOffset 0x7ffff001', () => ({ byteOffset: () => 0x7ffff001 })],
    [
      'buffer another 4 KiB ArrayBuffer',
      (decoys) => {
        const d = decoy();
        decoys.push(d);
        return { buffer: () => d };
      },
    ],
    [
      'buffer a 16-byte ArrayBuffer',
      (decoys) => {
        const d = new ArrayBuffer(16);
        decoys.push(d);
        return { buffer: () => d };
      },
    ],
    [
      'all four: length and byteLength 4000, byteOffset 0, buffer another',
      (decoys) => {
        const d = decoy();
        decoys.push(d);
        return { length: () => 4000, byteLength: () => 4000, byteOffset: () => 0, buffer: () => d };
      },
    ],
    [
      'all four throwing',
      () => Object.fromEntries((['length', 'byteLength', 'byteOffset', 'buffer'] as const).map((k) => [k, () => patchedCalled(`the caller’s ${k} getter`)])),
    ],
  ];
  for (const [what, lies] of lyingGetters) {
    cases.push({
      label: `a Uint8Array subclass whose getter lies: ${what} (64 bytes at offset 40 of 4 KiB)`,
      lies: true,
      make() {
        const { hit, calls } = counter();
        const decoys: ArrayBufferLike[] = [];
        const Sub = lyingSubclass(Uint8Array, lies(decoys), hit);
        return { view: new Sub(new ArrayBuffer(4096), 40, 64), decoys, calls };
      },
    });
  }
  cases.push({
    label: 'a Uint8Array subclass with honest getters for all four (which must not be called)',
    make() {
      const { hit, calls } = counter();
      const Sub = lyingSubclass(
        Uint8Array,
        {
          length: (v) => get(TA.length, v),
          byteLength: (v) => get(TA.byteLength, v),
          byteOffset: (v) => get(TA.byteOffset, v),
          buffer: (v) => get(TA.buffer, v),
        },
        hit,
      );
      return { view: new Sub(new ArrayBuffer(4096), 40, 64), calls };
    },
  });
  cases.push({
    label: 'a Uint8Array whose prototype was swapped for one with byteLength and length 1e6',
    lies: true,
    make() {
      const { hit, calls } = counter();
      const proto = Object.create(Uint8Array.prototype, {
        byteLength: { get: () => (hit(), 1e6) },
        length: { get: () => (hit(), 1e6) },
      }) as object;
      return { view: Object.setPrototypeOf(new Uint8Array(new ArrayBuffer(256), 32, 64), proto) as Uint8Array, calls };
    },
  });

  // (1d) Other TypedArrays.
  const bases = [Uint32Array, Int16Array, BigUint64Array] as const;
  for (const Base of bases) {
    const e = Base.BYTES_PER_ELEMENT;
    const Ignoring = class extends (Base as unknown as new (n: number) => ArrayBufferView) {
      constructor(x: number | ArrayBufferLike) {
        super(typeof x === 'number' ? x : bufferByteLength(x) / e);
      }
    };
    for (const bytes of [16, 4096, 65536]) {
      cases.push({
        label: `a ${Base.name} subclass whose constructor ignores (buffer, offset, length): ${bytes} bytes`,
        make: () => ({ view: new Ignoring(bytes / e) }),
      });
    }
    const Plain = class extends (Base as unknown as new (ab: ArrayBuffer, at: number, n: number) => ArrayBufferView) {};
    cases.push({
      label: `a ${Base.name} subclass without a constructor: 4096 bytes at offset 8`,
      make: () => ({ view: new Plain(new ArrayBuffer(4096 + 72), 8, 4096 / e) }),
    });
    const typedLies: Array<[string, Lies]> = [
      ['byteLength 1e6', { byteLength: () => 1e6 }],
      ['byteLength 0', { byteLength: () => 0 }],
      ['length 0', { length: () => 0 }],
      ['length 10 times the real', { length: (v) => get<number>(TA.length, v) * 10 }],
      ['byteOffset 0, buffer another', { byteOffset: () => 0, buffer: () => new ArrayBuffer(4096) }],
    ];
    for (const [what, lies] of typedLies) {
      cases.push({
        label: `a ${Base.name} subclass whose getter lies: ${what} (64 bytes at offset 64)`,
        lies: true,
        make() {
          const { hit, calls } = counter();
          const Sub = lyingSubclass(Base as unknown as new (ab: ArrayBuffer, at: number, n: number) => ArrayBufferView, lies, hit);
          return { view: new Sub(new ArrayBuffer(4096), 64, 64 / e), calls };
        },
      });
    }
  }
  const FloatIgnoring = class extends Float64Array {
    constructor(x: number | ArrayBufferLike) {
      super(typeof x === 'number' ? x : bufferByteLength(x) / 8);
    }
  };
  cases.push({ label: 'a Float64Array subclass (not an integer array)', make: () => ({ view: new FloatIgnoring(8) }) });
  return cases;
}

/** (3) Lying own properties on plain Uint8Arrays, Buffers (pooled ones too), Uint32Arrays and DataViews. */
function ownPropertyCases(): Hostile[] {
  const cases: Hostile[] = [];
  const add = (label: string, make: () => Made) => cases.push({ label, make, lies: true });
  const u8 = (size: number, at: number, n: number) => new Uint8Array(new ArrayBuffer(size), at, n);
  add('own length 200 on a 16-byte view at offset 0 of a 4 KiB buffer', () => ({ view: withOwn(u8(4096, 0, 16), { length: 200 }) }));
  add('own length 0 on a 32-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(32), { length: 0 }) }));
  add('own length 0x7ffff001 on a 64-byte view at offset 64', () => ({ view: withOwn(u8(192, 64, 64), { length: 0x7ffff001 }) }));
  add('own length 8 on a 64-byte view at offset 5', () => ({ view: withOwn(u8(133, 5, 64), { length: 8 }) }));
  add('own byteLength 200 on a 16-byte view at offset 0 of a 4 KiB buffer', () => ({ view: withOwn(u8(4096, 0, 16), { byteLength: 200 }) }));
  add('own byteLength 0 on a 32-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(32), { byteLength: 0 }) }));
  add('own byteLength 0x7ffff001 on a 64-byte view at offset 64', () => ({ view: withOwn(u8(192, 64, 64), { byteLength: 0x7ffff001 }) }));
  add('own byteLength 1e6 on a 16-byte Uint8Array', () => ({ view: withOwn(u8(80, 0, 16), { byteLength: 1e6 }) }));
  add('own byteLength 8 on a 64-byte view at offset 3', () => ({ view: withOwn(u8(131, 3, 64), { byteLength: 8 }) }));
  add('own byteLength 16 on a 65537-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(65537), { byteLength: 16 }) }));
  add('own length 16 on a 65537-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(65537), { length: 16 }) }));
  add('own length and byteLength 0x7ffff001 on a 64-byte view at offset 64', () => ({ view: withOwn(u8(192, 64, 64), { length: 0x7ffff001, byteLength: 0x7ffff001 }) }));
  add('own byteOffset 0 on a 32-byte view at offset 100', () => ({ view: withOwn(u8(4096, 100, 32), { byteOffset: 0 }) }));
  add('own byteOffset 1000 on a 32-byte view at offset 0', () => ({ view: withOwn(u8(4096, 0, 32), { byteOffset: 1000 }) }));
  add('own byteOffset 0x7ffff001 on a 32-byte view at offset 7', () => ({ view: withOwn(u8(103, 7, 32), { byteOffset: 0x7ffff001 }) }));
  add('own buffer another 4 KiB ArrayBuffer', () => {
    const d = new ArrayBuffer(4096);
    return { view: withOwn(u8(4096, 40, 64), { buffer: d }), decoys: [d] };
  });
  add('own buffer a SharedArrayBuffer', () => {
    const d = new SharedArrayBuffer(4096);
    return { view: withOwn(u8(4096, 40, 64), { buffer: d }), decoys: [d] };
  });
  add('all four own: length and byteLength 4000, byteOffset 0, buffer another (on 16 bytes at offset 40)', () => {
    const d = new ArrayBuffer(4096);
    return { view: withOwn(u8(4096, 40, 16), { length: 4000, byteLength: 4000, byteOffset: 0, buffer: d }), decoys: [d] };
  });
  add('own length 1000 on a Uint32Array(4)', () => ({ view: withOwn(new Uint32Array(new ArrayBuffer(64), 16, 4), { length: 1000 }) }));
  add('own byteLength 0 on a Uint32Array(8)', () => ({ view: withOwn(new Uint32Array(8), { byteLength: 0 }) }));
  add('own byteLength 1000 on a 16-byte DataView at offset 3', () => ({ view: withOwn(new DataView(new ArrayBuffer(64), 3, 16), { byteLength: 1000 }) }));
  add('own byteOffset 0 and buffer another on a DataView at offset 5', () => {
    const d = new ArrayBuffer(64);
    return { view: withOwn(new DataView(new ArrayBuffer(64), 5, 32), { byteOffset: 0, buffer: d }), decoys: [d] };
  });
  add('own length 200 on Buffer.alloc(16)', () => ({ view: withOwn(Buffer.alloc(16), { length: 200 }) }));
  // Pooled Buffers: their neighbours in the pool are other allocations, and must stay as they are.
  const pooled: Array<[string, () => Buffer, Partial<Record<LieKey, unknown>>]> = [
    ["own length 200 on Buffer.from('x'.repeat(20)) (pooled)", () => Buffer.from('x'.repeat(20)), { length: 200 }],
    ["own byteLength 4096 on Buffer.from('x'.repeat(20)) (pooled)", () => Buffer.from('x'.repeat(20)), { byteLength: 4096 }],
    ['own length 0 on Buffer.allocUnsafe(16) (pooled)', () => Buffer.allocUnsafe(16), { length: 0 }],
    ['own byteLength 0x7ffff001 on Buffer.allocUnsafe(16) (pooled)', () => Buffer.allocUnsafe(16), { byteLength: 0x7ffff001 }],
    ['own byteOffset 0 on Buffer.allocUnsafe(16) (pooled)', () => Buffer.allocUnsafe(16), { byteOffset: 0 }],
    ['own length and byteLength 1000 on Buffer.allocUnsafe(24) (pooled)', () => Buffer.allocUnsafe(24), { length: 1000, byteLength: 1000 }],
  ];
  for (const [label, make, props] of pooled) add(label, () => ({ view: withOwn(make(), props) }));
  return cases;
}

/** The lengths of (4), around the batch (96), the block (64) and the quota. */
const UNALIGNED_LENGTHS = [1, 15, 16, 63, 64, 65, 96, 97, 255, 256, 4095, 4096, 65536];

/** (4) Views at unaligned offset `offset` (plus 64 guard bytes) of larger buffers, 64 guard bytes after. */
function unalignedCases(offset: number, type: 'Uint8Array' | 'Buffer' | 'DataView'): Hostile[] {
  return UNALIGNED_LENGTHS.map((n) => ({
    label: `a ${n}-byte ${type} at byte offset ${64 + offset}`,
    // Buffers and DataViews take the same paths as Uint8Arrays past the argument checks: the whole-view forms suffice.
    kinds: type === 'DataView' ? (['randomFillSync', 'getrandom', 'fill', 'getRandomValues'] as const) : undefined,
    wholeOnly: type !== 'Uint8Array',
    make() {
      const ab = new ArrayBuffer(64 + offset + n + 64);
      const at = 64 + offset;
      const view = type === 'DataView' ? new DataView(ab, at, n) : type === 'Buffer' ? Buffer.from(ab, at, n) : new Uint8Array(ab, at, n);
      return { view };
    },
  }));
}

/** (5) Detached, resizable, growable shared and shared buffers. */
function bufferKindCases(): Hostile[] {
  const cases: Hostile[] = [];
  const detached = (label: string, make: (ab: ArrayBuffer) => ArrayBufferView, lies = false) =>
    cases.push({ label: `a detached ${label}`, lies, make: () => ({ view: detachedView(make) }) });
  detached('Uint8Array', (ab) => new Uint8Array(ab));
  detached('Buffer', (ab) => Buffer.from(ab));
  detached('Uint32Array', (ab) => new Uint32Array(ab));
  detached('BigUint64Array', (ab) => new BigUint64Array(ab));
  detached('DataView', (ab) => new DataView(ab));
  detached('subclass without a constructor', (ab) => new PlainSubclass(ab));
  detached('Uint8Array with own byteLength 16', (ab) => withOwn(new Uint8Array(ab), { byteLength: 16 }), true);
  detached('Uint8Array with own length 16', (ab) => withOwn(new Uint8Array(ab), { length: 16 }), true);
  detached('DataView with own byteLength 16', (ab) => withOwn(new DataView(ab), { byteLength: 16 }), true);
  cases.push({
    label: 'a detached Uint8Array subclass whose byteLength and length getters say 16',
    lies: true,
    make() {
      const { hit, calls } = counter();
      const Sub = lyingSubclass(Uint8Array, { byteLength: () => 16, length: () => 16 }, hit);
      return { view: detachedView((ab) => new Sub(ab)), calls };
    },
  });

  // Resizable ArrayBuffers: fixed-length and length-tracking views, before and after resizes.
  const rab = (label: string, make: (b: ResizableArrayBuffer) => ArrayBufferView, size: number | undefined, outOfBounds = false) =>
    cases.push({
      label: `${label} over a resizable ArrayBuffer(64, max 256)${size === undefined ? '' : ` resized to ${size}`}`,
      outOfBounds,
      make() {
        const b = resizable(64, 256);
        const view = make(b);
        if (size !== undefined) b.resize(size);
        return { view };
      },
    });
  rab('a fixed-length Uint8Array(8, 32)', (b) => new Uint8Array(b, 8, 32), undefined);
  rab('a length-tracking Uint8Array at 8', (b) => new Uint8Array(b, 8), undefined);
  rab('a fixed-length Uint8Array(8, 32)', (b) => new Uint8Array(b, 8, 32), 128);
  rab('a length-tracking Uint8Array at 8', (b) => new Uint8Array(b, 8), 128);
  rab('a fixed-length Uint8Array(8, 32), now out of bounds,', (b) => new Uint8Array(b, 8, 32), 24, true);
  rab('a length-tracking Uint8Array at 8', (b) => new Uint8Array(b, 8), 24);
  rab('a length-tracking Uint8Array at 8, now out of bounds,', (b) => new Uint8Array(b, 8), 4, true);
  rab('a length-tracking Uint32Array at 4', (b) => new Uint32Array(b, 4), 100);
  rab('a length-tracking subclass at 3', (b) => new PlainSubclass(b, 3), 200);
  rab('a length-tracking DataView at 3', (b) => new DataView(b, 3), 200);
  rab('a fixed-length DataView(3, 40), now out of bounds,', (b) => new DataView(b, 3, 40), 24, true);

  // Growable SharedArrayBuffers and plain SharedArrayBuffers.
  const gsab = (label: string, make: (b: GrowableSharedArrayBuffer) => ArrayBufferView, size?: number) =>
    cases.push({
      label: `${label} over a growable SharedArrayBuffer(64, max 256)${size === undefined ? '' : ` grown to ${size}`}`,
      make() {
        const b = growable(64, 256);
        const view = make(b);
        if (size !== undefined) b.grow(size);
        return { view };
      },
    });
  gsab('a fixed-length Uint8Array(4, 32)', (b) => new Uint8Array(b, 4, 32));
  gsab('a length-tracking Uint8Array at 4', (b) => new Uint8Array(b, 4), 200);
  gsab('a length-tracking Uint32Array at 8', (b) => new Uint32Array(b, 8), 200);
  gsab('a length-tracking DataView at 3', (b) => new DataView(b, 3), 200);
  const sab = (label: string, make: () => ArrayBufferView) => cases.push({ label: `${label} over a SharedArrayBuffer`, make: () => ({ view: make() }) });
  sab('a 100-byte Uint8Array at offset 5', () => new Uint8Array(new SharedArrayBuffer(4096), 5, 100));
  sab('a 65536-byte Uint8Array', () => new Uint8Array(new SharedArrayBuffer(65536)));
  sab('a Uint32Array(16) at offset 8', () => new Uint32Array(new SharedArrayBuffer(128), 8, 16));
  sab('a 100-byte DataView at offset 3', () => new DataView(new SharedArrayBuffer(200), 3, 100));
  sab('a 50-byte Buffer at offset 1', () => Buffer.from(new SharedArrayBuffer(128), 1, 50));
  sab('a 4096-byte subclass at offset 7', () => new PlainSubclass(new SharedArrayBuffer(4200) as unknown as ArrayBuffer, 7, 4096));
  return cases;
}

/**
 * (2) The plain requests run under every patch; 1 MiB only under species patches (a patched
 * prototype deoptimizes the generator on every call, which makes a MiB slow to produce).
 */
function patchedRequestCases(patch: Patch): Hostile[] {
  const big: Hostile[] = patch.species ? [{ label: 'new Uint8Array(1 << 20)', wholeOnly: true, make: () => ({ view: new Uint8Array(1 << 20) }) }] : [];
  return [
    { label: 'new Uint8Array(4096)', make: () => ({ view: new Uint8Array(4096) }) },
    { label: 'new Uint8Array(65536)', wholeOnly: true, make: () => ({ view: new Uint8Array(65536) }) },
    ...big,
    { label: 'a 4096-byte Uint8Array at offset 3', make: () => ({ view: new Uint8Array(new ArrayBuffer(4096 + 67), 3, 4096) }) },
    { label: 'Buffer.alloc(4096)', wholeOnly: true, make: () => ({ view: Buffer.alloc(4096) }) },
    { label: 'new Uint32Array(1024)', make: () => ({ view: new Uint32Array(1024) }) },
    { label: 'a 4096-byte DataView at offset 1', kinds: ['randomFillSync', 'getrandom', 'fill'], make: () => ({ view: new DataView(new ArrayBuffer(4096 + 65), 1, 4096) }) },
  ];
}

// ---------------------------------------------------------------------------------------------
// Running one input through one entry point

type Expected =
  | { ok: true }
  | { threw: unknown }
  | { threwLike: { base: string; code: string; message: RegExp } }
  /** Out of bounds, for getrandom and fill: 0 (the view) or a TypeError; nothing written either way. */
  | { either: true };

const HANG_MS = 500;
const CALLBACK_MS = 5000;
/** Short outputs: how many calls, and how many distinct values each byte must take in them. */
const SHORT_CALLS = 12;
const SHORT_DISTINCT = 5;
/** Long outputs: at most this many calls until every byte has been seen nonzero. */
const LONG_CALLS = 16;

function deferred(): { cb: Callback; called: Promise<unknown[] | 'never called'> } {
  let resolve: (args: unknown[]) => void = () => {};
  const p = new Promise<unknown[]>((r) => (resolve = r));
  const timeout = new Promise<'never called'>((r) => setTimeout(() => r('never called'), CALLBACK_MS).unref());
  return { cb: (...args) => resolve(args), called: Promise.race([p, timeout]) };
}

/** node:crypto's outcome for `view` (never a lying object). */
async function nodeOutcome(form: Form, view: ArrayBufferView): Promise<Expected> {
  const { cb, called } = deferred();
  try {
    form.node!(view, cb);
  } catch (e) {
    return { threw: errorShape(e) };
  }
  if (form.async) {
    const args = await called;
    if (args === 'never called') throw new Error(`node:crypto never called back for ${form.name}`);
    if (args[0]) return { threw: errorShape(args[0]) };
  }
  return { ok: true };
}

async function expectedOutcome(c: Hostile, form: Form): Promise<Expected> {
  if (form.node !== undefined) {
    const view = c.make().view;
    return nodeOutcome(form, c.lies ? honestTwin(view) : view);
  }
  if (realView(c.make().view).detached) return { threwLike: { base: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /is detached/ } };
  if (c.outOfBounds) return { either: true };
  return { ok: true };
}

const boundedRun = new vm.Script('run()');
const boundedContext = vm.createContext({ run: null as (() => unknown) | null });

/**
 * Calls `fn` with a time limit: vm's watchdog stops even a synchronous endless loop (no
 * `finally` runs then, in the library or here).
 */
function bounded(fn: () => unknown): unknown {
  boundedContext.run = fn;
  try {
    return boundedRun.runInContext(boundedContext, { timeout: HANG_MS });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new Hung();
    throw e;
  } finally {
    boundedContext.run = null;
  }
}

class Hung extends Error {}

/** The memory a call may touch, snapshotted: the view's whole buffer and any decoys. */
interface Watch {
  real: Real;
  buffer: Uint8Array | null;
  before: Uint8Array | null;
  decoys: Array<{ bytes: Uint8Array; before: Uint8Array }>;
  pooled: boolean;
}

/** Fills everything the call must not write with 0xA5 (snapshots a pool instead), zeroes the target. */
function prepare(made: Made, real: Real, from: number, to: number): Watch {
  const decoys = (made.decoys ?? []).map((d) => {
    const bytes = wholeBuffer(d);
    fillBytes(bytes, 0xa5);
    return { bytes, before: copyOf(bytes) };
  });
  if (real.detached) return { real, buffer: null, before: null, decoys, pooled: false };
  const buffer = wholeBuffer(real.buffer);
  const pooled = isPooled(real);
  if (!pooled) fillBytes(buffer, 0xa5);
  fillBytes(buffer, 0, real.byteOffset + from, real.byteOffset + to);
  return { real, buffer, before: copyOf(buffer), decoys, pooled };
}

/** The first byte outside [from, to) of the view that changed, in `lo..hi` of its buffer; or null. */
function changedOutside(w: Watch, from: number, to: number, lo = 0, hi = Infinity): string | null {
  for (const { bytes, before } of w.decoys) {
    if (!sameBytes(bytes, before, 0, bytes.length)) return 'wrote into a decoy buffer (the one a lying `buffer` named)';
  }
  if (w.buffer === null || w.before === null) return null;
  const start = w.real.byteOffset + from;
  const end = w.real.byteOffset + to;
  const first = Math.max(lo, 0);
  const stop = Math.min(hi, w.buffer.length);
  if (sameBytes(w.buffer, w.before, first, Math.min(start, stop)) && sameBytes(w.buffer, w.before, Math.max(end, first), stop)) return null;
  for (let i = first; i < stop; i++) {
    if (i >= start && i < end) continue;
    if (w.buffer[i] !== w.before[i]) {
      const rel = i - w.real.byteOffset;
      const where = rel < 0 ? `${-rel} bytes before the view` : rel >= w.real.byteLength ? `${rel - w.real.byteLength} bytes after the view` : `byte ${rel} of the view`;
      return `wrote ${where}${to > from ? `, outside the bytes [${from}, ${to}) it had to fill` : ''}${w.pooled ? ' (in Buffer’s pool)' : ''}`;
    }
  }
  return null;
}

interface Attempt {
  threw?: unknown;
  hung?: boolean;
  returned?: unknown;
  args?: unknown[] | 'never called';
  /** A write outside the target seen right after the synchronous call (pooled buffers). */
  syncWrite?: string | null;
}

async function attempt(form: Form, c: Hostile, made: Made, w: Watch, patch: Patch | undefined, from: number, to: number): Promise<Attempt> {
  const { cb, called } = deferred();
  const result: Attempt = {};
  let undo = patch?.apply();
  try {
    const call = () => form.ours(made.view, cb);
    result.returned = c.lies ? bounded(call) : call();
  } catch (e) {
    if (e instanceof Hung) {
      result.hung = true;
      form.recover?.();
    } else {
      result.threw = e;
    }
  } finally {
    // Only the synchronous part runs patched: across event-loop turns the patches would reach the
    // test runner's own IPC (Node's internals call subarray through species). Ours fills at call time.
    undo?.();
    undo = undefined;
  }
  // A pool's other bytes may change once other code runs: compare them now.
  if (w.pooled) result.syncWrite = changedOutside(w, from, to);
  if (form.async && result.threw === undefined && !result.hung) result.args = await called;
  return result;
}

/** What the test knows of one run: where to log outputs, the ordinary request after each call. */
interface Ctx {
  log: OutputLog;
  draw: Draw;
}

/** Runs `c` through `form` (under `patch`) until its verdict is clear; returns the failures. */
async function runCase(ctx: Ctx, c: Hostile, form: Form, patch?: Patch): Promise<string[]> {
  const expected = await expectedOutcome(c, form);
  const failures: string[] = [];
  const fail = (why: string) => failures.push(`${form.name}: ${why}`);
  const accepts = form.node === undefined ? 'the SPEC expects success' : 'node:crypto (on the real view) accepts';
  /** Target bytes not yet seen written (nonzero): all of them at first. */
  let unseen: number[] | undefined;
  let values: Array<Set<number>> | undefined;
  let target = 0;
  for (let call = 0; ; call++) {
    const made = c.make();
    const real = realView(made.view);
    let [from, to] = 'ok' in expected ? form.range(real.byteLength, real.elementSize) : [0, 0];
    if (from > to || to > real.byteLength) {
      fail(`test bug: a range [${from}, ${to}) outside the ${real.byteLength}-byte view was accepted`);
      [from, to] = [0, 0];
    }
    target = to - from;
    const w = prepare(made, real, from, to);
    const a = await attempt(form, c, made, w, patch, from, to);
    const problems: string[] = [];
    const calls = made.calls?.() ?? 0;
    if (calls !== 0) problems.push(`called the caller’s own getters, methods or species ${calls} times`);
    if (a.syncWrite) problems.push(a.syncWrite);
    if (a.hung) {
      problems.push(`did not return within ${HANG_MS} ms (an endless loop over a lying length?)`);
    } else if ('threw' in expected || 'threwLike' in expected) {
      if (a.threw === undefined) {
        problems.push(`${a.args === undefined ? 'returned' : 'called back'} instead of throwing ${'threw' in expected ? JSON.stringify(expected.threw) : String(expected.threwLike.message)}`);
      } else if ('threw' in expected) {
        const shape = errorShape(a.threw);
        if (!isDeepStrictEqual(shape, expected.threw)) problems.push(`threw ${JSON.stringify(shape)}, node:crypto ${JSON.stringify(expected.threw)}`);
      } else {
        const { base, code, message } = expected.threwLike;
        const shape = errorShape(a.threw) as { base?: string; code?: unknown; message?: string };
        if (shape.base !== base || shape.code !== code || !message.test(shape.message ?? '')) {
          problems.push(`threw ${showError(a.threw)}, not a ${base} [${code}] matching ${String(message)}`);
        }
      }
      const wrote = changedOutside(w, 0, 0);
      if (wrote) problems.push(`${wrote} (and threw)`);
    } else if ('either' in expected) {
      if (a.threw !== undefined) {
        if (!(a.threw instanceof TypeError)) problems.push(`threw ${showError(a.threw)} for an out-of-bounds view (a TypeError, or 0, expected)`);
      } else if (form.gives === 'count' ? a.returned !== 0 : a.returned !== made.view) {
        problems.push(`returned ${String(a.returned)} for an out-of-bounds view`);
      }
      const wrote = changedOutside(w, 0, 0);
      if (wrote) problems.push(wrote);
    } else {
      if (a.threw !== undefined) {
        problems.push(`threw ${showError(a.threw)} where ${accepts}`);
      } else if (form.async) {
        const args = a.args!;
        if (args === 'never called') problems.push('never called back');
        else if (args.length !== 2 || args[0] !== null || args[1] !== made.view) {
          problems.push(`called back with (${args.map((x) => (x === made.view ? 'the view' : x instanceof Error ? showError(x) : String(x))).join(', ')}), not (null, the view)`);
        }
      } else if (form.gives === 'view' && a.returned !== made.view) {
        problems.push('did not return the caller’s object');
      } else if (form.gives === 'count' && a.returned !== Math.min(real.byteLength, MAX_RW_COUNT)) {
        problems.push(`returned ${String(a.returned)}, not the real byte length ${real.byteLength}`);
      }
      // A pool may change under other code across turns: after a callback, check only the view itself.
      const wrote = w.pooled ? changedOutside(w, from, to, real.byteOffset, real.byteOffset + real.byteLength) : changedOutside(w, from, to);
      if (wrote) problems.push(wrote);
      if (target > 0 && w.buffer !== null) {
        const out = new U8(real.buffer, real.byteOffset + from, target);
        if (unseen === undefined) {
          unseen = [];
          for (let i = 0; i < target; i++) if (out[i] === 0) unseen.push(i);
        } else {
          unseen = unseen.filter((i) => out[i] === 0);
        }
        if (target >= 16) {
          const evidence = notRandom(out);
          if (evidence !== null) problems.push(`output not random: ${evidence}`);
          const repeat = ctx.log.repeat(out);
          if (repeat !== null) problems.push(`output repeats earlier output: ${repeat}`);
          ctx.log.add(out);
        } else {
          values ??= Array.from({ length: target }, () => new Set<number>());
          for (let i = 0; i < target; i++) values[i]!.add(out[i]!);
        }
      }
    }
    const after = probe(ctx.draw, ctx.log);
    if (after !== null) problems.push(after);
    for (const p of problems) fail(`${p}${call > 0 ? ` (call ${call + 1})` : ''}`);
    if (problems.length > 0 || !('ok' in expected) || target === 0) break;
    if (target >= 16) {
      if (unseen!.length === 0) break;
      if (call + 1 >= LONG_CALLS) {
        fail(`${unseen!.length} of the ${target} bytes it had to fill (the first at ${unseen![0]}) were never written in ${LONG_CALLS} calls`);
        break;
      }
    } else if (call + 1 >= SHORT_CALLS) {
      const flat = values!.findIndex((s) => s.size < SHORT_DISTINCT);
      if (flat !== -1) fail(`byte ${flat} of ${target} took only ${values![flat]!.size} distinct values in ${SHORT_CALLS} calls`);
      break;
    }
  }
  return failures;
}

/** Runs every case through every form that applies; fails the test with the first failures. */
async function runAll(ctx: Ctx, cases: readonly Hostile[], forms: readonly Form[], patch?: Patch): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    for (const form of forms) {
      if (!applies(c, form)) continue;
      const f = await runCase(ctx, c, form, patch);
      failures.push(...f.map((x) => (cases.length > 1 ? `${c.label} · ${x}` : x)));
      await turn();
    }
  }
  report(failures);
}

/** Fails the test with the first failures, one a line. */
function report(failures: readonly string[]): void {
  if (failures.length > 0) expect.fail(`${failures.length} failure${failures.length === 1 ? '' : 's'}:\n  ${failures.slice(0, 30).join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------
// The suites

export interface FormSuiteOptions {
  /** The ordinary request after each hostile call: getrandom of the generator that took it. */
  draw: Draw;
  /** Which sections to run (default: all). */
  sections?: readonly Section[];
  /** Unaligned offsets to run (default: 1, 2, 3, 5, 7). */
  offsets?: readonly number[];
}

export type Section = 'subclasses' | 'own properties' | 'unaligned' | 'buffers' | 'patches';

/** Registers the hostile-input tests of `forms()` (made when the tests run). */
export function formSuite(label: string, forms: () => readonly Form[], options: FormSuiteOptions): void {
  const sections = new Set(options.sections ?? ['subclasses', 'own properties', 'unaligned', 'buffers', 'patches']);
  const ctx = (): Ctx => ({ log: new OutputLog(), draw: options.draw });
  describe(label, () => {
    afterEach(restoreAllPatches);

    const each = (title: string, cases: () => Hostile[]) =>
      describe(title, () => {
        for (const c of cases()) it(c.label, () => runAll(ctx(), [c], forms()));
      });
    if (sections.has('subclasses')) each('(1) subclasses fill the real view; their getters and methods are never called', subclassCases);
    if (sections.has('own properties')) each('(3) lying own properties are ignored: the real view is filled, nothing else', ownPropertyCases);
    if (sections.has('unaligned')) {
      describe('(4) unaligned views: every byte written, guards intact', () => {
        for (const offset of options.offsets ?? [1, 2, 3, 5, 7]) {
          for (const type of ['Uint8Array', 'Buffer', 'DataView'] as const) {
            it(`${type}s of ${UNALIGNED_LENGTHS.join(', ')} bytes at offset ${offset} (mod 8), 64 guard bytes each side`, () =>
              runAll(ctx(), unalignedCases(offset, type), forms()));
          }
        }
      });
    }
    if (sections.has('buffers')) each('(5) detached, resizable and shared buffers', bufferKindCases);
    if (sections.has('patches')) {
      describe('(2) patched species and TypedArray methods change nothing', () => {
        for (const patch of patches()) {
          it(patch.label, async () => {
            await runAll(ctx(), patchedRequestCases(patch), forms(), patch);
          });
        }
      });
    }
  });
}

/** The whole suite for the module-level functions of `lib`, on whatever backend its default generator uses. */
export function hostileSuite(lib: Lib, label: string): void {
  describe(`hostile inputs: ${label}`, () => {
    formSuite('the node:crypto drop-ins and getrandom', () => [...dropInForms(lib), getrandomForm(lib)], { draw: (out) => lib.getrandom(out) });
    derivedSuite(lib);
  });
}

/** Generator methods, and the same with the state busy, on `backend`. */
export function generatorSuite(lib: Lib, backend: Backend): void {
  let gen: Generator | undefined;
  const current = () => (gen ??= lib.createGenerator({ backend }));
  describe(`hostile inputs: createGenerator({ backend: '${backend}' })`, () => {
    afterAll(() => gen?.release());
    formSuite(
      'getrandom and fill',
      () => {
        const forms = generatorForms(current);
        return [...forms, ...forms.map((f) => busy(f, () => current().state))];
      },
      { draw: (out) => current().getrandom(out) },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// randomBytes, randomInt, randomUUID under the patches; randomUUID's options with getters

const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function derivedSuite(lib: Lib): void {
  describe('(6) randomBytes, randomInt and randomUUID under the patches', () => {
    afterEach(restoreAllPatches);
    for (const patch of patches()) {
      it(patch.label, async () => {
        const log = new OutputLog();
        const failures: string[] = [];
        const uuids: string[] = [];
        const ints: number[] = [];
        const dice: number[] = [];
        const bytes: Array<[string, unknown]> = [];
        const pendingBytes: Array<Promise<[string, unknown]>> = [];
        let undo = patch.apply();
        try {
          for (let i = 0; i < 1000; i++) {
            uuids.push(lib.randomUUID(), lib.randomUUID({ disableEntropyCache: true }));
            ints.push(lib.randomInt(0, 2 ** 48 - 1));
            dice.push(lib.randomInt(10));
          }
          uuids.push(lib.webcrypto.randomUUID());
          for (const n of [16, 4096, 65536, 1 << 20]) {
            bytes.push([`randomBytes(${n})`, lib.randomBytes(n)]);
            const { cb, called } = deferred();
            lib.randomBytes(n, cb);
            pendingBytes.push(called.then((args) => [`randomBytes(${n}, cb)`, args === 'never called' ? args : args[0] ?? args[1]]));
          }
        } catch (e) {
          failures.push(`threw ${showError(e)}`);
        } finally {
          undo();
          undo = () => {};
        }
        bytes.push(...(await Promise.all(pendingBytes)));
        const { cb, called } = deferred();
        const asyncPatch = patch.apply();
        try {
          lib.randomInt(0, 2 ** 48 - 1, cb);
        } finally {
          asyncPatch();
        }
        const asyncInt = await called;

        for (const u of uuids) if (!UUID_FORMAT.test(u)) failures.push(`malformed UUID ${u}`);
        if (new Set(uuids).size !== uuids.length) failures.push(`only ${new Set(uuids).size} distinct of ${uuids.length} UUIDs`);
        if (new Set(ints).size !== ints.length) failures.push(`randomInt(0, 2 ** 48 - 1): only ${new Set(ints).size} distinct of ${ints.length}`);
        const high = ints.filter((x) => x >= 2 ** 47).length;
        // 1000 fair coin flips: 500 ± 100 is over 6 standard deviations.
        if (ints.length > 0 && (high < 400 || high > 600)) failures.push(`randomInt(0, 2 ** 48 - 1): ${high} of 1000 in the upper half`);
        if (ints.some((x) => !Number.isInteger(x) || x < 0 || x >= 2 ** 48 - 1)) failures.push('randomInt(0, 2 ** 48 - 1) out of range');
        if (new Set(dice).size !== 10 && dice.length > 0) failures.push(`randomInt(10) took only ${new Set(dice).size} values in 1000 draws`);
        if (asyncInt === 'never called' || asyncInt[0] !== undefined || typeof asyncInt[1] !== 'number') {
          failures.push(`randomInt(0, 2 ** 48 - 1, cb) called back ${JSON.stringify(asyncInt)}`);
        }
        for (const [name, b] of bytes) {
          if (!Buffer.isBuffer(b)) {
            failures.push(`${name} gave ${b instanceof Error ? showError(b) : String(b)}, not a Buffer`);
            continue;
          }
          const n = Number(/\d+/.exec(name)![0]);
          if (get<number>(TA.byteLength, b) !== n) failures.push(`${name} has ${get<number>(TA.byteLength, b)} bytes`);
          const evidence = notRandom(b);
          if (evidence !== null) failures.push(`${name} not random: ${evidence}`);
          const repeat = log.repeat(b);
          if (repeat !== null) failures.push(`${name} repeats earlier output: ${repeat}`);
          log.add(b);
        }
        const after = probe((out) => lib.getrandom(out), log);
        if (after !== null) failures.push(after);
        report(failures);
      });
    }
  });

  describe('(6) randomUUID options with getters behave as Node’s', () => {
    /** Options objects that log what is read from them into `log`. */
    const optionCases: Array<[string, (log: string[]) => unknown]> = [
      ['a getter returning true', (log) => ({ get disableEntropyCache() { log.push('get'); return true; } })],
      ['a getter returning false', (log) => ({ get disableEntropyCache() { log.push('get'); return false; } })],
      ['a getter returning undefined', (log) => ({ get disableEntropyCache() { log.push('get'); return undefined; } })],
      ['a getter returning 1', (log) => ({ get disableEntropyCache() { log.push('get'); return 1; } })],
      ['a getter returning null', (log) => ({ get disableEntropyCache() { log.push('get'); return null; } })],
      ['a getter that throws', (log) => ({ get disableEntropyCache() { log.push('get'); throw thrown; } })],
      ['an inherited getter', (log) => Object.create({ get disableEntropyCache() { log.push('get'); return true; } })],
      [
        'a Proxy that logs every trap',
        (log) =>
          new Proxy(
            { disableEntropyCache: false },
            Object.fromEntries(
              (['get', 'has', 'getOwnPropertyDescriptor', 'ownKeys', 'getPrototypeOf', 'defineProperty', 'set'] as const).map((trap) => [
                trap,
                (...args: unknown[]) => {
                  log.push(`${trap} ${String(args[1])}`);
                  return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
                },
              ]),
            ),
          ),
      ],
      ['a Proxy of an array', (log) => new Proxy([], { get: (t, k) => (log.push(`get ${String(k)}`), Reflect.get(t, k)) })],
      ['a Proxy whose get returns a string', (log) => new Proxy({}, { get: (_t, k) => (log.push(`get ${String(k)}`), 'yes') })],
    ];
    const thrown = new Error('thrown by the getter');

    for (const [label, make] of optionCases) {
      it(`randomUUID(${label})`, () => {
        const run = (fn: (o: unknown) => unknown) => {
          const log: string[] = [];
          const options = make(log);
          // How often an error message reads `constructor` is formatting, not option handling.
          const reads = () => log.filter((entry) => !entry.endsWith(' constructor'));
          try {
            const value = fn(options);
            return { reads: reads(), value: typeof value === 'string' && UUID_FORMAT.test(value) ? 'a v4 UUID' : value };
          } catch (e) {
            return { reads: reads(), threw: e === thrown ? 'the getter’s own error' : errorShape(e) };
          }
        };
        const ours = run((o) => (lib.randomUUID as (o: unknown) => unknown)(o));
        const node = run((o) => (nodeCrypto.randomUUID as (o: unknown) => unknown)(o));
        expect(ours).toEqual(node);
        // WebCrypto's randomUUID takes no options: nothing is read from them.
        const web = run((o) => (lib.webcrypto.randomUUID as (o: unknown) => unknown)(o));
        const nodeWeb = run((o) => (globalThis.crypto.randomUUID as (o: unknown) => unknown).call(globalThis.crypto, o));
        expect(web).toEqual(nodeWeb);
      });
    }
  });
}
