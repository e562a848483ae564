// The type of scripts/wasm/chacha20-simd.wat.mjs, for the tests that assemble variants of the core.

/** Where the module writes its blocks, in bytes of its memory. */
export const OUT_OFFSET: number;
/** The module's WebAssembly text. */
export function chacha20SimdWat(): string;
