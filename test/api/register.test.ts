// vgetrandom/register (src/api/register.ts) in this process: every function it serves is served
// (counted on this thread's default generator), looks as Node's does (name, length, property
// attributes, `this` checks), ESM named imports follow, registering twice changes nothing, and
// unregister() puts back exactly what Node had. The package as installed, with --import and -r
// and in a worker, is the consumer suite's (test/package/register.test.ts).

import nodeCrypto, * as esm from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import * as ours from '../../src/api/node-crypto.js';
import { register, registered, unregister } from '../../src/api/register.js';
import { reseed, stats } from '../../src/index.js';
import { type Api, differentialCases, outcome } from './node-crypto/differential.js';

const SERVED = ['randomBytes', 'randomFillSync', 'randomFill', 'randomInt', 'randomUUID'] as const;
const proto = Object.getPrototypeOf(globalThis.crypto) as Crypto;

/** Every property register() may touch, as descriptors, to compare before and after. */
function snapshot() {
  const of = (o: object, names: readonly string[]) => names.map((n) => Object.getOwnPropertyDescriptor(o, n));
  return {
    exports: of(nodeCrypto, [...SERVED, 'getRandomValues', 'webcrypto']),
    proto: of(proto, ['getRandomValues', 'randomUUID']),
    esm: SERVED.map((n) => esm[n]),
  };
}

/**
 * The calls this thread's default generator served while `run` ran. After a reseed, so that an
 * ID drawn from the thread's ID pool counts too: the pool must be filled again, by the generator.
 */
async function served(run: () => unknown): Promise<number> {
  reseed();
  const before = stats().calls;
  await run();
  return stats().calls - before;
}

/** The functions of node:crypto the table calls, as node:crypto holds them now. */
function pick(c: typeof nodeCrypto) {
  const { getRandomValues, randomBytes, randomFill, randomFillSync, randomInt, randomUUID } = c;
  return { getRandomValues, randomBytes, randomFill, randomFillSync, randomInt, randomUUID };
}

/** What `f` throws: its class, code and message (undefined if it returns). */
function errorOf(f: () => unknown): unknown[] | undefined {
  try {
    f();
  } catch (e) {
    const err = e as Error & { code?: string };
    return [err.constructor.name, err.code, err.message];
  }
  return undefined;
}

afterEach(() => unregister());

describe('vgetrandom/register', () => {
  const node = snapshot();

  it('serves every node:crypto and globalThis.crypto random function it replaces from this thread’s generator', async () => {
    register();
    expect(registered()).toBe(true);
    const calls = {
      randomBytes: await served(() => nodeCrypto.randomBytes(16)),
      randomBytesAsync: await served(() => new Promise((resolve) => nodeCrypto.randomBytes(16, resolve))),
      randomFillSync: await served(() => nodeCrypto.randomFillSync(new Uint8Array(16))),
      randomFill: await served(() => new Promise((resolve) => nodeCrypto.randomFill(new Uint8Array(16), resolve))),
      randomInt: await served(() => nodeCrypto.randomInt(1000)),
      randomUUID: await served(() => nodeCrypto.randomUUID()),
      esmRandomBytes: await served(() => esm.randomBytes(16)),
      esmRandomUUID: await served(() => esm.randomUUID()),
      globalGetRandomValues: await served(() => globalThis.crypto.getRandomValues(new Uint8Array(16))),
      globalRandomUUID: await served(() => globalThis.crypto.randomUUID()),
      webcryptoGetRandomValues: await served(() => nodeCrypto.webcrypto.getRandomValues(new Uint8Array(16))),
    };
    for (const [name, n] of Object.entries(calls)) expect([name, n >= 1]).toEqual([name, true]);
    // node:crypto's own getRandomValues is a non-configurable accessor, left as Node's: its
    // function calls globalThis.crypto's, which is ours.
    expect(await served(() => nodeCrypto.getRandomValues(new Uint8Array(16)))).toBe(1);
    expect(await served(() => esm.getRandomValues(new Uint8Array(16)))).toBe(1);
  });

  it('looks as Node’s: the same names, lengths and property attributes, and the same this checks', () => {
    const originals = SERVED.map((n) => nodeCrypto[n]);
    const methods = [proto, globalThis.crypto].map((o) => [o.getRandomValues, o.randomUUID]);
    register();
    SERVED.forEach((name, i) => {
      const d = Object.getOwnPropertyDescriptor(nodeCrypto, name)!;
      const was = node.exports[i]!;
      expect(d.value).not.toBe(originals[i]);
      expect({ ...d, value: undefined }).toEqual({ ...was, value: undefined });
      expect([d.value.name, d.value.length]).toEqual([originals[i]!.name, originals[i]!.length]);
    });
    const [gRV, uuid] = [globalThis.crypto.getRandomValues, globalThis.crypto.randomUUID];
    expect(gRV).not.toBe(methods[0]![0]);
    expect([gRV.name, gRV.length, uuid.name, uuid.length]).toEqual(['getRandomValues', 1, 'randomUUID', 0]);
    expect(nodeCrypto.webcrypto).toBe(globalThis.crypto);
    expect(nodeCrypto.webcrypto.getRandomValues).toBe(gRV);
    const unbound = [errorOf(() => gRV(new Uint8Array(1))), errorOf(() => uuid()), errorOf(() => gRV.call({}, new Uint8Array(1)))];
    unregister();
    const nodes = [
      errorOf(() => globalThis.crypto.getRandomValues.call(undefined, new Uint8Array(1))),
      errorOf(() => globalThis.crypto.randomUUID.call(undefined)),
      errorOf(() => globalThis.crypto.getRandomValues.call({}, new Uint8Array(1))),
    ];
    expect(unbound).toEqual(nodes);
    expect(unbound[0]).toEqual(['TypeError', 'ERR_INVALID_THIS', 'Value of "this" must be of type Crypto']);
  });

  it('a second register() changes nothing; unregister() puts back exactly what Node had, ESM named imports included', () => {
    register();
    const once = snapshot();
    register();
    expect(snapshot()).toEqual(once);
    expect(once.esm).not.toEqual(node.esm);
    unregister();
    expect(registered()).toBe(false);
    expect(snapshot()).toEqual(node);
    unregister();
    expect(snapshot()).toEqual(node);
  });

  it('answers every case of the drop-ins’ differential table as Node does: node:crypto before register, and under it', async () => {
    // node:crypto and globalThis.crypto as a dependency sees them, read afresh at each call.
    const api = (): Api => ({ ...pick(nodeCrypto), webcrypto: globalThis.crypto }) as unknown as Api;
    const cases = differentialCases(() => ours.webcrypto);
    const before: unknown[] = [];
    for (const c of cases) before.push(await outcome(api(), c));
    register();
    const mismatches: string[] = [];
    for (const [i, c] of cases.entries()) {
      const under = await outcome(api(), c);
      if (!isDeepStrictEqual(under, before[i]))
        mismatches.push(`${c.label}\n  under register: ${JSON.stringify(under)}\n  node: ${JSON.stringify(before[i])}`);
    }
    expect(mismatches.join('\n')).toBe('');
    expect(cases.length).toBeGreaterThan(300);
  });
});
