// The outputs of one test, to find a 16-byte window seen before: no output, of a hostile call or
// of the ordinary request after it, may repeat earlier output.

import { copyOf } from '../view/bytes.js';
import { U8 } from '../view/intrinsics.js';

/** The first 3 of the 8 bytes at `b[i ..]`: the index key (a prefilter; hits are compared in full). */
function key3(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
}

/**
 * The outputs of one test, to find a 16-byte window seen before. Every 16-byte window of an
 * output contains one of its 8-aligned 8-byte blocks, so indexing those (by their first 3 bytes,
 * behind a bitmap) and looking up every 8-byte window of a new output finds every repeat exactly.
 */
export class OutputLog {
  readonly #outputs: Uint8Array[] = [];
  readonly #index = new Map<number, number[]>();
  readonly #bits = new U8(1 << 21);

  /** The first 16-byte window of `out` (its first and last 4 KiB if longer) that repeats logged output, or null. */
  repeat(out: Uint8Array): string | null {
    if (out.length > 8192) {
      return (
        this.repeat(new U8(out.buffer, out.byteOffset, 4096)) ?? this.repeat(new U8(out.buffer, out.byteOffset + out.length - 4096, 4096))
      );
    }
    const bits = this.#bits;
    for (let i = 0; i + 8 <= out.length; i++) {
      const k = key3(out, i);
      if ((bits[k >> 3]! & (1 << (k & 7))) === 0) continue;
      const hits = this.#index.get(k);
      if (hits === undefined) continue;
      for (let h = 0; h < hits.length; h += 2) {
        const old = this.#outputs[hits[h]!]!;
        const p = hits[h + 1]!;
        for (let d = 0; d <= 8; d++) {
          const s = i - d;
          const t = p - d;
          if (s < 0 || t < 0 || s + 16 > out.length || t + 16 > old.length) continue;
          let same = true;
          for (let k = 0; k < 16 && same; k++) same = out[s + k] === old[t + k];
          if (same) return `bytes ${s}..${s + 16} repeat bytes ${t}..${t + 16} of earlier output #${hits[h]}`;
        }
      }
    }
    return null;
  }

  /** Logs a copy of `out` (its first and last 4 KiB if longer). */
  add(out: Uint8Array): void {
    if (out.length > 8192) {
      this.add(copyOf(out, 0, 4096));
      this.add(copyOf(out, out.length - 4096));
      return;
    }
    const n = this.#outputs.push(copyOf(out)) - 1;
    for (let p = 0; p + 8 <= out.length; p += 8) {
      const k = key3(out, p);
      this.#bits[k >> 3]! |= 1 << (k & 7);
      const hits = this.#index.get(k);
      if (hits === undefined) this.#index.set(k, [n, p]);
      else hits.push(n, p);
    }
  }
}
