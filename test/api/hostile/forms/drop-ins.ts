// The node:crypto drop-ins as forms: getRandomValues, webcrypto.getRandomValues, randomFillSync
// and randomFill (with and without offset and size), each beside node:crypto's own.

import * as nodeCrypto from 'node:crypto';
import { type Form, type Kind, type Lib, whole } from './form.js';

// The ranges of (v, 1) and (v, 1, 16): offset and size count elements, the ranges bytes.
const fromOne = (n: number, e: number) => [e, n] as const;
const oneSixteen = (_n: number, e: number) => [e, 17 * e] as const;
/** A module seen as a bag of functions, to call an entry point by name. */
type Loose = Record<string, (...args: unknown[]) => unknown>;

/** The node:crypto drop-ins, each beside node:crypto's (globalThis.crypto's for webcrypto). */
export function dropInForms(lib: Lib): Form[] {
  const ours = lib as unknown as Loose;
  const node = nodeCrypto as unknown as Loose;
  const sync = (name: string, kind: Kind, args: unknown[], range: Form['range']): Form => ({
    name: `${name}(v${args.map((a) => `, ${String(a)}`).join('')})`,
    kind,
    ours: (v) => ours[name]!(v, ...args),
    node: (v) => node[name]!(v, ...args),
    range,
    gives: 'view',
    partial: args.length > 0,
  });
  const fill = (args: unknown[], range: Form['range']): Form => ({
    name: `randomFill(v${args.map((a) => `, ${String(a)}`).join('')}, cb)`,
    kind: 'randomFill',
    ours: (v, cb) => ours.randomFill!(v, ...args, cb),
    node: (v, cb) => node.randomFill!(v, ...args, cb),
    async: true,
    range,
    gives: 'view',
    partial: args.length > 0,
  });
  return [
    sync('getRandomValues', 'getRandomValues', [], whole),
    {
      name: 'webcrypto.getRandomValues(v)',
      kind: 'getRandomValues',
      ours: (v) => lib.webcrypto.getRandomValues(v),
      node: (v) => globalThis.crypto.getRandomValues(v as Uint8Array),
      range: whole,
      gives: 'view',
    },
    sync('randomFillSync', 'randomFillSync', [], whole),
    sync('randomFillSync', 'randomFillSync', [1], fromOne),
    sync('randomFillSync', 'randomFillSync', [1, 16], oneSixteen),
    sync('randomFillSync', 'randomFillSync', [0, 100], (_n, e) => [0, 100 * e]),
    fill([], whole),
    fill([1], fromOne),
    fill([1, 16], oneSixteen),
  ];
}
