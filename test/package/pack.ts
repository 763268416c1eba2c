import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../stack/binaries.ts';

/** `npm pack` of this checkout into `directory` (runs `prepack`: the dist/ build); returns the tarball's path. */
export function packInto(directory: string): string {
  execFileSync('npm', ['pack', '--pack-destination', directory], { cwd: repoRoot, stdio: 'pipe' });
  const tarball = readdirSync(directory).find((name) => /^inferwatch-.*\.tgz$/.test(name));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${directory}`);
  return join(directory, tarball);
}

/**
 * `npm install` in a temporary project, from npm's local cache when it has the package (CI's `npm ci`
 * filled it) and from the registry otherwise; no audit, no funding notices.
 */
export function npmInstall(cwd: string, specs: readonly string[], extra: readonly string[] = []): void {
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...extra, ...specs],
    { cwd, stdio: 'pipe', timeout: 300_000 },
  );
}
