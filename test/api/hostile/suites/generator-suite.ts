// The hostile-input suite for a generator's methods on one backend: getrandom and fill, and the
// same with the state busy (the syscall path).

import { afterAll, describe } from 'vitest';
import type { Generator } from '../../../../src/api/generator.js';
import type { Backend } from '../../../../src/arena/backends.js';
import { busy } from '../forms/busy.js';
import type { Lib } from '../forms/form.js';
import { generatorForms } from '../forms/getrandom.js';
import { formSuite } from './form-suite.js';

/** Generator methods, and the same with the state busy, on `backend`. */
export function generatorSuite(lib: Lib, backend: Backend): void {
  let gen: Generator | undefined;
  const current = () => (gen ??= lib.createGenerator({ backend }));
  describe(`hostile inputs: createGenerator({ backend: '${backend}' })`, () => {
    afterAll(() => gen?.release());
    formSuite(
      'getrandom and fill',
      () => {
        const forms = generatorForms(current);
        return [...forms, ...forms.map((f) => busy(f, () => current().state))];
      },
      { draw: (out) => current().getrandom(out) },
    );
  });
}
