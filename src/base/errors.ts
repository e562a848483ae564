// Errors shaped like Node's own, so that code swapping `node:crypto` for `vgetrandom` sees the
// same class, `code` and message text. Message formats follow lib/internal/errors.js of the Node
// that runs the code: where lines differ, src/base/node-behaviour.ts asks node:crypto which applies.

import { inspect } from 'node:util';
import { constructorNameByString } from './node-behaviour.js';

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

/** Node's `_` separators for large integers in range errors: 4294967296 → 4_294_967_296. */
function addNumericalSeparator(digits: string): string {
  let res = '';
  let i = digits.length;
  const start = digits[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${digits.slice(i - 3, i)}${res}`;
  return `${digits.slice(0, i)}${res}`;
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
  return nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`);
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

/** Validates an integer argument in [min, max] the way Node's `validateInteger` does. */
export function validateInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

/** Validates an unsigned 32-bit integer argument the way Node's `validateUint32` does. */
export function validateUint32(value: unknown, name: string): asserts value is number {
  validateInteger(value, name, 0, 0xffffffff);
}

/**
 * TypeError `ERR_INVALID_ARG_VALUE`: `The argument 'name' <reason>. Received <value>`, the value
 * shown as `inspect` shows it, or as `shown` says (for a value that inspect must not touch).
 */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid', shown = inspect(value)): TypeError & { code: string } {
  const what = name.includes('.') ? 'property' : 'argument';
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${what} '${name}' ${reason}. Received ${shown}`);
}

// Node's own ERR_INVALID_ARG_TYPE and validators, following lib/internal/errors.js and
// lib/internal/validators.js exactly (identical on Node 20 to 26 but for determineSpecificType).

/** Expected names Node prints as `of type x` (lower-cased) rather than `an instance of X`. */
const kTypes: readonly string[] = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];
/** Expected names Node prints as `an instance of X`. */
const classRegExp = /^[A-Z][a-zA-Z0-9]*$/;

/** Node's formatList: `a`, `a or b`, `a, b, or c`. */
function formatList(list: readonly string[], type: string): string {
  if (list.length <= 2) return list.join(` ${type} `);
  return `${list.slice(0, -1).join(', ')}, ${type} ${list[list.length - 1]}`;
}

/**
 * How the running Node describes a received value in ERR_INVALID_ARG_TYPE
 * (`determineSpecificType`): `type string ('abc')`, `type number (NaN)`, `function f`,
 * `an instance of Array`, `null`. Objects differ by line (see objectType).
 * @example determineSpecificType(1.5) // 'type number (1.5)'
 */
function determineSpecificType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'number':
      // String() already gives NaN, Infinity, -Infinity; only -0 needs saying.
      return Object.is(value, -0) ? 'type number (-0)' : `type number (${value})`;
    case 'bigint':
      return `type bigint (${value}n)`;
    case 'boolean':
    case 'symbol':
      return `type ${typeof value} (${String(value)})`;
    case 'function':
      return `function ${value.name}`;
    case 'object':
      return objectType(value as object);
    default: {
      // A string: Node cuts it before quoting and quotes it without escaping.
      const s = (value as string).length > 28 ? `${(value as string).slice(0, 25)}...` : (value as string);
      return s.includes("'") ? `type string (${JSON.stringify(s)})` : `type string ('${s}')`;
    }
  }
}

/**
 * determineSpecificType of an object. Node 24+ reads `constructor?.name` once and names only a
 * non-empty string (`Received {}` for an anonymous class's instance); Node 20 and 22 test
 * `'name' in constructor`, which names an empty name too and, for a primitive `constructor`,
 * throws the `in` operator's own TypeError, as theirs does.
 */
function objectType(value: object): string {
  const ctor = (value as { constructor?: unknown }).constructor as { name?: unknown } | undefined;
  if (constructorNameByString()) {
    const name = ctor?.name;
    if (typeof name === 'string' && name !== '') return `an instance of ${name}`;
  } else if (ctor && 'name' in ctor) {
    return `an instance of ${ctor.name}`;
  }
  return inspect(value, { depth: -1 });
}

/**
 * TypeError `ERR_INVALID_ARG_TYPE` from the arguments Node's own call site passes: the expected
 * type names (`'number'`, `['ArrayBuffer', 'ArrayBufferView']`, `'a safe integer'`) are worded
 * by Node's rules and the value by `determineSpecificType`.
 * @example throw invalidArgType('buf', ['ArrayBuffer', 'ArrayBufferView'], 1)
 * // The "buf" argument must be an instance of ArrayBuffer or ArrayBufferView. Received type number (1)
 */
export function invalidArgType(name: string, expected: string | readonly string[], actual: unknown): TypeError & { code: string } {
  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of typeof expected === 'string' ? [expected] : expected) {
    if (kTypes.includes(value)) types.push(value.toLowerCase());
    else if (classRegExp.test(value)) instances.push(value);
    else other.push(value);
  }
  // `object` moves to the end of the instances when instances are listed.
  if (instances.length > 0 && types.includes('object')) {
    types.splice(types.indexOf('object'), 1);
    instances.push('Object');
  }
  const parts: string[] = [];
  if (types.length > 0) parts.push(`${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`);
  if (instances.length > 0) parts.push(`an instance of ${formatList(instances, 'or')}`);
  if (other.length > 1) parts.push(`one of ${formatList(other, 'or')}`);
  else if (other.length === 1) parts.push(`${other[0].toLowerCase() !== other[0] ? 'an ' : ''}${other[0]}`);
  const subject = name.endsWith(' argument') ? name : `"${name}" ${name.includes('.') ? 'property' : 'argument'}`;
  return nodeError(
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The ${subject} must be ${parts.join(' or ')}. Received ${determineSpecificType(actual)}`,
  );
}

/**
 * Node's `validateNumber(value, name)` without bounds: any number, NaN included.
 * @example validateNumber(offset, 'offset')
 */
export function validateNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
}

/**
 * Node's `validateBoolean`.
 * @example validateBoolean(options.disableEntropyCache, 'options.disableEntropyCache')
 */
export function validateBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'boolean', value);
}

/**
 * Node's `validateFunction`.
 * @example validateFunction(callback, 'callback')
 */
export function validateFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'Function', value);
}

/**
 * Node's `validateObject` with no options: not null, not an array, not a function.
 * @example validateObject(options, 'options')
 */
export function validateObject(value: unknown, name: string): asserts value is object {
  if (value === null || Array.isArray(value) || typeof value !== 'object') {
    throw invalidArgType(name, 'Object', value);
  }
}

/**
 * TypeError `ERR_INVALID_THIS`, as a WebIDL method called on the wrong object throws.
 * @example throw invalidThis('Crypto') // Value of "this" must be of type Crypto
 */
export function invalidThis(type: string): TypeError & { code: string } {
  return nodeError(TypeError, 'ERR_INVALID_THIS', `Value of "this" must be of type ${type}`);
}

/**
 * Node's WebIDL `requiredArguments`: a plain TypeError with `code` ERR_MISSING_ARGS when fewer
 * than `required` arguments were passed to the method that `prefix` names.
 * @example requiredArguments(arguments.length, 1, "Failed to execute 'getRandomValues' on 'Crypto'")
 */
export function requiredArguments(length: number, required: number, prefix: string): void {
  if (length >= required) return;
  const err = new TypeError(
    `${prefix}: ${required} argument${required === 1 ? '' : 's'} required, but only ${length} present.`,
  ) as TypeError & { code: string };
  err.code = 'ERR_MISSING_ARGS';
  throw err;
}

/**
 * A DOMException named `name` (its legacy `code` follows from the name), as Node's
 * `lazyDOMException` makes for WebCrypto.
 * @example throw domException('The data argument must be an integer-type TypedArray', 'TypeMismatchError')
 */
export function domException(message: string, name: string): DOMException {
  return new DOMException(message, name);
}

/**
 * A QuotaExceededError: the runtime's `QuotaExceededError` class where it has one (a DOMException
 * subclass carrying `quota` and `requested`), else a DOMException of that name (code 22), as
 * Node 20 throws. Looked up per call: only error paths come here.
 * @example throw quotaExceeded('The requested length exceeds 65,536 bytes', 65536, 65537)
 */
export function quotaExceeded(message: string, quota: number, requested: number): DOMException {
  const QuotaExceededError = (globalThis as { QuotaExceededError?: unknown }).QuotaExceededError;
  if (typeof QuotaExceededError === 'function') {
    const Ctor = QuotaExceededError as new (message: string, options: { quota: number; requested: number }) => DOMException;
    return new Ctor(message, { quota, requested });
  }
  return new DOMException(message, 'QuotaExceededError');
}
