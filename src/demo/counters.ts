// Step 8: the counters of every generator the demo used, and of this thread's default generator
// (stats()), which the module-level functions draw from.

import { getrandom, info, randomInt, randomUUID, stats } from '../index.js';
import type { DemoContext } from './context.js';
import type { StatsFacts } from './facts.js';

export function counters(ctx: DemoContext): StatsFacts {
  // A few module-level calls, so the default generator has something to count.
  getrandom(new Uint8Array(16));
  randomUUID();
  randomInt(1_000_000);
  ctx.record('default generator: stats()', info().backend, { stats });

  const rows = ctx.rows;
  const sum = (key: 'calls' | 'bytes' | 'rekeys' | 'retries' | 'fallbacks') => rows.reduce((n, r) => n + r[key], 0);
  const sentence =
    `${rows.length} generators served ${sum('calls')} requests (${sum('bytes')} B) with ${sum('rekeys')} rekeys ` +
    `(a new, dropped or forked state rekeys on its next draw), ${sum('retries')} retries and ${sum('fallbacks')} fallbacks to the syscall path.`;
  return { sentence, rows: rows.map((r) => ({ ...r })) };
}
