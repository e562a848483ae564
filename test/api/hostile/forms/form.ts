// What a form is: one way of calling an entry point with a view, beside node:crypto's counterpart
// where there is one, with the bytes a successful call fills and what it gives back.

/** The library's public module, as src/index.js exports it. */
export type Lib = typeof import('../../../../src/index.js');

/** A node-style callback. */
export type Callback = (...args: unknown[]) => void;

/** Which entry point a form calls, for cases that only make sense for some. */
export type Kind = 'getRandomValues' | 'randomFillSync' | 'randomFill' | 'getrandom' | 'fill';

/** One way of calling an entry point with a view. */
export interface Form {
  name: string;
  kind: Kind;
  ours(view: ArrayBufferView, cb: Callback): unknown;
  /** node:crypto's counterpart, whose outcome ours must match; absent: the SPEC's own rules (getrandom, Generator methods). */
  node?(view: ArrayBufferView, cb: Callback): unknown;
  /** It calls back: (null, view) on success. */
  async?: boolean;
  /** The bytes [from, to) of the real view a successful call fills, given its real byte length and element size. */
  range(byteLength: number, elementSize: number): readonly [number, number];
  /** What a successful call gives back: the caller's object itself, or the byte count. */
  gives: 'view' | 'count';
  /** It fills part of the view (an offset or size is given). */
  partial?: boolean;
  /** Undoes what the form itself set up, after a call it made was cut off by the time limit. */
  recover?(): void;
}

/** The range of a form that fills the whole view. */
export const whole = (n: number) => [0, n] as const;
