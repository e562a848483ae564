// What randomUUID() and randomInt() take from this thread's ID pool, counted in calls of the
// default generator (each pool fill is one call of 4032 bytes): run in the test's own process on
// its default backend, and by child.ts in one without the addon. Returns the counts.

import { allocatorFor } from '../../../src/arena/backends.js';
import { NativeAllocator } from '../../../src/arena/native-allocator.js';
import { SharedStateAllocator } from '../../../src/arena/shared-state-allocator.js';
import { getRandomValues, getrandom, info, randomBytes, randomFillSync, randomInt, randomUUID, reseed, stats } from '../../../src/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Drops every droppable page of the default arena: states and the pool (in its own mm, simulated). */
function dropAll(): void {
  const allocator = allocatorFor({});
  if (allocator instanceof NativeAllocator) {
    allocator.binding.pageoutAll();
  } else if (allocator instanceof SharedStateAllocator) {
    allocator.mm.reclaim();
    allocator.idPoolMm!.reclaim();
  } else {
    throw new Error('no droppable default arena');
  }
}

/** Generator calls made by `f`. */
function callsOf(f: () => void): number {
  const before = stats().calls;
  f();
  return stats().calls - before;
}

const times = (n: number, f: () => unknown) => () => {
  for (let i = 0; i < n; i++) f();
};

export function scenario() {
  const uuids: string[] = [];
  // After a reseed the pool refills at its next take; then a fill serves 4032 / 16 UUIDs.
  reseed();
  const uuidFill = callsOf(times(252, () => uuids.push(randomUUID())));
  const uuidRefill = callsOf(() => uuids.push(randomUUID()));
  const fresh = callsOf(times(10, () => uuids.push(randomUUID({ disableEntropyCache: true }))));
  // The byte sources draw from the generator, never from the pool: it still holds 251 UUIDs.
  const byteSources = callsOf(() => {
    getrandom(new Uint8Array(16));
    randomBytes(16);
    randomFillSync(new Uint8Array(16));
    getRandomValues(new Uint8Array(16));
  });
  const poolLeft = callsOf(times(251, () => uuids.push(randomUUID())));
  // 4032 / 6 draws of randomInt per fill (rejection is 1 in 10^12 for 1000).
  reseed();
  const ints: number[] = [];
  const intFill = callsOf(times(672, () => ints.push(randomInt(1000))));
  const intRefill = callsOf(() => ints.push(randomInt(10, 20)));
  // A drop of the arena takes the pool with it: the next UUID refills it (the state rekeys).
  const rekeys = stats().rekeys;
  dropAll();
  const afterDrop = callsOf(() => uuids.push(randomUUID()));
  return {
    backend: info().backend,
    uuidFill,
    uuidRefill,
    fresh,
    byteSources,
    poolLeft,
    intFill,
    intRefill,
    afterDrop,
    rekeysAfterDrop: stats().rekeys - rekeys,
    allUuidsValid: uuids.every((u) => UUID.test(u)),
    distinctUuids: new Set(uuids).size === uuids.length,
    intsInRange: ints.slice(0, 672).every((n) => Number.isInteger(n) && n >= 0 && n < 1000) && ints[672]! >= 10 && ints[672]! < 20,
  };
}
