// The startup-snapshot entry script of test/platform/snapshot.test.ts, bundled with the library by esbuild
// (an entry script may only require built-in modules). While the snapshot is built it draws from
// every public random function and prints the draws as one JSON line; every process started
// from the snapshot prints the state of the generators made while building, then draws again.

import { Buffer } from 'node:buffer';
import { startupSnapshot } from 'node:v8';
import { GENERATION_OFFSET, IN_USE_OFFSET } from '../../../src/core/state.js';
import * as vg from '../../../src/index.js';

const hex = (view: ArrayBufferView): string => Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');

// Made while building, used in every restored process: one on the process generation, one with
// a clock of its own (so a Generation of its own).
const own = vg.createGenerator();
const clocked = vg.createGenerator({ clock: () => performance.now() });

/** 16 bytes (or their equivalent) from every public function. */
function draw(): Record<string, string | number> {
  const buf = new Uint8Array(16);
  vg.getrandom(buf);
  return {
    getrandom: hex(buf),
    getRandomValues: hex(vg.getRandomValues(new Uint32Array(4))),
    randomBytes: vg.randomBytes(16).toString('hex'),
    randomFillSync: hex(vg.randomFillSync(new Uint8Array(16))),
    randomInt: vg.randomInt(0xffff_ffff_ffff),
    randomUUID: vg.randomUUID(),
    webcrypto: hex(vg.webcrypto.getRandomValues(new Uint8Array(16))),
    generator: hex(own.fill(new Uint8Array(16))),
    clockedGenerator: hex(clocked.fill(new Uint8Array(16))),
  };
}

/** A state's u64 generation (host order), as a number. */
function generationOf(state: Uint8Array): number {
  const [lo, hi] = new Uint32Array(state.buffer, state.byteOffset + GENERATION_OFFSET, 2);
  return lo! + hi! * 2 ** 32;
}

/**
 * The default backend and how many states its arena holds, and the states, generations and
 * counters of the build-time generators.
 */
function where() {
  const { backend, reason, arena } = vg.info();
  return {
    backend,
    reason,
    arenaInUse: arena.statesInUse,
    inUse: [own.state[IN_USE_OFFSET], clocked.state[IN_USE_OFFSET]],
    generation: [generationOf(own.state), generationOf(clocked.state)],
    zeroed: [own.state.every((b) => b === 0), clocked.state.every((b) => b === 0)],
    stats: [own.stats(), clocked.stats()],
  };
}

console.log(JSON.stringify({ draws: draw(), ...where() }));

startupSnapshot.setDeserializeMainFunction(() => {
  // This copy of the library is bundled into the entry script, away from its package: the
  // application names the package whose addon it may load (the test runs in the repository).
  vg.useAddonDirectory(process.cwd());
  const restored = where();
  console.log(JSON.stringify({ ...restored, draws: draw(), after: where() }));
});
