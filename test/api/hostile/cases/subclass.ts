// Section (1) of the suite: subclasses fill the real view, and their getters, methods and
// species are never called.

import { patchedCalled } from '../realm/patch.js';
import { get, TA } from '../view/intrinsics.js';
import { bufferByteLength } from '../view/real.js';
import type { Hostile } from './hostile.js';
import { Bytes, counter, type Lies, lyingSubclass, PlainSubclass } from './liars.js';

/** The real byte length of `v`, whatever it claims. */
const realLength = (v: ArrayBufferView) => get<number>(TA.byteLength, v);

/** (1) Subclasses: of Uint8Array, with and without constructors, lying getters, own methods; and of other TypedArrays. */
export function subclassCases(): Hostile[] {
  const cases: Hostile[] = [];
  for (const n of [1, 15, 16, 64, 97, 256, 4096, 65536, 1 << 20]) {
    cases.push({
      label: `Bytes(${n}), whose species ignores (buffer, offset, length)`,
      wholeOnly: n > 65536,
      make: () => ({ view: new Bytes(n) }),
    });
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
        Object.defineProperty(Methods, Symbol.species, {
          get: () => {
            hit();
            return Bytes;
          },
        });
        for (const name of ['subarray', 'set', 'fill'] as const) {
          Object.defineProperty(Methods.prototype, name, {
            value: () => {
              hit();
              return patchedCalled(`the caller’s ${name}`);
            },
            writable: true,
            configurable: true,
          });
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
      () =>
        Object.fromEntries(
          (['length', 'byteLength', 'byteOffset', 'buffer'] as const).map((k) => [k, () => patchedCalled(`the caller’s ${k} getter`)]),
        ),
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
      // The lie: a length far beyond the view, counted when read.
      const huge = (): number => {
        hit();
        return 1e6;
      };
      const proto = Object.create(Uint8Array.prototype, {
        byteLength: { get: huge },
        length: { get: huge },
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
