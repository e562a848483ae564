// The syscall path as the algorithm sees it: getrandom(2)'s flags, the most one call fills, and the
// shape of the function every failure falls back to. Which function that is (the addon's
// getrandom(2), node:crypto, a caller's entropy) is the platform's (src/platform/syscall-path.ts).

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
/**
 * The syscall path: fills `buf` (up to MAX_RW_COUNT bytes) with fresh OS entropy and returns
 * the count, or throws a system error, like getrandom(2). It never keeps a reference to `buf`.
 * `buf` may be a caller's Uint8Array (a subclass, with lying own properties): its length is read
 * and its sub-views are made through src/base/views.ts only, and no method of it is called.
 */
export type SyscallPath = (buf: Uint8Array, flags: number) => number;
