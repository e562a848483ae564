// `vgetrandom bench`: parses the options, runs the suite with a progress line on a terminal's
// stderr, and writes the table, JSON, Markdown and chart where asked.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { chartRenderer } from './chart.js';
import { json, markdown, table } from './report.js';
import { BenchError, FULL, QUICK, type Results, runSuite } from './suite.js';

export const USAGE = `Usage: vgetrandom bench [--quick] [--json [file]] [--markdown [file]] [--svg [file]]

Times vgetrandom against crypto.getRandomValues and the other random sources, at request
sizes from 1 B to 1 MiB and on ID workloads, in interleaved rounds in this process.

  --quick            fewer sizes and rounds (well under 30 s; every source still runs)
  --json [file]      the results and machine as JSON, to the file or stdout
  --markdown [file]  the results as Markdown tables, to the file or stdout
  --svg [file]       a log-log chart of ns per request by size (default ./bench.svg)

With neither --json nor --markdown going to stdout, a table is printed there.`;

export class UsageError extends BenchError {}

interface Options {
  quick: boolean;
  /** Output path per format; '-' is stdout. */
  json?: string;
  markdown?: string;
  svg?: string;
}

function parse(argv: readonly string[]): Options {
  const options: Options = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const value = next !== undefined && !next.startsWith('-') ? next : undefined;
    if (value !== undefined) i++;
    if (arg === '--quick') {
      if (value !== undefined) throw new UsageError(`--quick takes no value (got ${value})`);
      options.quick = true;
    } else if (arg === '--json' || arg === '--markdown') {
      options[arg.slice(2) as 'json' | 'markdown'] = value ?? '-';
    } else if (arg === '--svg') {
      // One file, in the current directory, that the usage names: an installed command must not
      // make folders where it is run (this repository's chart is docs/bench.svg, asked for by name).
      options.svg = value ?? 'bench.svg';
    } else {
      throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  return options;
}

function output(path: string, text: string): void {
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stderr.write(`bench: wrote ${path}\n`);
}

/** Runs `vgetrandom bench` with `argv` (the arguments after `bench`). */
export async function bench(argv: readonly string[]): Promise<void> {
  const options = parse(argv);
  // Fail before the measuring, not after it, when the chart cannot be drawn.
  const chart = options.svg === undefined ? undefined : await chartRenderer();
  const tty = process.stderr.isTTY;
  const progress = (status: string): void => {
    if (tty) process.stderr.write(`\r\x1b[K${status}`);
  };
  let results: Results;
  try {
    results = runSuite(options.quick ? QUICK : FULL, progress);
  } finally {
    progress('');
  }

  if (options.json !== undefined) output(options.json, json(results));
  if (options.markdown !== undefined) {
    const from = options.markdown === '-' ? '.' : dirname(options.markdown);
    output(options.markdown, markdown(results, options.svg === undefined ? undefined : relative(from, options.svg)));
  }
  if (options.json !== '-' && options.markdown !== '-') process.stdout.write(table(results));
  if (chart !== undefined) output(options.svg!, await chart(results));
}
