// A fresh process (the backend by VGETRANDOM_NATIVE) that loads the library, then replaces every
// global and prototype method the library's lazily made parts could reach (the typed array and
// SharedArrayBuffer constructors, WebAssembly's, the memory's `buffer` getter, the base64 and
// %TypedArray% methods) before its first draw, so that the ID pool, the simulated pages and the
// WebAssembly core are all made afterwards. Prints the names of the replacements that ran while
// the library drew: none may, or a key or a pool could have been handed to them.

import { createGenerator, getrandom, info, randomBytes, randomInt, randomUUID } from '../../../src/index.js';

// The addon is loaded first (under tsx, its loader's require() runs the transformer, whose own
// code reads these built-ins): what is checked here is what the library makes lazily afterwards.
info();

const hits = new Set<string>();
const Plain = Uint8Array;
let drawing = false;
const record = (name: string) => {
  if (drawing) hits.add(name);
};

function wrapConstructor(name: 'Uint8Array' | 'Uint32Array' | 'Int32Array' | 'SharedArrayBuffer'): void {
  const Original = globalThis[name] as unknown as new (...args: unknown[]) => object;
  (globalThis as Record<string, unknown>)[name] = new Proxy(Original, {
    construct(target, args, newTarget) {
      record(`new ${name}`);
      return Reflect.construct(target, args, newTarget);
    },
  });
}
for (const name of ['Uint8Array', 'Uint32Array', 'Int32Array', 'SharedArrayBuffer'] as const) wrapConstructor(name);

function wrapMethod(owner: object, key: string, name: string): void {
  const d = Reflect.getOwnPropertyDescriptor(owner, key)!;
  if (typeof d.value === 'function') {
    const f = d.value as (...a: unknown[]) => unknown;
    Reflect.defineProperty(owner, key, {
      ...d,
      value: function (this: unknown, ...a: unknown[]) {
        record(name);
        return f.apply(this, a);
      },
    });
  } else if (d.get !== undefined) {
    const g = d.get;
    Reflect.defineProperty(owner, key, {
      ...d,
      get: function (this: unknown) {
        record(name);
        return g.call(this);
      },
    });
  }
}
const TypedArrayPrototype = Object.getPrototypeOf(Plain.prototype) as object;
for (const key of ['set', 'subarray', 'fill', 'slice']) wrapMethod(TypedArrayPrototype, key, `%TypedArray%.prototype.${key}`);
wrapMethod(Object.getPrototypeOf(Plain) as object, 'from', '%TypedArray%.from');
wrapMethod(globalThis, 'atob', 'atob');
wrapMethod(String.prototype, 'charCodeAt', 'String.prototype.charCodeAt');
wrapMethod(WebAssembly.Memory.prototype, 'buffer', 'WebAssembly.Memory.prototype.buffer');
wrapMethod(WebAssembly, 'Module', 'WebAssembly.Module');
wrapMethod(WebAssembly, 'Instance', 'WebAssembly.Instance');

drawing = true;
randomUUID();
randomInt(1000);
getrandom(new Plain(16));
getrandom(new Plain(300));
createGenerator({ backend: 'simulated' }).fill(new Plain(1 << 16));
randomBytes(64);
drawing = false;
console.log(JSON.stringify([...hits].sort()));
