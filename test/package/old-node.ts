import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * A Node older than inferwatch supports (< 22.18) found on PATH or in the usual system places, to show
 * what a user with an old default Node sees; undefined when the machine has none.
 */
export function findOldNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/bin'];
  for (const dir of new Set(dirs)) {
    const path = join(dir, 'node');
    if (!dir || !existsSync(path)) continue;
    try {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
      const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 18)) return { path, version };
    } catch {}
  }
  return undefined;
}
