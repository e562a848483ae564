// The code blocks of the README's Use, API and Worker threads sections, for the consumer suite
// to run as a user who copies them would: the README cannot drift from what the package does.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './app.js';

export interface Block {
  section: string;
  lang: 'ts' | 'js';
  code: string;
}

const SECTIONS = ['Use', 'API', 'Worker threads'];

export function readmeBlocks(): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let open: { lang: 'ts' | 'js'; lines: string[] } | undefined;
  for (const line of readFileSync(join(REPO, 'README.md'), 'utf8').split('\n')) {
    if (open !== undefined) {
      if (line.startsWith('```')) {
        blocks.push({ section, lang: open.lang, code: `${open.lines.join('\n')}\n` });
        open = undefined;
      } else {
        open.lines.push(line);
      }
      continue;
    }
    const heading = /^## (.+)$/u.exec(line);
    if (heading) section = heading[1]!;
    const fence = /^```(ts|js)$/u.exec(line);
    if (fence && SECTIONS.includes(section)) open = { lang: fence[1] as 'ts' | 'js', lines: [] };
  }
  return blocks;
}
