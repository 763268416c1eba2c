import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inCI } from './required-tools.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs the fixture that needs a tool no machine has, through vitest itself, with the given CI value. */
function runFixture(ci: string | undefined): Promise<{ code: number; output: string }> {
  const env = { ...process.env };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--config',
        'test/fixtures/vitest.fixtures.config.ts',
        'test/fixtures/missing-tool.fixture.ts',
      ],
      { cwd: root, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe('a missing required tool', () => {
  it('skips with the reason shown when CI is not set', async () => {
    const { code, output } = await runFixture(undefined);
    expect(code).toBe(0);
    expect(output).toContain(
      'skipped because the never-installed tool (/nonexistent/tool) is missing (install it)',
    );
  }, 60_000);

  it('fails the run when CI is set', async () => {
    const { code, output } = await runFixture('true');
    expect(code).not.toBe(0);
    expect(output).toContain('CI must have every tool the tests use: the never-installed tool');
  }, 60_000);

  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('CI=%s counts as CI: %s', (value, expected) => {
    expect(inCI(value === undefined ? {} : { CI: value })).toBe(expected);
  });
});
