// The syscall path: where keys and fallback bytes come from. It is getrandom(2) itself through
// the native addon where that is built, else the OS CSPRNG through node:crypto's
// `randomFillSync`, or a caller's `entropy` callback for tests and known answers. All behave like getrandom(2):
// flags outside GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE, or GRND_RANDOM together with
// GRND_INSECURE, fail with EINVAL; at most MAX_RW_COUNT bytes are filled; the count is returned.

import { systemError } from '../base/errors.js';
import { defineProperty, U8 } from '../base/intrinsics.js';
import { nodeRandom } from '../base/node-random.js';
import { byteLengthOf, bytesAt, copyBytes, wipe } from '../base/views.js';
import { GRND_INSECURE, GRND_KNOWN, GRND_RANDOM, MAX_RW_COUNT, type SyscallPath } from '../core/syscall.js';
import { loadNative } from './addon/binding.js';

/** A caller-supplied entropy source: fills the whole of `buf`, or throws. */
export type EntropySource = (buf: Uint8Array) => void;

/** getrandom(2)'s flag rules: unknown bits and GRND_RANDOM|GRND_INSECURE are EINVAL. */
function checkFlags(flags: number): void {
  if ((flags & ~GRND_KNOWN) !== 0) {
    throw systemError('EINVAL', 'getrandom', `unknown flags 0x${(flags >>> 0).toString(16)}`);
  }
  if ((flags & (GRND_RANDOM | GRND_INSECURE)) === (GRND_RANDOM | GRND_INSECURE)) {
    throw systemError('EINVAL', 'getrandom', 'GRND_RANDOM and GRND_INSECURE together');
  }
}

// Node's own, captured once per process (src/base/node-random.ts): a later patch of node:crypto
// (ours included, by vgetrandom/register) must not make the syscall path call back into a
// generator, or into anyone else's code.
const osRandomFill = nodeRandom.randomFillSync;

/** min(byteLength, MAX_RW_COUNT): what one getrandom(2) fills of `buf`. */
function countOf(buf: Uint8Array): number {
  const len = byteLengthOf(buf);
  return len < MAX_RW_COUNT ? len : MAX_RW_COUNT;
}

/**
 * The OS CSPRNG through node:crypto's randomFillSync (OpenSSL's RAND_bytes, seeded by the OS).
 * Not WebCrypto's getRandomValues: it has a 64 KiB quota, and Node 26's rejects views of a
 * SharedArrayBuffer, which is where the simulated arena's states live.
 *
 * node:crypto is code outside this library: it reads `byteLength` from the object it is given,
 * which a `byteLength` getter patched onto %TypedArray%.prototype would answer (with 0: nothing
 * filled, and zeros reported as entropy). So it fills a private buffer that carries its true
 * byte length as an own, fixed property, never a view of the caller's or of a state; the bytes
 * are copied out and the buffer zeroed.
 */
const nodeSyscall: SyscallPath = (buf, flags) => {
  checkFlags(flags);
  const n = countOf(buf);
  if (n === 0) return 0;
  const tmp = new U8(n);
  defineProperty(tmp, 'byteLength', { value: n });
  try {
    osRandomFill(tmp);
    copyBytes(buf, tmp);
  } finally {
    wipe(tmp);
  }
  return n;
};

let os: SyscallPath | undefined;

/**
 * The OS's syscall path: getrandom(2) through the addon (the kernel checks the flags), else WebCrypto.
 * Only the addon's path is cached: while a startup snapshot is built there is no addon, but a
 * process restored from it may load one.
 */
export function osSyscall(): SyscallPath {
  if (os === undefined) {
    const { binding } = loadNative();
    if (binding === null) return nodeSyscall;
    // The addon reads the view's memory and length from its internal slots (napi).
    os = (buf, flags) => binding.getrandom(byteLengthOf(buf) > MAX_RW_COUNT ? bytesAt(buf, 0, MAX_RW_COUNT) : buf, flags);
  }
  return os;
}

/**
 * A syscall path over a caller's entropy callback. The callback fills a private temporary that
 * is copied out and zeroed, so it never holds a view of a generator's state or output.
 */
export function syscallFromEntropy(entropy: EntropySource): SyscallPath {
  return (buf, flags) => {
    checkFlags(flags);
    const n = countOf(buf);
    const tmp = new U8(n);
    try {
      entropy(tmp);
      copyBytes(buf, tmp);
    } finally {
      wipe(tmp);
    }
    return n;
  };
}
