// getrandom and fill as forms: the module-level getrandom (the default generator) and a
// generator's own getrandom and fill. None has a node:crypto counterpart: the SPEC's own rules
// judge them (see ../run/expected.ts).

import type { Generator } from '../../../../src/api/generator.js';
import { type Form, type Lib, whole } from './form.js';

/** The module-level getrandom (the default generator). */
export function getrandomForm(lib: Lib): Form {
  return { name: 'getrandom(v)', kind: 'getrandom', ours: (v) => lib.getrandom(v), range: whole, gives: 'count' };
}

/** A generator's getrandom and fill. */
export function generatorForms(gen: () => Generator, label = 'gen'): Form[] {
  return [
    { name: `${label}.getrandom(v)`, kind: 'getrandom', ours: (v) => gen().getrandom(v), range: whole, gives: 'count' },
    { name: `${label}.fill(v)`, kind: 'fill', ours: (v) => gen().fill(v), range: whole, gives: 'view' },
  ];
}
