// A test's cases through every form that applies to each, one macrotask turn apart; the test
// fails with the first failures.

import { expect } from 'vitest';
import type { Hostile } from '../cases/hostile.js';
import type { Form } from '../forms/form.js';
import type { Patch } from '../realm/patch.js';
import { type Ctx, runCase } from './run-case.js';

/** Whether `c` applies to `form`: its kinds, and whole-view forms only if it says so. */
const applies = (c: Hostile, form: Form) => (c.kinds === undefined || c.kinds.includes(form.kind)) && !(c.wholeOnly && form.partial);
/** One macrotask turn: lets the test runner's IPC through between cases. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs every case through every form that applies; fails the test with the first failures. */
export async function runAll(ctx: Ctx, cases: readonly Hostile[], forms: readonly Form[], patch?: Patch): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    for (const form of forms) {
      if (!applies(c, form)) continue;
      const f = await runCase(ctx, c, form, patch);
      failures.push(...f.map((x) => (cases.length > 1 ? `${c.label} · ${x}` : x)));
      await turn();
    }
  }
  report(failures);
}

/** Fails the test with the first failures, one a line. */
export function report(failures: readonly string[]): void {
  if (failures.length > 0)
    expect.fail(`${failures.length} failure${failures.length === 1 ? '' : 's'}:\n  ${failures.slice(0, 30).join('\n  ')}`);
}
