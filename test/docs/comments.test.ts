import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// A reader of the code has only the repository: a comment that sends them to a planning note, a rule
// number or a tracker entry they cannot open explains nothing. Patterns are built from parts so this file
// does not match itself.
const outsideCitations = [
  new RegExp(['DESIGN', '\\.md'].join('')),
  new RegExp(['§', '\\d+ rule \\d+'].join(''), 'i'),
  new RegExp(['shared/', 'reference/'].join('')),
  new RegExp(['\\bissue', ' #?\\d+'].join(''), 'i'),
];

function trackedSources(): string[] {
  const out = execFileSync('git', ['ls-files', 'src', 'test', 'bench', 'scripts', 'dashboards/src'], {
    cwd: root,
    encoding: 'utf8',
  });
  return out.split('\n').filter((path) => /\.(ts|js|css|html|sh|py|ya?ml)$/.test(path));
}

describe('comments stand on their own', () => {
  it('no source file cites a planning document, a rule number, an issue number or a reference note', () => {
    const offenders: string[] = [];
    for (const path of trackedSources()) {
      const lines = readFileSync(`${root}${path}`, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (outsideCitations.some((pattern) => pattern.test(line)))
          offenders.push(`${path}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
