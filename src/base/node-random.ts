// node:crypto's random functions as Node made them, captured once per process (realm): the
// syscall path without the addon, and the probes of the running Node's behaviour, must reach
// Node's own code even in a copy of this library loaded after vgetrandom/register replaced them
// (its ESM and CJS bundles are two copies; a bundled application may hold a third). The first
// copy to load captures them into a property of globalThis that cannot be changed or removed;
// every later copy reads them from there.

import * as nodeCrypto from 'node:crypto';

/** The functions captured. */
export interface NodeRandom {
  readonly randomBytes: (size: unknown) => unknown;
  readonly randomFill: (buf: unknown, offset: unknown, cb: unknown) => void;
  readonly randomFillSync: <T>(buf: T, offset?: unknown, size?: unknown) => T;
  /**
   * Crypto.prototype.getRandomValues, applied to Node's webcrypto object: node:crypto's own
   * getRandomValues looks the method up on globalThis.crypto at every call, so under register
   * it would reach ours.
   */
  readonly getRandomValues: (array: unknown) => unknown;
}

const KEY = Symbol.for('vgetrandom.nodeRandom');

function capture(): NodeRandom {
  const holder = globalThis as { [KEY]?: NodeRandom };
  const held = holder[KEY];
  if (held !== undefined) return held;
  const webcrypto = nodeCrypto.webcrypto;
  const method = Object.getPrototypeOf(webcrypto).getRandomValues as (this: Crypto, array: unknown) => unknown;
  const apply = Reflect.apply;
  const captured: NodeRandom = Object.freeze({
    randomBytes: nodeCrypto.randomBytes as NodeRandom['randomBytes'],
    randomFill: nodeCrypto.randomFill as NodeRandom['randomFill'],
    randomFillSync: nodeCrypto.randomFillSync as NodeRandom['randomFillSync'],
    getRandomValues: (array: unknown) => apply(method, webcrypto, [array]),
  });
  Object.defineProperty(globalThis, KEY, { value: captured, writable: false, enumerable: false, configurable: false });
  return captured;
}

/** node:crypto's own random functions, whatever replaced them since. */
export const nodeRandom: NodeRandom = capture();
