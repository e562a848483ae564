// The public names of an installed entry point, read from its declaration file as a user's
// TypeScript sees them: every `export { ... }` statement of dist/<entry>.d.ts, `X as Y` giving Y,
// `type X` marking a type-only export.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Exported {
  name: string;
  typeOnly: boolean;
}

/** The package's entry points, by the name of their file in dist/. */
export const ENTRIES = { index: 'vgetrandom', mm: 'vgetrandom/mm', register: 'vgetrandom/register' } as const;

export function exportsOf(pkg: string, entry: keyof typeof ENTRIES): Exported[] {
  const dts = readFileSync(join(pkg, 'dist', `${entry}.d.ts`), 'utf8');
  const names: Exported[] = [];
  for (const [, list] of dts.matchAll(/export\s*\{([^}]*)\}/gu)) {
    for (const raw of list!.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      const typeOnly = item.startsWith('type ');
      const name = item
        .replace(/^type\s+/u, '')
        .split(/\s+as\s+/u)
        .pop()!
        .trim();
      names.push({ name, typeOnly });
    }
  }
  return names;
}
