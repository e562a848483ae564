// Section (6) of the suite, second part: randomUUID's options object, with getters, throwing
// getters and Proxies, is read exactly as Node reads it; WebCrypto's randomUUID reads nothing.

import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Lib } from '../forms/form.js';
import { errorShape } from '../run/errors.js';
import { UUID_FORMAT } from './derived-suite.js';

/** Logs the read of `key` on `log`, and answers `value`. */
function logged(log: string[], key: string | symbol, value: unknown): unknown {
  log.push(`get ${String(key)}`);
  return value;
}

/** Registers the tests of randomUUID's options against Node's. */
export function uuidOptionsSuite(lib: Lib): void {
  describe('(6) randomUUID options with getters behave as Node’s', () => {
    /** Options objects that log what is read from them into `log`. */
    const optionCases: Array<[string, (log: string[]) => unknown]> = [
      [
        'a getter returning true',
        (log) => ({
          get disableEntropyCache() {
            log.push('get');
            return true;
          },
        }),
      ],
      [
        'a getter returning false',
        (log) => ({
          get disableEntropyCache() {
            log.push('get');
            return false;
          },
        }),
      ],
      [
        'a getter returning undefined',
        (log) => ({
          get disableEntropyCache() {
            log.push('get');
            return undefined;
          },
        }),
      ],
      [
        'a getter returning 1',
        (log) => ({
          get disableEntropyCache() {
            log.push('get');
            return 1;
          },
        }),
      ],
      [
        'a getter returning null',
        (log) => ({
          get disableEntropyCache() {
            log.push('get');
            return null;
          },
        }),
      ],
      [
        'a getter that throws',
        (log) => ({
          get disableEntropyCache() {
            log.push('get');
            throw thrown;
          },
        }),
      ],
      [
        'an inherited getter',
        (log) =>
          Object.create({
            get disableEntropyCache() {
              log.push('get');
              return true;
            },
          }),
      ],
      [
        'a Proxy that logs every trap',
        (log) =>
          new Proxy(
            { disableEntropyCache: false },
            Object.fromEntries(
              (['get', 'has', 'getOwnPropertyDescriptor', 'ownKeys', 'getPrototypeOf', 'defineProperty', 'set'] as const).map((trap) => [
                trap,
                (...args: unknown[]) => {
                  log.push(`${trap} ${String(args[1])}`);
                  return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
                },
              ]),
            ),
          ),
      ],
      ['a Proxy of an array', (log) => new Proxy([], { get: (t, k) => logged(log, k, Reflect.get(t, k)) })],
      ['a Proxy whose get returns a string', (log) => new Proxy({}, { get: (_t, k) => logged(log, k, 'yes') })],
    ];
    const thrown = new Error('thrown by the getter');

    for (const [label, make] of optionCases) {
      it(`randomUUID(${label})`, () => {
        const run = (fn: (o: unknown) => unknown) => {
          const log: string[] = [];
          const options = make(log);
          // How often an error message reads `constructor` is formatting, not option handling.
          const reads = () => log.filter((entry) => !entry.endsWith(' constructor'));
          try {
            const value = fn(options);
            return { reads: reads(), value: typeof value === 'string' && UUID_FORMAT.test(value) ? 'a v4 UUID' : value };
          } catch (e) {
            return { reads: reads(), threw: e === thrown ? 'the getter’s own error' : errorShape(e) };
          }
        };
        const ours = run((o) => (lib.randomUUID as (o: unknown) => unknown)(o));
        const node = run((o) => (nodeCrypto.randomUUID as (o: unknown) => unknown)(o));
        expect(ours).toEqual(node);
        // WebCrypto's randomUUID takes no options: nothing is read from them.
        const web = run((o) => (lib.webcrypto.randomUUID as (o: unknown) => unknown)(o));
        const nodeWeb = run((o) => (globalThis.crypto.randomUUID as (o: unknown) => unknown).call(globalThis.crypto, o));
        expect(web).toEqual(nodeWeb);
      });
    }
  });
}
