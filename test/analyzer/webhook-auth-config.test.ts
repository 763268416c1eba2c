import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/index.ts';

const problemsOf = (input: Record<string, unknown>) => {
  try {
    parseConfig(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('server.apiKeys without analyzer.webhookToken', () => {
  it('is refused, naming the key and both ways out', () => {
    const problems = problemsOf({ server: { apiKeys: ['k'] } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^analyzer\.webhookToken: /);
    expect(problems[0]).toContain('analyzer.allowUnauthenticatedWebhook: true');
    expect(problems[0]).toContain('analyzer.enabled: false');
  });

  it.each([
    ['a webhook token', { server: { apiKeys: ['k'] }, analyzer: { webhookToken: 't' } }],
    ['the explicit opt-out', { server: { apiKeys: ['k'] }, analyzer: { allowUnauthenticatedWebhook: true } }],
    ['the analyzer off', { server: { apiKeys: ['k'] }, analyzer: { enabled: false } }],
    ['no keys at all (open mode, loopback by default)', {}],
  ])('is accepted with %s', (_name, input) => {
    expect(problemsOf(input)).toEqual([]);
  });

  it('the embedded defaults start; with INFERWATCH_API_KEYS they also need INFERWATCH_WEBHOOK_TOKEN', () => {
    expect(() => loadConfig({ env: {} })).not.toThrow();
    expect(() => loadConfig({ env: { INFERWATCH_API_KEYS: 'k' } })).toThrow(/analyzer\.webhookToken/);
    expect(() =>
      loadConfig({ env: { INFERWATCH_API_KEYS: 'k', INFERWATCH_WEBHOOK_TOKEN: 't' } }),
    ).not.toThrow();
  });

  it('inferwatch check-config says so and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferwatch-webhook-'));
    const file = join(dir, 'inferwatch.yaml');
    writeFileSync(file, 'server:\n  apiKeys: [k-1]\n');
    try {
      const run = promisify(execFile)(process.execPath, ['src/main.ts', 'check-config', '--config', file], {
        cwd: resolve(import.meta.dirname, '../..'),
        env: { ...process.env, INFERWATCH_API_KEYS: '', INFERWATCH_WEBHOOK_TOKEN: '' },
      });
      await expect(run).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/analyzer\.webhookToken: .*allowUnauthenticatedWebhook/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
