// vgetrandom/register: node:crypto's and WebCrypto's random functions, served by this thread's
// vgetrandom generator for the whole application (its dependencies included), with no code
// change. The replacements are this package's drop-ins, which answer exactly as the running
// Node's do; this module only puts them in place, with the original properties' attributes, and
// takes them out again.
//
// What is replaced, and what cannot be:
// - node:crypto's randomBytes, randomFillSync, randomFill, randomInt and randomUUID: writable
//   properties of the module's exports; ESM named imports follow (syncBuiltinESMExports()).
// - Crypto.prototype.getRandomValues and randomUUID: `globalThis.crypto`, `crypto.webcrypto`
//   (the same object) and whatever holds them. Called on anything else: ERR_INVALID_THIS, as Node's.
// - node:crypto's own getRandomValues is a non-configurable accessor and stays Node's function,
//   which calls globalThis.crypto.getRandomValues: ours, so it is served too.
// - Not OpenSSL's own use of its generator (createCipheriv IVs, generateKeyPair, TLS): C code.
//
// Each thread registers for itself: a file worker inherits `--import` and `-r` and is served; an
// eval worker (new Worker(code, { eval: true })) runs neither, and imports vgetrandom/register
// itself if it wants it.
//
// The state of registration is one property of globalThis, so that every copy of this library in
// the process (its ESM and CJS bundles, a bundled copy) sees it: registering twice is a no-op, and
// unregister() from any copy restores Node's originals exactly.

import nodeCrypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { cryptoMethods, randomBytes, randomFill, randomFillSync, randomInt, randomUUID } from './node-crypto.js';

/** The node:crypto exports served, each by the drop-in of the same name. */
const EXPORTS = { randomBytes, randomFillSync, randomFill, randomInt, randomUUID } as const;

/** What register() replaced: each property's original descriptor, to put back as it was. */
interface Registration {
  readonly exports: ReadonlyMap<string, PropertyDescriptor>;
  readonly prototype: object;
  readonly methods: ReadonlyMap<string, PropertyDescriptor>;
}

const KEY = Symbol.for('vgetrandom.register');
const holder = globalThis as { [KEY]?: Registration };

/** Node's webcrypto object (globalThis.crypto): the receiver its methods check. */
function nodeWebcrypto(): object {
  return nodeCrypto.webcrypto as object;
}

/**
 * Serves node:crypto's randomBytes, randomFillSync, randomFill, randomInt and randomUUID, and
 * globalThis.crypto's getRandomValues and randomUUID, from this thread's vgetrandom generator. A
 * second call, from this copy of the library or another, does nothing.
 * @example register(); require('node:crypto').randomUUID() // served by vgetrandom
 */
export function register(): void {
  if (holder[KEY] !== undefined) return;
  const target = nodeCrypto as unknown as Record<string, unknown>;
  const exports = new Map<string, PropertyDescriptor>();
  for (const [name, ours] of Object.entries(EXPORTS)) {
    const original = Object.getOwnPropertyDescriptor(target, name)!;
    exports.set(name, original);
    Object.defineProperty(target, name, { ...original, value: ours });
  }
  const receiver = nodeWebcrypto();
  const prototype = Object.getPrototypeOf(receiver) as object;
  const served = cryptoMethods(() => receiver);
  const methods = new Map<string, PropertyDescriptor>();
  for (const name of ['getRandomValues', 'randomUUID'] as const) {
    const original = Object.getOwnPropertyDescriptor(prototype, name)!;
    methods.set(name, original);
    Object.defineProperty(prototype, name, { ...original, value: served[name] });
  }
  holder[KEY] = { exports, prototype, methods };
  syncBuiltinESMExports();
}

/** Puts Node's originals back, exactly as they were. Does nothing if nothing is registered. */
export function unregister(): void {
  const registration = holder[KEY];
  if (registration === undefined) return;
  for (const [name, original] of registration.exports) Object.defineProperty(nodeCrypto, name, original);
  for (const [name, original] of registration.methods) Object.defineProperty(registration.prototype, name, original);
  delete holder[KEY];
  syncBuiltinESMExports();
}

/** Whether vgetrandom serves node:crypto's random functions in this thread now. */
export function registered(): boolean {
  return holder[KEY] !== undefined;
}
