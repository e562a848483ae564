// Reading a generator's 144-byte state and checking its output, for the demo. Only reads: the
// demo never writes into a state it shows.

import { createCipheriv } from 'node:crypto';
import { BATCH_SIZE, GENERATION_OFFSET, IN_USE_OFFSET, KEY_OFFSET, KEY_SIZE, POS_OFFSET, STATE_SIZE } from '../core/state.js';
import { PAGE_SIZE, type SimulatedMm } from '../mm/index.js';
import type { StateSnapshot } from './facts.js';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What the demo prints for a masked key byte. */
export const MASK = '••';

export const isZero = (bytes: Uint8Array): boolean => bytes.every((x) => x === 0);

/** The state's u64 generation (host byte order, as the kernel's struct has it). */
export function generationOf(state: Uint8Array): number {
  const view = new DataView(state.buffer, state.byteOffset, STATE_SIZE);
  return Number(view.getBigUint64(GENERATION_OFFSET, HOST_LITTLE_ENDIAN));
}

/** The state's fields and its bytes as hex, the key bytes masked. */
export function snapshot(label: string, state: Uint8Array): StateSnapshot {
  let hex = '';
  for (let i = 0; i < STATE_SIZE; i++) {
    hex += i >= KEY_OFFSET && i < KEY_OFFSET + KEY_SIZE ? MASK : state[i]!.toString(16).padStart(2, '0');
  }
  let batchZeroPrefix = 0;
  while (batchZeroPrefix < BATCH_SIZE && state[batchZeroPrefix] === 0) batchZeroPrefix++;
  return {
    label,
    generation: generationOf(state),
    pos: state[POS_OFFSET]!,
    inUse: state[IN_USE_OFFSET]!,
    batchZeroPrefix,
    hex,
  };
}

/** The hex string of a snapshot as byte pairs (`••` for a masked byte). */
export function hexBytes(hex: string): string[] {
  return hex.match(/../gu) ?? [];
}

let zeroKeystream: Buffer | undefined;

/**
 * The first 64 blocks of ChaCha20 under the all-zero key, counter 0: what a generator that
 * missed a drop (and so kept using the zeroed key, its counter restarting at 0 each call) would
 * hand out. OpenSSL's chacha20 takes a 32-bit counter and a 96-bit nonce; with both zero its
 * keystream is the DJB layout's with a zero 64-bit counter, the kernel's.
 */
function zeroKeyKeystream(): Buffer {
  zeroKeystream ??= createCipheriv('chacha20', Buffer.alloc(32), Buffer.alloc(16)).update(Buffer.alloc(64 * 64));
  return zeroKeystream;
}

/** What the demo checks of output drawn after a drop. */
export function checkOutput(out: Uint8Array): { outputNonZero: boolean; zeroKeyKeystream: boolean } {
  let run = 0;
  let longest = 0;
  for (const x of out) {
    run = x === 0 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const stream = zeroKeyKeystream();
  let fromZeroKey = false;
  for (let i = 0; i + 16 <= out.length && !fromZeroKey; i++) {
    fromZeroKey = stream.indexOf(Buffer.from(out.buffer, out.byteOffset + i, 16)) !== -1;
  }
  return { outputNonZero: longest < 16, zeroKeyKeystream: fromZeroKey };
}

/** Where a simulated generator's state is: its page's address and its offset in the page. */
export function simulatedSlice(mm: SimulatedMm, state: Uint8Array): { pageAddr: number; offset: number } {
  for (const m of mm.mappings()) {
    if (m.bytes.buffer !== state.buffer) continue;
    const at = state.byteOffset - m.bytes.byteOffset;
    if (at < 0 || at >= m.length) continue;
    const offsetInMapping = at % PAGE_SIZE;
    return { pageAddr: m.addr + (at - offsetInMapping), offset: offsetInMapping };
  }
  throw new RangeError('the state is not in this simulated mm');
}

export const hexAddr = (n: number): string => `0x${n.toString(16)}`;
