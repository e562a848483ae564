// `vgetrandom demo`: the consumer side of VM_DROPPABLE, step by step, on the real kernel where
// the native addon loads and on the simulated mm everywhere else (or with VGETRANDOM_NATIVE=0).
// Each step is a module of its own that returns its facts; this one runs them in order, prints
// them as text or JSON, and times the whole. Uses only the library and Node built-ins.

import { performance } from 'node:perf_hooks';
import { mapArena } from './arena.js';
import { DemoContext, type DemoOptions } from './context.js';
import { counters } from './counters.js';
import { draw } from './draw.js';
import { type DemoFacts, STEPS, type StepName } from './facts.js';
import { fork } from './fork.js';
import { pressure } from './pressure.js';
import { probe } from './probe.js';
import { header, renderStep } from './render.js';
import { reseed } from './reseed.js';
import { threads } from './threads.js';

export type { DemoOptions } from './context.js';
export type * from './facts.js';

export const DEMO_USAGE = `Usage: vgetrandom demo [--json]

Shows, step by step, how vgetrandom keeps its states in memory the kernel may wipe: the probe,
the arena's VmFlags, a draw, a dropped page, a fork, a kernel reseed (as root), worker threads,
and the counters. Runs on the
real kernel where the native addon loads, on the simulated mm otherwise (VGETRANDOM_NATIVE=0
forces that).

  --json   the same facts as JSON on stdout, for scripts`;

type Steps = Omit<DemoFacts, 'backend' | 'reason' | 'elapsedMs'>;

/** Runs the steps in order; `onStep` sees the facts so far after each. */
async function runSteps(ctx: DemoContext, onStep?: (index: number, name: StepName, facts: Partial<DemoFacts>) => void): Promise<DemoFacts> {
  const start = performance.now();
  const facts: Partial<DemoFacts> = { backend: ctx.backend, ...(ctx.reason === undefined ? {} : { reason: ctx.reason }) };
  const run: { [K in StepName]: () => Steps[K] | Promise<Steps[K]> } = {
    probe: () => probe(ctx),
    arena: () => mapArena(ctx),
    draw: () => draw(ctx),
    pressure: () => pressure(ctx),
    fork: () => fork(ctx),
    reseed: () => reseed(ctx),
    threads: () => threads(ctx),
    stats: () => counters(ctx),
  };
  for (const [index, name] of STEPS.entries()) {
    (facts as unknown as Record<StepName, unknown>)[name] = await run[name]();
    onStep?.(index, name, facts);
  }
  facts.elapsedMs = Math.round(performance.now() - start);
  return facts as DemoFacts; // every step has run
}

/**
 * Runs every step of the demo and returns what each found, as data (what `--json` prints).
 * `options.backend` runs the steps on that backend instead of the default one.
 * @example const { pressure } = await demoFacts(); pressure.drops[0].stateZeroAfterDrop // true
 */
export async function demoFacts(options: DemoOptions = {}): Promise<DemoFacts> {
  return runSteps(new DemoContext(options));
}

/**
 * `vgetrandom demo [--json]`: prints each step as it completes (or, with --json, the facts).
 * A bad argument prints the usage to stderr and sets exit code 2.
 */
export async function runDemo(args: string[]): Promise<void> {
  let json = false;
  for (const arg of args) {
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(DEMO_USAGE);
      return;
    } else {
      console.error(`vgetrandom demo: unknown argument ${JSON.stringify(arg)}\n\n${DEMO_USAGE}`);
      process.exitCode = 2;
      return;
    }
  }
  const ctx = new DemoContext();
  if (json) {
    console.log(JSON.stringify(await runSteps(ctx), null, 2));
    return;
  }
  console.log(header(ctx.backend, ctx.reason));
  const facts = await runSteps(ctx, (index, name, f) => console.log(renderStep(index, name, f)));
  console.log(`done in ${(facts.elapsedMs / 1000).toFixed(1)} s`);
}
