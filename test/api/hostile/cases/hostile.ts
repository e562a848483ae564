// What a hostile case is: an input made fresh for every call, with what it lies about and which
// entry points it applies to.

import type { Kind } from '../forms/form.js';

/** One input, fresh from make(). */
export interface Made {
  view: ArrayBufferView;
  /** Buffers a lying `buffer` points at: never to be written. */
  decoys?: ArrayBufferLike[];
  /** How often the caller's own getters, methods or species ran: must stay 0. */
  calls?: () => number;
}

/** One hostile input, and how to judge a call with it. */
export interface Hostile {
  label: string;
  make(): Made;
  /**
   * It lies where Node would trust it: the expected outcome is node:crypto's on an honest twin.
   * Our calls with it run under a time limit: a library that trusts a `length` above the truth
   * can loop for ever (the syscall path fills the real bytes, the loop waits for the rest).
   */
  lies?: boolean;
  /** A view of a resized buffer that is now out of bounds (length 0, not detached). */
  outOfBounds?: boolean;
  /** Only these entry points (default: all). */
  kinds?: readonly Kind[];
  /** Only the forms that fill the whole view. */
  wholeOnly?: boolean;
}
