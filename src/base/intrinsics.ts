// The built-ins the library calls on the way to output, or with a state in hand, captured when
// this module loads, as Node's own lib/ does with its primordials. Code in the process that
// replaces a global or a prototype method afterwards (`Math.min`, `Atomics.load`,
// `globalThis.Uint8Array`, `String.fromCharCode`) must neither change what the library hands out
// nor be handed a view of a state: `Atomics.load(state.words, …)` through a patched `Atomics`
// would give away the key.
//
// Atomics and SharedArrayBuffer are absent while a Node startup snapshot is built, and present
// in every process restored from it, which runs the module as it was captured: those two are
// captured at first use in a process that has them (never while building, when nothing uses
// them: every state is parked then, src/platform/snapshot.ts).

/** `fn` as a function that takes its `this` as the first argument, like Node's primordials. */
export const uncurryThis = Function.prototype.bind.bind(Function.prototype.call) as <A extends unknown[], R>(
  fn: (...args: A) => R,
) => (self: unknown, ...args: A) => R;

export const U8 = Uint8Array;
export const U16 = Uint16Array;
export const U32 = Uint32Array;
export const I32 = Int32Array;
export const mathFloor = Math.floor;
export const numberIsNaN = Number.isNaN;
export const numberIsSafeInteger = Number.isSafeInteger;
export const stringFromCharCode = String.fromCharCode;
export const defineProperty = Object.defineProperty;
export const enqueueMicrotask = queueMicrotask;

type AtomicsIntrinsics = Pick<typeof Atomics, 'load' | 'store' | 'add' | 'compareExchange'>;

/** Atomics' functions, once this process has them. */
function captureAtomics(): AtomicsIntrinsics | undefined {
  if (typeof Atomics !== 'object') return undefined;
  const { load, store, add, compareExchange } = Atomics;
  return { load, store, add, compareExchange };
}

let atomics = captureAtomics();

/** The Atomics functions as they were when first captured in this process. */
function atomicsNow(): AtomicsIntrinsics {
  atomics ??= captureAtomics();
  if (atomics === undefined) throw new TypeError('vgetrandom: Atomics is not available in this process');
  return atomics;
}

// SharedArrayBuffer, likewise absent while a snapshot is built: captured at first presence.
let SharedBuffer: SharedArrayBufferConstructor | undefined = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;

/** `new SharedArrayBuffer(size)` with the constructor as first captured in this process. */
export function newSharedArrayBuffer(size: number): SharedArrayBuffer {
  SharedBuffer ??= typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;
  if (SharedBuffer === undefined) throw new TypeError('vgetrandom: SharedArrayBuffer is not available in this process');
  return new SharedBuffer(size);
}

/** What src/core/chacha20-simd.ts needs of WebAssembly. */
export interface WasmIntrinsics {
  readonly Module: typeof WebAssembly.Module;
  readonly Instance: typeof WebAssembly.Instance;
  /** The `buffer` getter of WebAssembly.Memory.prototype, as a function of the memory. */
  readonly memoryBuffer: (memory: WebAssembly.Memory) => ArrayBuffer;
}

/** WebAssembly's constructors and the memory's `buffer` getter, once this process has them. */
function captureWasm(): WasmIntrinsics | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  const getter = Reflect.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer')?.get;
  if (getter === undefined) return undefined;
  return {
    Module: WebAssembly.Module,
    Instance: WebAssembly.Instance,
    memoryBuffer: uncurryThis(getter) as WasmIntrinsics['memoryBuffer'],
  };
}

// Absent while a startup snapshot is built: captured at first use in a process that has it, so
// that a process restored from a snapshot still gets the SIMD core.
let wasm = captureWasm();

/** WebAssembly's intrinsics as first captured in this process, or undefined where there is none. */
export function wasmIntrinsics(): WasmIntrinsics | undefined {
  wasm ??= captureWasm();
  return wasm;
}

/** Atomics.load, captured. */
export function atomicsLoad(array: Int32Array | Uint32Array, index: number): number {
  return (atomics ?? atomicsNow()).load(array, index);
}

/** Atomics.store, captured. */
export function atomicsStore(array: Int32Array | Uint32Array, index: number, value: number): number {
  return (atomics ?? atomicsNow()).store(array, index, value);
}

/** Atomics.add, captured. */
export function atomicsAdd(array: Int32Array | Uint32Array, index: number, value: number): number {
  return (atomics ?? atomicsNow()).add(array, index, value);
}

/** Atomics.compareExchange, captured. */
export function atomicsCompareExchange(array: Int32Array | Uint32Array, index: number, expected: number, replacement: number): number {
  return (atomics ?? atomicsNow()).compareExchange(array, index, expected, replacement);
}
