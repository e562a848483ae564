// Section (5) of the suite: views of detached, resizable, growable shared and shared buffers.

import { Buffer } from 'node:buffer';
import { type GrowableSharedArrayBuffer, growable, type ResizableArrayBuffer, resizable } from '../../../helpers/resizable.js';
import { detachedView } from '../view/real.js';
import type { Hostile } from './hostile.js';
import { counter, lyingSubclass, PlainSubclass, withOwn } from './liars.js';

/** (5) Detached, resizable, growable shared and shared buffers. */
export function bufferKindCases(): Hostile[] {
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
  const sab = (label: string, make: () => ArrayBufferView) =>
    cases.push({ label: `${label} over a SharedArrayBuffer`, make: () => ({ view: make() }) });
  sab('a 100-byte Uint8Array at offset 5', () => new Uint8Array(new SharedArrayBuffer(4096), 5, 100));
  sab('a 65536-byte Uint8Array', () => new Uint8Array(new SharedArrayBuffer(65536)));
  sab('a Uint32Array(16) at offset 8', () => new Uint32Array(new SharedArrayBuffer(128), 8, 16));
  sab('a 100-byte DataView at offset 3', () => new DataView(new SharedArrayBuffer(200), 3, 100));
  sab('a 50-byte Buffer at offset 1', () => Buffer.from(new SharedArrayBuffer(128), 1, 50));
  sab('a 4096-byte subclass at offset 7', () => new PlainSubclass(new SharedArrayBuffer(4200) as unknown as ArrayBuffer, 7, 4096));
  return cases;
}
