// The syscall path: where keys and fallback bytes come from. It is getrandom(2) itself through
// the native addon where that is built, else the OS CSPRNG through `crypto.getRandomValues`,
// or a caller's `entropy` callback for tests and known answers. All behave like getrandom(2):
// flags outside GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE, or GRND_RANDOM together with
// GRND_INSECURE, fail with EINVAL; at most MAX_RW_COUNT bytes are filled; the count is returned.

import { webcrypto } from 'node:crypto';
import { systemError } from './errors.js';
import { loadNative } from './native/binding.js';

/** getrandom(2) flag: fail with EAGAIN instead of blocking before the CRNG is ready. */
export const GRND_NONBLOCK = 0x1;
/** getrandom(2) flag: draw from the (historical) blocking pool. */
export const GRND_RANDOM = 0x2;
/** getrandom(2) flag: never block, even before the CRNG is ready. */
export const GRND_INSECURE = 0x4;
/** Every flag getrandom(2) knows; any other bit is EINVAL. */
export const GRND_KNOWN = GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE;
/** The kernel's MAX_RW_COUNT (INT_MAX & PAGE_MASK): the most one read or getrandom returns. */
export const MAX_RW_COUNT = 0x7ffff000;
/** The most `crypto.getRandomValues` fills in one call (WebCrypto's quota). */
const WEBCRYPTO_QUOTA = 65536;

/**
 * The syscall path: fills `buf` (up to MAX_RW_COUNT bytes) with fresh OS entropy and returns
 * the count, or throws a system error, like getrandom(2). It never keeps a reference to `buf`.
 */
export type SyscallPath = (buf: Uint8Array, flags: number) => number;

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

/** The OS CSPRNG through WebCrypto, in chunks of at most 65536 bytes. */
const webcryptoSyscall: SyscallPath = (buf, flags) => {
  checkFlags(flags);
  const n = Math.min(buf.byteLength, MAX_RW_COUNT);
  for (let off = 0; off < n; off += WEBCRYPTO_QUOTA) {
    webcrypto.getRandomValues(buf.subarray(off, Math.min(off + WEBCRYPTO_QUOTA, n)));
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
    if (binding === null) return webcryptoSyscall;
    os = (buf, flags) => binding.getrandom(buf.byteLength > MAX_RW_COUNT ? buf.subarray(0, MAX_RW_COUNT) : buf, flags);
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
    const n = Math.min(buf.byteLength, MAX_RW_COUNT);
    const tmp = new Uint8Array(n);
    try {
      entropy(tmp);
      buf.set(tmp);
    } finally {
      tmp.fill(0);
    }
    return n;
  };
}
