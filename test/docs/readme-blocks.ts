import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../stack/binaries.ts';

/**
 * The fenced block that follows `<!-- readme-block: NAME -->` in README.md, as lines (a trailing backslash
 * joins a line with the next). The tests that run a block fail when it changes under them.
 */
export function readmeBlock(name: string): string[] {
  return readmeSource(name)
    .trimEnd()
    .replace(/\\\n\s*/g, '')
    .split('\n');
}

/** The block's text as it stands, for code that is written to a file and run. */
export function readmeSource(name: string): string {
  const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- readme-block: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?\\n)\`\`\``).exec(
    readme,
  );
  if (!match) throw new Error(`README.md has no block marked "readme-block: ${name}"`);
  return match[1] as string;
}
