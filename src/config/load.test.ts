import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

const writeConfig = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'inferwatch-config-')), 'inferwatch.yaml');
  writeFileSync(file, text);
  return file;
};

const designExample = `
server: { host: 127.0.0.1, port: 8080, apiKeys: ["\${INFERWATCH_API_KEY}"] }
telemetry: { otlpEndpoint: http://127.0.0.1:4318, serviceName: inferwatch, region: eu-west-1 }
store: { path: ./data/inferwatch.db }
providers:
  - name: openai
    baseURL: https://api.openai.com/v1
    apiKey: \${OPENAI_API_KEY}
    timeouts: { connectMs: 3000, firstTokenMs: 15000, idleMs: 10000, totalMs: 60000 }
  - name: ollama
    baseURL: http://127.0.0.1:11434/v1
routes:
  - model: "*"
    targets:
      - { provider: openai }
      - { provider: ollama, model: llama3.2 }
retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5000 }
circuitBreaker: { failureThreshold: 3, recoverySeconds: 30, halfOpenMaxRequests: 1 }
rateLimit: { requests: 100, windowSeconds: 60 }
prober:
  region: eu-west-1
  intervalSeconds: 60
  targets:
    - { name: api-health, http: { url: https://example.com/health, expectStatus: [200] } }
    - { name: gpt-mini, model: { provider: openai, model: gpt-4o-mini } }
analyzer:
  webhookToken: \${INFERWATCH_WEBHOOK_TOKEN}
  prometheusURL: http://127.0.0.1:9090
  alertmanagerURL: http://127.0.0.1:9093
  llm: { baseURL: https://api.openai.com/v1, apiKey: \${OPENAI_API_KEY}, model: gpt-4o-mini }
  notify:
    - { type: slack, webhookURL: \${SLACK_WEBHOOK_URL} }
    - { type: webhook, url: https://example.com/hook, secret: \${HOOK_SECRET} }
    - { type: console }
`;

describe('loadConfig', () => {
  it('loads the documented config shape as written, with secrets from the environment', () => {
    const { config } = loadConfig({
      file: writeConfig(designExample),
      env: {
        OPENAI_API_KEY: 'sk-test',
        SLACK_WEBHOOK_URL: 'https://hooks.slack.test/x',
        INFERWATCH_API_KEY: 'k1',
      },
    });
    expect(config.providers[0]?.apiKey).toBe('sk-test');
    expect(config.server.apiKeys).toEqual(['k1']);
    expect(config.routes[0]?.targets[1]).toMatchObject({ provider: 'ollama', model: 'llama3.2' });
    expect(config.circuitBreaker.halfOpenMaxRequests).toBe(1);
    expect(config.analyzer.notify).toHaveLength(3);
  });

  it('drops optional keys whose variable is unset instead of sending an empty secret', () => {
    const { config } = loadConfig({
      file: writeConfig(designExample),
      env: { SLACK_WEBHOOK_URL: 'https://hooks.slack.test/x' },
    });
    expect(config.providers[0]?.apiKey).toBeUndefined();
    expect(config.server.apiKeys).toEqual([]);
    expect(config.analyzer.webhookToken).toBeUndefined();
  });

  it('lists every problem as path: reason and names the unset variable', () => {
    const file = writeConfig(`${designExample}\nbogus: 1\n`.replace('port: 8080', 'port: "eighty"'));
    let error: unknown;
    try {
      loadConfig({ file, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^server\.port: /m);
    expect(problems).toMatch(/bogus/);
    expect(problems).toMatch(/analyzer\.notify\.0\.webhookURL: .*\$\{SLACK_WEBHOOK_URL\}, which is not set/);
  });

  it('rejects routes that name an unknown provider', () => {
    const file = writeConfig(
      'providers: [{ name: a, baseURL: "http://127.0.0.1:1/v1" }]\nroutes: [{ model: "*", targets: [{ provider: b }] }]\n',
    );
    expect(() => loadConfig({ file, env: {} })).toThrow(
      /routes\.0\.targets\.0\.provider: unknown provider "b"/,
    );
  });

  it('falls back to embedded defaults with simulated providers when no file and no keys are given', () => {
    const { config, embedded } = loadConfig({ env: { INFERWATCH_PORT: '9999' } });
    expect(embedded).toBe(true);
    expect(config.simulator.enabled).toBe(true);
    expect(config.providers.map((provider) => provider.baseURL)).toEqual([
      'http://127.0.0.1:9999/simulator/primary/v1',
      'http://127.0.0.1:9999/simulator/backup/v1',
    ]);
  });

  it('uses OpenAI when OPENAI_API_KEY is set', () => {
    const { config } = loadConfig({ env: { OPENAI_API_KEY: 'sk-x' } });
    expect(config.providers.map((provider) => provider.name)).toEqual(['openai']);
    expect(config.simulator.enabled).toBe(false);
  });
});
