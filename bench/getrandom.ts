// Quick comparison: getrandom() of 16 bytes beside crypto.getRandomValues, and the ChaCha20
// core's keystream rate beside @noble/ciphers, in one process, interleaved, as medians and
// ratios. Run: npm run bench

import { webcrypto } from 'node:crypto';
import os from 'node:os';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { chacha20Blocks } from '../src/chacha20.js';
import { createGenerator } from '../src/index.js';

const ROUNDS = 15;

/** ns per call of `fn`, timed over `calls` calls. */
function time(fn: () => void, calls: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - start) / calls;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Runs every case once per round, in turn, and returns the median ns/call of each. */
function compare(cases: Record<string, { fn: () => void; calls: number }>): Record<string, { ns: number; spread: number }> {
  const samples: Record<string, number[]> = {};
  for (const [name, c] of Object.entries(cases)) {
    time(c.fn, c.calls); // warm-up
    samples[name] = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, c] of Object.entries(cases)) samples[name]!.push(time(c.fn, c.calls));
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, xs]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const spread = (sorted[Math.floor(xs.length * 0.75)]! - sorted[Math.floor(xs.length * 0.25)]!) / median(xs);
      return [name, { ns: median(xs), spread }];
    }),
  );
}

function check(name: string, ok: boolean): void {
  if (!ok) throw new Error(`cross-check failed: ${name}`);
}

// Small requests: one generator against WebCrypto, 16 bytes per call.
const gen = createGenerator();
const small = new Uint8Array(16);
check('getrandom 16', gen.getrandom(small) === 16 && small.some((b) => b !== 0));
check('getRandomValues 16', webcrypto.getRandomValues(small).length === 16);
const smallResults = compare({
  'vgetrandom getrandom': { fn: () => gen.getrandom(small), calls: 200_000 },
  'crypto.getRandomValues': { fn: () => webcrypto.getRandomValues(small), calls: 5_000 },
});

// Keystream: 1 MiB from the core against noble's chacha20orig (zero data, so it is keystream).
const MIB = 1 << 20;
const key = webcrypto.getRandomValues(new Uint8Array(32));
const key32 = new Uint32Array(key.buffer);
const out32 = new Uint32Array(MIB / 4);
const outNoble = new Uint8Array(MIB);
const zeros = new Uint8Array(MIB);
const nonce = new Uint8Array(8);
chacha20Blocks(out32, 0, key32, 0, 0, MIB / 64);
chacha20orig(key, nonce, zeros, outNoble);
check('chacha20 1 MiB', Buffer.from(out32.buffer).equals(Buffer.from(outNoble)));
const streamResults = compare({
  'vgetrandom chacha20Blocks': { fn: () => chacha20Blocks(out32, 0, key32, 0, 0, MIB / 64), calls: 4 },
  '@noble/ciphers chacha20orig': { fn: () => chacha20orig(key, nonce, zeros, outNoble), calls: 4 },
});

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`Node ${process.version}, ${os.cpus().length} × ${cpu}, ${os.type()} ${os.release()}; medians of ${ROUNDS} interleaved rounds\n`);
const base = smallResults['crypto.getRandomValues']!.ns;
console.log('16-byte requests                 ns/op   ±IQR   vs crypto.getRandomValues');
for (const [name, r] of Object.entries(smallResults)) {
  console.log(`  ${name.padEnd(28)} ${r.ns.toFixed(1).padStart(8)} ${(r.spread * 100).toFixed(0).padStart(4)}%   ${(base / r.ns).toFixed(1)}× faster`);
}
const nobleRate = MIB / streamResults['@noble/ciphers chacha20orig']!.ns;
console.log('\n1 MiB of ChaCha20 keystream       GB/s   ±IQR   vs @noble/ciphers');
for (const [name, r] of Object.entries(streamResults)) {
  const rate = MIB / r.ns;
  console.log(`  ${name.padEnd(28)} ${rate.toFixed(3).padStart(8)} ${(r.spread * 100).toFixed(0).padStart(4)}%   ${(rate / nobleRate).toFixed(2)}×`);
}
