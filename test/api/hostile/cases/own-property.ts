// Section (3) of the suite: lying own properties are ignored, the real view is filled and
// nothing else.

import { Buffer } from 'node:buffer';
import type { Hostile, Made } from './hostile.js';
import { type LieKey, withOwn } from './liars.js';

/** (3) Lying own properties on plain Uint8Arrays, Buffers (pooled ones too), Uint32Arrays and DataViews. */
export function ownPropertyCases(): Hostile[] {
  const cases: Hostile[] = [];
  const add = (label: string, make: () => Made) => cases.push({ label, make, lies: true });
  const u8 = (size: number, at: number, n: number) => new Uint8Array(new ArrayBuffer(size), at, n);
  add('own length 200 on a 16-byte view at offset 0 of a 4 KiB buffer', () => ({ view: withOwn(u8(4096, 0, 16), { length: 200 }) }));
  add('own length 0 on a 32-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(32), { length: 0 }) }));
  add('own length 0x7ffff001 on a 64-byte view at offset 64', () => ({ view: withOwn(u8(192, 64, 64), { length: 0x7ffff001 }) }));
  add('own length 8 on a 64-byte view at offset 5', () => ({ view: withOwn(u8(133, 5, 64), { length: 8 }) }));
  add('own byteLength 200 on a 16-byte view at offset 0 of a 4 KiB buffer', () => ({
    view: withOwn(u8(4096, 0, 16), { byteLength: 200 }),
  }));
  add('own byteLength 0 on a 32-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(32), { byteLength: 0 }) }));
  add('own byteLength 0x7ffff001 on a 64-byte view at offset 64', () => ({ view: withOwn(u8(192, 64, 64), { byteLength: 0x7ffff001 }) }));
  add('own byteLength 1e6 on a 16-byte Uint8Array', () => ({ view: withOwn(u8(80, 0, 16), { byteLength: 1e6 }) }));
  add('own byteLength 8 on a 64-byte view at offset 3', () => ({ view: withOwn(u8(131, 3, 64), { byteLength: 8 }) }));
  add('own byteLength 16 on a 65537-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(65537), { byteLength: 16 }) }));
  add('own length 16 on a 65537-byte Uint8Array', () => ({ view: withOwn(new Uint8Array(65537), { length: 16 }) }));
  add('own length and byteLength 0x7ffff001 on a 64-byte view at offset 64', () => ({
    view: withOwn(u8(192, 64, 64), { length: 0x7ffff001, byteLength: 0x7ffff001 }),
  }));
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
  add('own byteLength 1000 on a 16-byte DataView at offset 3', () => ({
    view: withOwn(new DataView(new ArrayBuffer(64), 3, 16), { byteLength: 1000 }),
  }));
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
