// The ChaCha20 core against RFC 8439, @noble/ciphers and OpenSSL.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chacha20Blocks } from '../../src/core/chacha20.js';
import { nobleKeystream, opensslKeystream } from '../helpers/reference.js';
import rfc from './vectors/rfc8439-a1.json' with { type: 'json' };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const keyWords = (key: Uint8Array) => new Uint32Array(new Uint8Array(key).buffer);

/** Our blocks as bytes. */
function ours(key: Uint8Array, counter: number, nblocks: number): Uint8Array {
  const out = new Uint32Array(nblocks * 16);
  chacha20Blocks(out, 0, keyWords(key), 0, counter, nblocks);
  return new Uint8Array(out.buffer);
}

describe('chacha20Blocks', () => {
  it.each(rfc.vectors)('matches RFC 8439 $name', ({ key, counter, block }) => {
    expect(hex(ours(Buffer.from(key, 'hex'), counter, 1))).toBe(block);
  });

  it('matches @noble/ciphers chacha20orig for 1000 random keys and counters', () => {
    for (let i = 0; i < 1000; i++) {
      const key = new Uint8Array(randomBytes(32));
      const counter = randomBytes(4).readUInt32LE() % (2 ** 32 - 8);
      const nblocks = 1 + (i % 4);
      expect(hex(ours(key, counter, nblocks))).toBe(hex(nobleKeystream(key, counter, nblocks * 64)));
    }
  });

  it('gives the same 128 blocks however the run is split into two calls', () => {
    const key = new Uint8Array(randomBytes(32));
    const whole = hex(nobleKeystream(key, 0, 128 * 64));
    const kw = keyWords(key);
    for (let split = 0; split <= 128; split++) {
      const out = new Uint32Array(128 * 16);
      chacha20Blocks(out, 0, kw, 0, 0, split);
      chacha20Blocks(out, split * 16, kw, 0, split, 128 - split);
      expect(hex(new Uint8Array(out.buffer)), `split at ${split}`).toBe(whole);
    }
  });

  it('carries the block counter from word 12 into word 13', () => {
    const key = new Uint8Array(randomBytes(32));
    for (const start of [2 ** 32 - 2, 2 ** 33 - 1, 5 * 2 ** 32 + 7]) {
      const expected = opensslKeystream(key, BigInt(start), 4 * 64);
      expect(hex(ours(key, start, 4)), `from ${start}`).toBe(hex(expected));
    }
    // Below the carry, OpenSSL and noble agree: the two references are the same function.
    expect(hex(opensslKeystream(key, 77n, 128))).toBe(hex(nobleKeystream(key, 77, 128)));
  });

  it('reads the whole key before writing output over it (the batch refill)', () => {
    const key = new Uint8Array(randomBytes(32));
    const batchKey = new Uint32Array(32); // two blocks: batch (24 words) ∥ key (8 words)
    batchKey.set(keyWords(key), 24);
    chacha20Blocks(batchKey, 0, batchKey, 24, 9, 2);
    expect(hex(new Uint8Array(batchKey.buffer))).toBe(hex(nobleKeystream(key, 9, 128)));
  });

  it('writes at a word offset and leaves the rest of the buffer alone', () => {
    const key = new Uint8Array(randomBytes(32));
    const out = new Uint32Array(16 * 3).fill(0xdeadbeef);
    chacha20Blocks(out, 16, keyWords(key), 0, 3, 1);
    expect(out.subarray(0, 16).every((w) => w === 0xdeadbeef)).toBe(true);
    expect(out.subarray(32).every((w) => w === 0xdeadbeef)).toBe(true);
    expect(hex(new Uint8Array(out.buffer, 64, 64))).toBe(hex(nobleKeystream(key, 3, 64)));
  });
});
