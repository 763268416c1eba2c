import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ollamaBaseURL } from './defaults.ts';
import { embeddedEnvKeys } from './embedded-env.ts';
import { ConfigError, loadConfig } from './index.ts';

/** The variables of a Sentinel-Ops `.env`, with values other than our defaults so each one shows. */
const sentinelEnv = {
  OPENAI_API_KEY: 'sk-test',
  OPENAI_MODEL: 'gpt-4.1-mini',
  OLLAMA_BASE_URL: 'http://localhost:11434',
  OLLAMA_MODEL: 'qwen2.5',
  REDIS_URL: 'redis://localhost:6379/0',
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: '5',
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '45',
  HEALTH_CHECK_INTERVAL_SECONDS: '20',
  RATE_LIMIT_REQUESTS: '100',
  RATE_LIMIT_WINDOW_SECONDS: '30',
  APP_ENV: 'staging',
};

describe('the embedded default reads the Sentinel-Ops environment', () => {
  it('maps every variable onto its config key', () => {
    const { config } = loadConfig({ env: sentinelEnv });
    expect(config.providers.map((provider) => [provider.name, provider.baseURL])).toEqual([
      ['openai', 'https://api.openai.com/v1'],
      ['ollama', 'http://localhost:11434/v1'],
    ]);
    // OPENAI_MODEL is the named route /api/chat uses without a model, failing over to OLLAMA_MODEL.
    expect(
      config.routes.map((route) => [route.model, route.targets.map((t) => `${t.provider}/${t.model}`)]),
    ).toEqual([
      ['*', ['openai/undefined', 'ollama/qwen2.5']],
      ['gpt-4.1-mini', ['openai/gpt-4.1-mini', 'ollama/qwen2.5']],
    ]);
    expect(config.prober.targets.find((target) => target.name === 'openai-mini')?.model?.model).toBe(
      'gpt-4.1-mini',
    );
    expect(config.redis.url).toBe('redis://localhost:6379/0');
    expect(config.circuitBreaker).toMatchObject({ failureThreshold: 5, recoverySeconds: 45 });
    expect(config.prober.intervalSeconds).toBe(20);
    expect(config.rateLimit).toMatchObject({ requests: 100, windowSeconds: 30 });
    expect(config.telemetry.environment).toBe('staging');
  });

  it('applies the tuning variables to the simulator default too, and INFERWATCH_* still wins', () => {
    const { config } = loadConfig({
      env: { CIRCUIT_BREAKER_FAILURE_THRESHOLD: '7', INFERWATCH_PORT: '9001', RATE_LIMIT_REQUESTS: '5' },
    });
    expect(config.simulator.enabled).toBe(true);
    expect(config.circuitBreaker.failureThreshold).toBe(7);
    expect(config.rateLimit.requests).toBe(5);
    expect(config.server.port).toBe(9001);
    expect(config.routes.map((route) => route.model)).toEqual(['*', 'sim-small']);
  });

  it.each([
    [
      'CIRCUIT_BREAKER_FAILURE_THRESHOLD',
      'three',
      /^circuitBreaker\.failureThreshold: .*CIRCUIT_BREAKER_FAILURE_THRESHOLD/,
    ],
    ['HEALTH_CHECK_INTERVAL_SECONDS', '-5', /^prober\.intervalSeconds: .*HEALTH_CHECK_INTERVAL_SECONDS/],
    ['REDIS_URL', 'http://cache:6379', /^redis\.url: must be a redis:\/\/ or rediss:\/\/ URL .*REDIS_URL/],
  ])('fails at start-up naming the key and %s when it is %j', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ env: { [name]: value } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(message);
  });

  it('leaves a config file alone: the file says what it means (with ${VAR} where it wants one)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'inferwatch-env-')), 'inferwatch.yaml');
    writeFileSync(file, 'circuitBreaker: { failureThreshold: 3 }\ntelemetry: { environment: ${APP_ENV} }\n');
    const env = Object.fromEntries(Object.keys(embeddedEnvKeys).map((name) => [name, '9']));
    const { config } = loadConfig({ file, env });
    expect(config.circuitBreaker.failureThreshold).toBe(3);
    expect(config.prober.intervalSeconds).not.toBe(9);
    expect(config.rateLimit.requests).toBe(0);
    expect(config.telemetry.environment).toBe('9');
  });

  it.each([
    ['http://localhost:11434', 'http://localhost:11434/v1'],
    ['http://localhost:11434/', 'http://localhost:11434/v1'],
    ['http://10.0.0.5:11434/v1', 'http://10.0.0.5:11434/v1'],
    ['https://gpu.example/ollama/v1', 'https://gpu.example/ollama/v1'],
  ])('reads OLLAMA_BASE_URL %s as %s', (value, expected) => {
    expect(ollamaBaseURL(value)).toBe(expected);
  });
});
