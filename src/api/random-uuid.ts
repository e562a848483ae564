// node:crypto's randomUUID (RFC 9562 version 4), served by this thread's vgetrandom generator:
// its 16 bytes come from this thread's ID pool (src/core/id-pool.ts), future output of the
// generator kept in droppable memory, as Node serves it from a cache of future output; with
// `disableEntropyCache: true` they are drawn fresh from the generator, as Node draws them.

import { validateBoolean, validateObject } from '../base/errors.js';
import { stringFromCharCode, U8, U32 } from '../base/intrinsics.js';
import { defaultGenerator, defaultIdPool } from './default-generator.js';

/** A UUID string, typed as in @types/node and lib.dom. */
export type UUID = `${string}-${string}-${string}-${string}-${string}`;

/** node:crypto's randomUUID options. */
export interface RandomUUIDOptions {
  /** Draw the UUID's bytes fresh from the generator instead of the ID pool. Must be a boolean. */
  disableEntropyCache?: boolean;
}

/** The char codes of the high and of the low lower-case hex digit of every byte value. */
const HI = new Uint8Array(256);
const LO = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  HI[i] = '0123456789abcdef'.charCodeAt(i >> 4);
  LO[i] = '0123456789abcdef'.charCodeAt(i & 15);
}

/** '-' */
const DASH = 0x2d;

// The 16 bytes of the UUID being made, reused by every call and zeroed (as four words) before
// randomUUID returns or throws, so no UUID's bytes stay behind in it.
const bytes = new U8(16);
const words = new U32(bytes.buffer);

/**
 * A random version 4 UUID in lower-case hex with dashes, like node:crypto's `randomUUID`:
 * 122 random bits, the version nibble 4 and the variant bits 10. `options` must be an object if
 * given and `options.disableEntropyCache` a boolean if present (Node's errors otherwise).
 * @example randomUUID() // e.g. '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function randomUUID(options?: RandomUUIDOptions): UUID {
  let fresh = false;
  if (options !== undefined) {
    validateObject(options, 'options');
    // Destructuring, as in Node: the default replaces `undefined` only, so `null` is rejected.
    const { disableEntropyCache = false } = options;
    validateBoolean(disableEntropyCache, 'options.disableEntropyCache');
    fresh = disableEntropyCache;
  }
  try {
    // A pool that fails its final check has zeroed what it copied: the bytes are drawn fresh.
    // 16 bytes never reach MAX_RW_COUNT: getrandom fills them all or throws.
    if (fresh || !defaultIdPool()?.take16(words)) defaultGenerator().getrandom(bytes);
    return format(bytes);
  } finally {
    words[0] = 0;
    words[1] = 0;
    words[2] = 0;
    words[3] = 0;
  }
}

/**
 * The UUID of 16 bytes, with the version and variant bits set: one string made at once from its
 * 36 char codes (several times faster in V8 than joining 16 two-digit strings).
 */
// biome-ignore format: the 36 char codes laid out as the UUID reads: one group a line
function format(b: Uint8Array): UUID {
  const b0 = b[0]!, b1 = b[1]!, b2 = b[2]!, b3 = b[3]!, b4 = b[4]!, b5 = b[5]!, b7 = b[7]!, b9 = b[9]!;
  const b6 = (b[6]! & 0x0f) | 0x40; // version 4
  const b8 = (b[8]! & 0x3f) | 0x80; // variant 10
  const b10 = b[10]!, b11 = b[11]!, b12 = b[12]!, b13 = b[13]!, b14 = b[14]!, b15 = b[15]!;
  return stringFromCharCode(
    HI[b0]!, LO[b0]!, HI[b1]!, LO[b1]!, HI[b2]!, LO[b2]!, HI[b3]!, LO[b3]!, DASH,
    HI[b4]!, LO[b4]!, HI[b5]!, LO[b5]!, DASH,
    HI[b6]!, LO[b6]!, HI[b7]!, LO[b7]!, DASH,
    HI[b8]!, LO[b8]!, HI[b9]!, LO[b9]!, DASH,
    HI[b10]!, LO[b10]!, HI[b11]!, LO[b11]!, HI[b12]!, LO[b12]!, HI[b13]!, LO[b13]!, HI[b14]!, LO[b14]!, HI[b15]!, LO[b15]!,
  ) as UUID;
}
