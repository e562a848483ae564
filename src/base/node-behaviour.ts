// How the running Node's node:crypto answers where Node lines differ (20 and 22 against 24 and
// 26), found by asking node:crypto itself, once, with a harmless input of our own, never by
// version string: the drop-ins must answer as the Node that runs them, and a backport moves a
// behaviour between lines without changing what the probe sees.
//
// Every probe runs when this module loads, as every built-in this library calls is captured then
// (src/base/intrinsics.ts): Node 20's randomFillSync and getRandomValues read `byteLength` through
// the prototype's getter, so a probe run after code patched that getter would call the patch.
// Probes only ever pass objects made here (no caller code runs); each result is kept for the
// process. The one exception: while a startup snapshot is built there is no SharedArrayBuffer,
// so the getRandomValues probe runs again at first use in the restored process.

import { nodeRandom } from './node-random.js';

const {
  randomBytes: nodeRandomBytes,
  randomFill: nodeRandomFill,
  randomFillSync: nodeRandomFillSync,
  getRandomValues: nodeGetRandomValues,
} = nodeRandom;
const U8 = Uint8Array;
const AB = ArrayBuffer;
const defineOwn = Object.defineProperty;
const objectHasOwn = Object.hasOwn;
const getOwnDescriptor = Reflect.getOwnPropertyDescriptor;
const { TypeError: TE, RangeError: RE, Error: E, DOMException: DE } = globalThis;
// Absent while a startup snapshot is built (src/base/views.ts says why): then read at first probe.
let SAB = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;

/** The error `fn` throws, or undefined if it returns. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** True if `err` is an Error with that `code`. */
function hasCode(err: unknown, code: string): boolean {
  return err instanceof E && (err as { code?: unknown }).code === code;
}

let namesByString: boolean | undefined;

/**
 * True where Node's determineSpecificType reads `value.constructor?.name` once and says
 * `an instance of X` only for a non-empty string name (Node 24+); false where it tests
 * `'name' in value.constructor`, which throws its own TypeError for a primitive constructor.
 * Probe: randomBytes({ constructor: 5 }) throws ERR_INVALID_ARG_TYPE only in the former.
 */
export function constructorNameByString(): boolean {
  namesByString ??= hasCode(
    thrown(() => nodeRandomBytes({ constructor: 5 })),
    'ERR_INVALID_ARG_TYPE',
  );
  return namesByString;
}

let byteLengthFallback: boolean | undefined;

/**
 * True where randomFill(buf, offset, callback) on an ArrayBuffer or DataView sizes the fill by its
 * byte length (Node 24+); false where it computes `buf.length - offset`, NaN, and throws
 * ERR_OUT_OF_RANGE. Probe: an empty ArrayBuffer at offset 0, with a callback that does nothing.
 */
export function randomFillSizesByByteLength(): boolean {
  byteLengthFallback ??= thrown(() => nodeRandomFill(new AB(0), 0, () => {})) === undefined;
  return byteLengthFallback;
}

let sizeByTag: boolean | undefined;

/**
 * True where randomFill(Sync) takes a view's element size from its type (Node 26); false where
 * it reads `buf.BYTES_PER_ELEMENT || 1` from the object. Probe: a 2-byte Uint8Array that claims
 * 2 bytes per element, filled for 2 elements: by its type that is its 2 bytes, by its claim 4,
 * past its end (ERR_OUT_OF_RANGE). The probe's bytes, drawn by Node, are zeroed.
 */
export function elementSizeByType(): boolean {
  if (sizeByTag === undefined) {
    const probe = new U8(2);
    defineOwn(probe, 'BYTES_PER_ELEMENT', { value: 2 });
    sizeByTag = thrown(() => nodeRandomFillSync(probe, 0, 2)) === undefined;
    probe[0] = 0;
    probe[1] = 0;
  }
  return sizeByTag;
}

/** An error Node threw for an input of ours, to be thrown again afresh for a caller's like it. */
export interface ErrorTemplate {
  readonly base: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;
  readonly code: unknown;
  readonly hasCode: boolean;
  readonly message: string;
}

/** The template of `err` if it is an Error whose message does not depend on the input, else undefined. */
function templateOf(err: unknown): ErrorTemplate | undefined {
  if (!(err instanceof E) || err instanceof DE) return undefined;
  const base = err instanceof TE ? TE : err instanceof RE ? RE : E;
  const own = objectHasOwn(err, 'code');
  return { base, code: own ? (err as { code?: unknown }).code : undefined, hasCode: own, message: err.message };
}

/** A fresh error as `template` describes: same class, `code` (an own property) and message. */
export function errorFrom(template: ErrorTemplate): Error {
  const err = new template.base(template.message);
  if (template.hasCode) (err as { code?: unknown }).code = template.code;
  return err;
}

/**
 * What the running Node's getRandomValues throws before its own type check, where it converts its
 * argument as a WebIDL ArrayBufferView first (Node 26): for a non-view, for a view on a
 * SharedArrayBuffer, for a view on a resizable ArrayBuffer. Undefined where it does not.
 */
export interface ViewConversion {
  readonly notAView?: ErrorTemplate;
  readonly shared?: ErrorTemplate;
  readonly resizable?: ErrorTemplate;
  /** False while a startup snapshot is built: the probe must run again once restored. */
  readonly settled: boolean;
}

let conversion: ViewConversion | undefined;

/**
 * Probes getRandomValues with `undefined` (Node 20 throws a TypeMismatchError DOMException, a
 * converting Node a TypeError), a 1-byte view on a SharedArrayBuffer and one on a resizable
 * ArrayBuffer (filled by Node where it accepts them; our buffers, discarded). While a startup
 * snapshot is built there is no SharedArrayBuffer, and so no view on one to meet: the result is
 * then not kept, and the restored process probes again.
 */
export function viewConversion(): ViewConversion {
  if (conversion !== undefined) return conversion;
  const notAView = templateOf(thrown(() => nodeGetRandomValues(undefined)));
  SAB ??= typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;
  const hasShared = SAB !== undefined;
  const shared = hasShared ? templateOf(thrown(() => nodeGetRandomValues(new U8(new SAB!(1))))) : undefined;
  let resizable: ErrorTemplate | undefined;
  if (typeof getOwnDescriptor(AB.prototype, 'resizable')?.get === 'function') {
    const ab = new (AB as new (length: number, options: { maxByteLength: number }) => ArrayBuffer)(1, { maxByteLength: 2 });
    resizable = templateOf(thrown(() => nodeGetRandomValues(new U8(ab))));
  }
  const result: ViewConversion = { notAView, shared, resizable, settled: hasShared };
  if (hasShared) conversion = result;
  return result;
}

// At load (see the header). Each takes microseconds; the getRandomValues probe makes Node load
// its WebCrypto module, which globalThis.crypto would load at first use anyway.
constructorNameByString();
randomFillSizesByByteLength();
elementSizeByType();
viewConversion();
