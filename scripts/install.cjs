#!/usr/bin/env node
// The package's install script. node-gyp-build's command keeps a prebuild that loads here
// (prebuilds/, shipped in the tarball) and compiles build/Release/vgetrandom.node with node-gyp
// only when none does. A failed compile must not fail the install: the library then runs on its
// simulated backend. So its output is passed through, and on failure its last lines are kept in
// build/vgetrandom-build-error.txt, which the loader (src/platform/addon/binding.ts) puts into
// info().reason; a later successful run removes the record.
'use strict';
const { spawn } = require('node:child_process');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const RECORD = join('build', 'vgetrandom-build-error.txt');
const KEEP = 30; // lines of the compiler's output kept in the record

let tail = '';
const keep = (chunk) => {
  tail = (tail + chunk).slice(-64 * 1024);
};

function fail(what) {
  // node-gyp's `gyp info` lines (its arguments, its steps) say nothing about the failure.
  const lines = tail
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('gyp info'))
    .slice(-KEEP);
  const text = `${what} (node ${process.version}, ${process.platform}-${process.arch}, ${new Date().toISOString()})\n${lines.join('\n')}\n`;
  try {
    mkdirSync('build', { recursive: true });
    writeFileSync(RECORD, text);
  } catch {}
  console.warn(
    `vgetrandom: the native addon was not built (${what}; see ${join(process.cwd(), RECORD)}); the simulated backend will be used (info().reason says why)`,
  );
  process.exit(0);
}

let bin;
try {
  bin = require.resolve('node-gyp-build/bin.js');
} catch (err) {
  tail = String(err?.message);
  fail('node-gyp-build is not installed');
}
const child = spawn(process.execPath, [bin], { stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  keep(String(d));
});
child.stderr.on('data', (d) => {
  process.stderr.write(d);
  keep(String(d));
});
child.on('error', (err) => fail(`node-gyp-build did not run: ${err.message}`));
child.on('close', (code, signal) => {
  if (code === 0) {
    rmSync(RECORD, { force: true });
    return;
  }
  fail(`the compile failed: node-gyp-build exited with ${signal ?? `code ${code}`}`);
});
