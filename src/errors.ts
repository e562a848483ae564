// Errors shaped like Node's own, so that code swapping `node:crypto` for `vgetrandom` sees the
// same class, `code` and message text. Message formats follow Node 20's lib/internal/errors.js.

import { inspect } from 'node:util';

/** An error of class `Base` with Node's `code` property and `Name [CODE]: message` toString. */
function nodeError<E extends Error>(Base: new (message: string) => E, code: string, message: string): E & { code: string } {
  const err = new Base(message) as E & { code: string };
  err.code = code;
  Object.defineProperty(err, 'toString', {
    value(this: Error) {
      return `${this.name} [${code}]: ${this.message}`;
    },
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return err;
}

/** How Node describes a received value: `type number (1.5)`, `an instance of Object`, `null`. */
export function describeReceived(value: unknown): string {
  if (value == null) return String(value);
  if (typeof value === 'function' && value.name) return `function ${value.name}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string' && ctor.name) return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

/** Node's `_` separators for large integers in range errors: 4294967296 → 4_294_967_296. */
function addNumericalSeparator(digits: string): string {
  let res = '';
  let i = digits.length;
  const start = digits[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${digits.slice(i - 3, i)}${res}`;
  return `${digits.slice(0, i)}${res}`;
}

/**
 * TypeError `ERR_INVALID_ARG_TYPE`. `expected` is the phrase after "must be", as Node words it:
 * `of type number`, `an instance of ArrayBuffer or ArrayBufferView`.
 */
export function invalidArgType(name: string, expected: string, actual: unknown): TypeError & { code: string } {
  const what = name.includes('.') ? 'property' : 'argument';
  return nodeError(
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The "${name}" ${what} must be ${expected}. Received ${describeReceived(actual)}`,
  );
}

/** RangeError `ERR_OUT_OF_RANGE`: `The value of "name" is out of range. It must be <range>. Received <x>`. */
export function outOfRange(name: string, range: string, received: unknown): RangeError & { code: string } {
  let shown: string;
  if (typeof received === 'number' && Number.isInteger(received) && Math.abs(received) > 2 ** 32) {
    shown = addNumericalSeparator(String(received));
  } else if (typeof received === 'bigint') {
    shown = String(received);
    if (received > 2n ** 32n || received < -(2n ** 32n)) shown = addNumericalSeparator(shown);
    shown += 'n';
  } else {
    shown = inspect(received);
  }
  return nodeError(
    RangeError,
    'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`,
  );
}

/** Error `ERR_INVALID_STATE`, as Node throws for use after close. */
export function invalidState(message: string): Error & { code: string } {
  return nodeError(Error, 'ERR_INVALID_STATE', `Invalid state: ${message}`);
}

/** A system error as libuv reports one: `EINVAL: invalid argument, getrandom` with code and errno. */
export function systemError(code: 'EINVAL' | 'EAGAIN' | 'ENOMEM' | 'EFAULT', syscall: string, detail?: string) {
  const errno = { EINVAL: -22, EAGAIN: -11, ENOMEM: -12, EFAULT: -14 }[code];
  const text = {
    EINVAL: 'invalid argument',
    EAGAIN: 'resource temporarily unavailable',
    ENOMEM: 'not enough memory',
    EFAULT: 'bad address in system call argument',
  }[code];
  const err = new Error(`${code}: ${text}, ${syscall}${detail ? ` (${detail})` : ''}`) as Error & {
    code: string;
    errno: number;
    syscall: string;
  };
  err.code = code;
  err.errno = errno;
  err.syscall = syscall;
  return err;
}

/** Validates an unsigned 32-bit integer argument the way Node's `validateUint32` does. */
export function validateUint32(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < 0 || value > 0xffffffff) throw outOfRange(name, '>= 0 && <= 4294967295', value);
}

/** TypeError `ERR_INVALID_ARG_VALUE`: `The argument 'name' <reason>. Received <value>`. */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): TypeError & { code: string } {
  const what = name.includes('.') ? 'property' : 'argument';
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${what} '${name}' ${reason}. Received ${inspect(value)}`);
}
