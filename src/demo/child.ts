// How the demo runs one of its own modules in a child process: through tsx when the demo runs
// from its TypeScript sources (the repository, `node --import tsx`), directly when it runs as
// JavaScript beside its child scripts.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The node arguments that run the demo's module `name` (e.g. 'cgroup-child'), or why it cannot be run. */
export function childArgs(name: string): { args: string[] } | { reason: string } {
  let self: string;
  try {
    self = fileURLToPath(import.meta.url);
  } catch {
    return { reason: 'the demo module has no file of its own (a bundled build)' };
  }
  const ext = extname(self);
  const script = join(dirname(self), `${name}${ext}`);
  if (!existsSync(script)) return { reason: `${script} is missing (a bundled build)` };
  if (ext !== '.ts') return { args: [script] };
  let tsx: string;
  try {
    tsx = createRequire(self).resolve('tsx');
  } catch {
    return { reason: 'the demo runs from TypeScript sources, and tsx (to run its child) is not installed' };
  }
  return { args: ['--import', pathToFileURL(tsx).href, script] };
}
