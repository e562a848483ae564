// OpenSSL's ChaCha20 as the throughput anchor: `openssl speed -evp chacha20` at one request size,
// in a process of its own (it is C on the same CPU, with its own SIMD code). Measured once per
// size, for one second; the figure then stands in every round, so its spread reads as zero.
//
// The anchor follows the addon's dispatch: when VGETRANDOM_CHACHA caps the addon at avx2 (or
// lower), OpenSSL is held to its own AVX2 (or older) code too, through OPENSSL_ia32cap, so that
// the row compares like with like. OpenSSL takes its AVX-512 paths for AVX512F (bit 16 of
// CPUID.7.EBX) and, on ymm registers, for AVX512VL (bit 31); AVX2 is bit 5.

import { spawnSync } from 'node:child_process';

/** Why `openssl speed` cannot run here, or undefined. */
export function opensslMissing(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'openssl is not on PATH';
}

/** The OPENSSL_ia32cap mask of the CPUID.7 features that the addon's cap `VGETRANDOM_CHACHA` hides. */
export function opensslCap(cap = process.env.VGETRANDOM_CHACHA): string | undefined {
  if (cap === 'avx2') return ':~0x80010000';
  if (cap === 'sse' || cap === 'scalar') return ':~0x80010020';
  return undefined;
}

/** ns per `size`-byte ChaCha20 request by `openssl speed -evp chacha20 -seconds 1 -bytes size`. */
export function opensslChacha20Ns(size: number): number {
  const mask = opensslCap();
  const env = mask === undefined ? process.env : { ...process.env, OPENSSL_ia32cap: mask };
  const r = spawnSync('openssl', ['speed', '-evp', 'chacha20', '-seconds', '1', '-bytes', String(size), '-mr'], { encoding: 'utf8', env });
  // Machine-readable output: `+F:<n>:ChaCha20:<bytes per second>` for the one size asked.
  const line = r.stdout.split('\n').find((l) => l.startsWith('+F:'));
  const bytesPerSecond = Number(line?.split(':').pop());
  if (r.status !== 0 || !(bytesPerSecond > 0)) throw new Error(`openssl speed failed: ${r.stderr.trim() || r.stdout.trim()}`);
  return (size / bytesPerSecond) * 1e9;
}
