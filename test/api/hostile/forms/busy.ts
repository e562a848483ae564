// A form run with its generator's state marked in use, which sends every request down the
// syscall path (the fallback) while the hostile input is the same.

import { IN_USE_OFFSET } from '../../../../src/core/state.js';
import type { Form } from './form.js';

/**
 * `form` with the generator's state marked in use during the call, as a call further up the
 * stack would leave it: the request takes the syscall path (the fallback). Cleared before the
 * call returns, so the state is only ever busy inside it.
 */
export function busy(form: Form, state: () => Uint8Array, label = 'with the state busy (syscall path)'): Form {
  return {
    ...form,
    name: `${form.name} ${label}`,
    // On this path the library leaves the state alone: clearing the flag we set is safe.
    recover: () => {
      state()[IN_USE_OFFSET] = 0;
    },
    ours(view, cb) {
      const bytes = state();
      bytes[IN_USE_OFFSET] = 1;
      try {
        return form.ours(view, cb);
      } finally {
        bytes[IN_USE_OFFSET] = 0;
      }
    },
  };
}
