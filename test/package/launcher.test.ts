import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../stack/binaries.ts';
import { findOldNode } from './old-node.ts';

// `bash scripts/setup.sh && npm test` from a shell whose PATH still finds the machine's old Node first:
// setup installs Node 24 into a prefix, and the npm scripts' launcher re-executes on it.
const oldNode = findOldNode();
const node24Prefix = dirname(dirname(process.execPath));
const emptyPrefix = mkdtempSync(join(tmpdir(), 'inferwatch-no-node24-'));
afterAll(() => rmSync(emptyPrefix, { recursive: true, force: true }));

/** Runs a command the way that shell would: the old Node's directory first on PATH. */
function inOldShell(command: string, args: string[], prefix: string) {
  const path = [dirname(oldNode?.path as string), ...(process.env.PATH ?? '').split(delimiter)].join(
    delimiter,
  );
  try {
    const stdout = execFileSync(command, args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: 'pipe',
      env: {
        ...process.env,
        PATH: path,
        INFERWATCH_NODE24_PREFIX: prefix,
        npm_config_update_notifier: 'false',
      },
    });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    return error as { status: number; stdout: string; stderr: string };
  }
}

describe.skipIf(!oldNode)(
  `npm scripts from a shell whose node is ${oldNode?.version ?? 'new enough'}`,
  () => {
    it('the launcher runs the command on the Node 24 that setup installed', () => {
      const result = inOldShell(
        oldNode?.path as string,
        ['scripts/with-supported-node.js', 'node', '-p', 'process.version'],
        node24Prefix,
      );
      expect(result.stdout.trim()).toBe(process.version);
    });

    it('`npm run inferwatch` goes through it and runs the TypeScript sources', () => {
      const result = inOldShell('npm', ['run', '--silent', 'inferwatch', '--', '--version'], node24Prefix);
      expect(result.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
      expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it('`npm start` without Node 24 stops with one line that says how to install it', () => {
      const result = inOldShell('npm', ['start', '--silent'], emptyPrefix);
      expect(result.status).toBe(1);
      expect(result.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^inferwatch needs Node\.js >= 22\.18 \(this is v\d+\.\d+\.\d+ at .*\); install Node 24 with: npm i -g --prefix "\$HOME\/\.node24" node@24/,
        ),
      ]);
    });
  },
);
