// The whole hostile-input suite for the module-level functions of the library, on whatever
// backend its default generator uses: the drop-ins and getrandom through formSuite(), then
// section (6), the functions that fill no caller's view.

import { describe } from 'vitest';
import { dropInForms } from '../forms/drop-ins.js';
import type { Lib } from '../forms/form.js';
import { getrandomForm } from '../forms/getrandom.js';
import { derivedSuite } from './derived-suite.js';
import { formSuite } from './form-suite.js';
import { uuidOptionsSuite } from './uuid-options-suite.js';

/** The whole suite for the module-level functions of `lib`, on whatever backend its default generator uses. */
export function hostileSuite(lib: Lib, label: string): void {
  describe(`hostile inputs: ${label}`, () => {
    formSuite('the node:crypto drop-ins and getrandom', () => [...dropInForms(lib), getrandomForm(lib)], {
      draw: (out) => lib.getrandom(out),
    });
    derivedSuite(lib);
    uuidOptionsSuite(lib);
  });
}
