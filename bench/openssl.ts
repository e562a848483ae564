// OpenSSL's ChaCha20 as the throughput anchor: `openssl speed -evp chacha20` at one request size,
// in a process of its own (it is C on the same CPU, with its own SIMD code). Measured once per
// size, for one second; the figure then stands in every round, so its spread reads as zero.

import { spawnSync } from 'node:child_process';

/** Why `openssl speed` cannot run here, or undefined. */
export function opensslMissing(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'openssl is not on PATH';
}

/** ns per `size`-byte ChaCha20 request by `openssl speed -evp chacha20 -seconds 1 -bytes size`. */
export function opensslChacha20Ns(size: number): number {
  const r = spawnSync('openssl', ['speed', '-evp', 'chacha20', '-seconds', '1', '-bytes', String(size), '-mr'], { encoding: 'utf8' });
  // Machine-readable output: `+F:<n>:ChaCha20:<bytes per second>` for the one size asked.
  const line = r.stdout.split('\n').find((l) => l.startsWith('+F:'));
  const bytesPerSecond = Number(line?.split(':').pop());
  if (r.status !== 0 || !(bytesPerSecond > 0)) throw new Error(`openssl speed failed: ${r.stderr.trim() || r.stdout.trim()}`);
  return (size / bytesPerSecond) * 1e9;
}
