// What the demo's steps share: the backend they run on, the addon (native backend), a simulated
// mm standing in for this process's memory (simulated backend, and the simulated fork), and the
// counters of every generator the steps used, for the closing table.

import { type Backend, createGenerator, type Generator } from '../index.js';
import { SimulatedMm } from '../mm/index.js';
import { loadNative, type NativeBinding } from '../platform/addon/binding.js';
import type { CounterRow } from './facts.js';

export interface DemoOptions {
  /**
   * Run the steps on this backend. Default: native where the addon loads, else simulated.
   * 'native' without the addon throws.
   */
  backend?: Backend;
}

export class DemoContext {
  readonly backend: Backend;
  /** Why the steps run on the simulated mm, if they do. */
  readonly reason: string | undefined;
  /** The addon: present exactly when the backend is native. */
  readonly binding: NativeBinding | null;
  /** The demo's simulated process memory. */
  readonly mm = new SimulatedMm();
  /** Counters of the generators the steps used, in order. */
  readonly rows: CounterRow[] = [];

  constructor(options: DemoOptions = {}) {
    const loaded = loadNative();
    if (options.backend === 'native' && loaded.binding === null) {
      throw new Error(`the native backend is unavailable: ${loaded.reason}`);
    }
    if (options.backend !== undefined && options.backend !== 'native' && options.backend !== 'simulated') {
      throw new TypeError(`backend must be 'native' or 'simulated', got ${String(options.backend)}`);
    }
    this.backend = options.backend ?? (loaded.binding === null ? 'simulated' : 'native');
    this.binding = this.backend === 'native' ? loaded.binding : null;
    this.reason =
      this.backend === 'native' ? undefined : options.backend === 'simulated' ? 'asked for the simulated backend' : loaded.reason;
  }

  /** The addon; only called on the native backend. */
  native(): NativeBinding {
    if (this.binding === null) throw new Error('no native addon');
    return this.binding;
  }

  /** A generator on `backend` (default: the demo's); simulated ones live in the demo's mm. */
  generator(backend: Backend = this.backend, mm: SimulatedMm = this.mm): Generator {
    return backend === 'native' ? createGenerator({ backend: 'native' }) : createGenerator({ mm });
  }

  /** Records a generator's counters for the closing table. */
  record(name: string, backend: Backend, generator: Pick<Generator, 'stats'>): void {
    this.rows.push({ generator: name, backend, ...generator.stats() });
  }

  /** Records the generator's counters, then zeroes its state and gives it back. */
  finish(name: string, backend: Backend, generator: Generator): void {
    this.record(name, backend, generator);
    generator.release();
  }
}
