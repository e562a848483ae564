// node:crypto's randomUUID (RFC 9562 version 4), served by this thread's vgetrandom generator.
// Every UUID draws 16 fresh bytes: there is no entropy cache to disable (the generator makes
// small requests cheap), so `disableEntropyCache` is validated as Node does and otherwise moot.

import { defaultGenerator } from './default.js';
import { validateBoolean, validateObject } from './errors.js';

/** A UUID string, typed as in @types/node and lib.dom. */
export type UUID = `${string}-${string}-${string}-${string}-${string}`;

/** node:crypto's randomUUID options. */
export interface RandomUUIDOptions {
  /** Accepted for compatibility: every UUID is drawn fresh either way. Must be a boolean. */
  disableEntropyCache?: boolean;
}

/** Two lower-case hex digits for every byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Stands in for missing options, as Node's kEmptyObject does, without an allocation. */
const NO_OPTIONS: RandomUUIDOptions = Object.freeze({});

// The 16 bytes of the UUID being made, reused by every call and zeroed before randomUUID
// returns or throws, so no UUID's bytes stay behind in it.
const bytes = new Uint8Array(16);

/**
 * A random version 4 UUID in lower-case hex with dashes, like node:crypto's `randomUUID`:
 * 122 random bits, the version nibble 4 and the variant bits 10. `options` must be an object if
 * given and `options.disableEntropyCache` a boolean if present (Node's errors otherwise).
 * @example randomUUID() // e.g. '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function randomUUID(options?: RandomUUIDOptions): UUID {
  if (options !== undefined) validateObject(options, 'options');
  // Destructuring, as in Node: the default replaces `undefined` only, so `null` is rejected.
  const { disableEntropyCache = false } = options ?? NO_OPTIONS;
  validateBoolean(disableEntropyCache, 'options.disableEntropyCache');

  try {
    const b = defaultGenerator().fill(bytes);
    return `${HEX[b[0]]}${HEX[b[1]]}${HEX[b[2]]}${HEX[b[3]]}-${HEX[b[4]]}${HEX[b[5]]}-${
      HEX[(b[6] & 0x0f) | 0x40]}${HEX[b[7]]}-${HEX[(b[8] & 0x3f) | 0x80]}${HEX[b[9]]}-${
      HEX[b[10]]}${HEX[b[11]]}${HEX[b[12]]}${HEX[b[13]]}${HEX[b[14]]}${HEX[b[15]]}` as UUID;
  } finally {
    bytes.fill(0);
  }
}
