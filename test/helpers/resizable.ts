// Resizable ArrayBuffers and growable SharedArrayBuffers (ES2024), typed for this repository's
// ES2022 lib: the tests pass them where a caller may, and resize them under a call.

export type ResizableArrayBuffer = ArrayBuffer & { resize(n: number): void };
export type GrowableSharedArrayBuffer = SharedArrayBuffer & { grow(n: number): void };

/** A resizable ArrayBuffer of `n` bytes that may grow to `max`. */
export const resizable = (n: number, max: number): ResizableArrayBuffer =>
  new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableArrayBuffer)(n, { maxByteLength: max });

/** A growable SharedArrayBuffer of `n` bytes that may grow to `max`. */
export const growable = (n: number, max: number): GrowableSharedArrayBuffer =>
  new (SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => GrowableSharedArrayBuffer)(n, {
    maxByteLength: max,
  });
