// The patches of species and TypedArray methods that sections (2) and (6) run requests under:
// species that ignore where a view is or hand back fresh zero arrays, and subarray, set and fill
// that throw or do nothing. A library that used any of them would write nowhere, or throw.

import { Bytes } from '../cases/liars.js';
import { get, TA, TypedArray, TypedArrayPrototype } from '../view/intrinsics.js';
import { bufferByteLength } from '../view/real.js';
import { type Patch, patched, patchedCalled } from './patch.js';

/** The type name of a TypedArray (by its slot) and its constructor. */
function ctorOf(view: unknown): new (n: number) => Uint8Array {
  return (globalThis as unknown as Record<string, new (n: number) => Uint8Array>)[get<string>(TA.tag, view)]!;
}

/** A species constructor that ignores where the view is and returns a fresh zero array of the requested length. */
function freshSpecies(C: new (n: number) => Uint8Array) {
  return function Fresh(a: unknown, offset?: number, length?: number) {
    if (typeof a === 'number') return new C(a);
    return new C(
      length ??
        (bufferByteLength(a as ArrayBufferLike) - (offset ?? 0)) / (C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT,
    );
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

/** A getter of `C[Symbol.species]` that returns `value`. */
const speciesOf = (C: object, value: unknown): [object, PropertyKey, PropertyDescriptor] => [C, Symbol.species, { get: () => value }];
/** `proto[key]` replaced by `fn`. */
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
    patched(
      'Uint8Array.prototype.subarray throws',
      method(Uint8Array.prototype, 'subarray', () => patchedCalled('subarray')),
    ),
    patched('Uint8Array.prototype.subarray returns a fresh zero array', method(Uint8Array.prototype, 'subarray', sinkSubarray)),
    patched(
      '%TypedArray%.prototype.subarray throws',
      method(TypedArrayPrototype, 'subarray', () => patchedCalled('subarray')),
    ),
    patched('%TypedArray%.prototype.subarray returns a fresh zero array', method(TypedArrayPrototype, 'subarray', sinkSubarray)),
    patched(
      '%TypedArray%.prototype.set is a no-op',
      method(TypedArrayPrototype, 'set', () => undefined),
    ),
    patched(
      '%TypedArray%.prototype.set throws',
      method(TypedArrayPrototype, 'set', () => patchedCalled('set')),
    ),
    patched(
      'Uint8Array.prototype.set is a no-op',
      method(Uint8Array.prototype, 'set', () => undefined),
    ),
    patched(
      '%TypedArray%.prototype.fill is a no-op',
      method(TypedArrayPrototype, 'fill', function (this: unknown) {
        return this;
      }),
    ),
    patched(
      '%TypedArray%.prototype.fill throws',
      method(TypedArrayPrototype, 'fill', () => patchedCalled('fill')),
    ),
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
