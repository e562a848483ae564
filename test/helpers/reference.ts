// Independent references for the tests: ChaCha20 keystreams from @noble/ciphers and OpenSSL,
// a deterministic entropy stream, and the kernel's vgetrandom algorithm written out plainly
// (design.md §2) on top of noble's ChaCha20, so that known answers never come from our core.

import { createCipheriv } from 'node:crypto';
import { chacha20orig } from '@noble/ciphers/chacha.js';

const ZERO_NONCE = new Uint8Array(8);

/** `len` keystream bytes of DJB ChaCha20 (zero nonce) from block `counter` (< 2^32), by noble. */
export function nobleKeystream(key: Uint8Array, counter: number, len: number): Uint8Array {
  return chacha20orig(key, ZERO_NONCE, new Uint8Array(len), undefined, counter);
}

/** The same keystream by OpenSSL, for any 64-bit counter (it carries from word 12 into 13). */
export function opensslKeystream(key: Uint8Array, counter: bigint, len: number): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64LE(counter, 0);
  return new Uint8Array(createCipheriv('chacha20', key, iv).update(Buffer.alloc(len)));
}

/**
 * A deterministic stand-in for the OS: the keystream of a seed key, handed out in order.
 * Two streams with the same seed give the generator and the model the same entropy.
 */
export function entropyStream(seed: number): { entropy: (buf: Uint8Array) => void; used: () => number } {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setUint32(0, seed, true);
  key[31] = 0xe5; // never the zero key
  let offset = 0;
  return {
    entropy(buf) {
      // Keystream bytes [offset, offset + len): recompute from the containing block.
      const first = Math.floor(offset / 64);
      const skip = offset - first * 64;
      buf.set(nobleKeystream(key, first, skip + buf.length).subarray(skip));
      offset += buf.length;
    },
    used: () => offset,
  };
}

/**
 * The kernel algorithm with no drops, written as plainly as design.md §2 states it. `rekey`
 * says that the generation changed since the last call: the next call that has bytes to
 * produce fetches a key first (a zero-length call returns before looking).
 */
export class KernelModel {
  #key = new Uint8Array(32);
  #batch = new Uint8Array(96);
  #pos = 96;
  #rekeyDue = false;
  readonly #entropy: (buf: Uint8Array) => void;

  constructor(entropy: (buf: Uint8Array) => void) {
    this.#entropy = entropy;
  }

  getrandom(len: number, rekey = false): Uint8Array {
    const out = new Uint8Array(len);
    if (rekey) this.#rekeyDue = true;
    if (len === 0) return out;
    if (this.#rekeyDue) {
      this.#rekeyDue = false;
      this.#entropy(this.#key);
      this.#pos = 96;
    }
    let counter = 0;
    let p = 0;
    for (;;) {
      const take = Math.min(96 - this.#pos, len - p);
      out.set(this.#batch.subarray(this.#pos, this.#pos + take), p);
      this.#batch.fill(0, this.#pos, this.#pos + take);
      this.#pos += take;
      p += take;
      if (p === len) return out;
      const nblocks = Math.floor((len - p) / 64);
      out.set(nobleKeystream(this.#key, counter, nblocks * 64), p);
      counter += nblocks;
      p += nblocks * 64;
      const refill = nobleKeystream(this.#key, counter, 128);
      counter += 2;
      this.#batch = refill.slice(0, 96);
      this.#key = refill.slice(96);
      this.#pos = 0;
    }
  }
}
