// Section (2) of the suite: the plain requests run under each patch of ../realm/patches.ts.

import { Buffer } from 'node:buffer';
import type { Patch } from '../realm/patch.js';
import type { Hostile } from './hostile.js';

/**
 * (2) The plain requests run under every patch; 1 MiB only under species patches (a patched
 * prototype deoptimizes the generator on every call, which makes a MiB slow to produce).
 */
export function patchedRequestCases(patch: Patch): Hostile[] {
  const big: Hostile[] = patch.species
    ? [{ label: 'new Uint8Array(1 << 20)', wholeOnly: true, make: () => ({ view: new Uint8Array(1 << 20) }) }]
    : [];
  return [
    { label: 'new Uint8Array(4096)', make: () => ({ view: new Uint8Array(4096) }) },
    { label: 'new Uint8Array(65536)', wholeOnly: true, make: () => ({ view: new Uint8Array(65536) }) },
    ...big,
    { label: 'a 4096-byte Uint8Array at offset 3', make: () => ({ view: new Uint8Array(new ArrayBuffer(4096 + 67), 3, 4096) }) },
    { label: 'Buffer.alloc(4096)', wholeOnly: true, make: () => ({ view: Buffer.alloc(4096) }) },
    { label: 'new Uint32Array(1024)', make: () => ({ view: new Uint32Array(1024) }) },
    {
      label: 'a 4096-byte DataView at offset 1',
      kinds: ['randomFillSync', 'getrandom', 'fill'],
      make: () => ({ view: new DataView(new ArrayBuffer(4096 + 65), 1, 4096) }),
    },
  ];
}
