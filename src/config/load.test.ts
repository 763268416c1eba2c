import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, derivedKeyName, loadConfig } from './index.ts';

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
        // With API keys the webhook needs its token too (or an explicit opt-out).
        INFERWATCH_WEBHOOK_TOKEN: 'wh1',
      },
    });
    expect(config.providers[0]?.apiKey).toBe('sk-test');
    expect(config.server.apiKeys).toEqual([{ name: derivedKeyName('k1'), key: 'k1' }]);
    expect(config.analyzer.webhookToken).toBe('wh1');
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
    const file = writeConfig(
      `${designExample}\nbogus: 1\n`
        .replace('port: 8080', 'port: "eighty"')
        .replace('apiKey: ${OPENAI_API_KEY}, model: gpt-4o-mini', 'model: ${LLM_MODEL}'),
    );
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
    expect(problems).toMatch(/analyzer\.llm\.model: required .*\$\{LLM_MODEL\}, which is not set/);
  });

  it('leaves out a notifier whose destination variable is unset, says so, and keeps later hints right', () => {
    const file = writeConfig(
      `${designExample}`.replace(
        '- { type: console }',
        '- { type: console }\n    - { type: discord, webhookURL: "${DISCORD_URL}", name: 7 }',
      ),
    );
    const loaded = loadConfig({
      file: writeConfig(designExample),
      env: { OPENAI_API_KEY: 'sk-test' },
    });
    expect(loaded.config.analyzer.notify.map((notifier) => notifier.type)).toEqual(['webhook', 'console']);
    expect(loaded.notes).toEqual(['analyzer.notify.0 (slack) is left out: ${SLACK_WEBHOOK_URL} is not set']);
    // The discord entry moves from index 3 to 2; its own problem still names the right path.
    expect(() => loadConfig({ file, env: { DISCORD_URL: 'https://discord.test/x' } })).toThrow(
      /analyzer\.notify\.2\.name: /,
    );
  });

  it('shows a YAML syntax error on the offending line with a caret, columns counted on the file as written', () => {
    const file = writeConfig(
      'server:\n  port: 8080\nproviders:\n  - { name: a, apiKey: ${KEY}, baseURL: [x }\n',
    );
    let message = '';
    try {
      loadConfig({ file, env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    const at = lines.findIndex((line) => line.includes('4 |   - { name: a, apiKey: ${KEY}, baseURL: [x }'));
    expect(lines[1]).toMatch(/^ {2}\(yaml\) line 4, column \d+: \S/);
    expect(at).toBeGreaterThan(1);
    const column = Number(/column (\d+)/.exec(lines[1] ?? '')?.[1]);
    const caret = lines[at + 1] ?? '';
    expect(caret.indexOf('^') - caret.indexOf('|') - 2).toBe(column - 1);
    // The caret points into the file's own text, after the ${KEY} reference, not at a shifted column.
    expect((lines[at] ?? '').slice((lines[at] ?? '').indexOf('|') + 2)[column - 1]).toMatch(/[x}\]]/);
  });

  it('suggests the nearest valid key for a misspelt one, also when its value was an unset variable', () => {
    const file = writeConfig(
      'server: { hots: 0.0.0.0 }\nproviders:\n  - { name: a, baseUrl: "http://127.0.0.1:1/v1", apikey: "${KEY}" }\n',
    );
    let problems: string[] = [];
    try {
      loadConfig({ file, env: {} });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        'server.hots: unknown key (did you mean "host"?)',
        'providers.0.baseUrl: unknown key (did you mean "baseURL"?)',
        'providers.0.apikey: unknown key (did you mean "apiKey"?)',
        'providers.0.baseURL: required (a URL) but missing: type openai has no default base URL',
      ]),
    );
  });

  it('reports a route to an unknown provider in the same round as the schema problems', () => {
    const file = writeConfig(
      'server: { port: "eighty" }\nproviders: [{ name: a, baseURL: "http://127.0.0.1:1/v1" }]\nroutes: [{ model: "*", targets: [{ provider: b }] }]\n',
    );
    let problems: string[] = [];
    try {
      loadConfig({ file, env: {} });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^server\.port: /);
    expect(problems[1]).toBe('routes.0.targets.0.provider: unknown provider "b"');
  });

  it('loads named API keys and per-model prices as the second-round keys spell them', () => {
    const file = writeConfig(`
server:
  apiKeys:
    - { name: team-search, key: "\${SEARCH_KEY}" }
    - \${INFERWATCH_API_KEY}
analyzer: { enabled: false }
providers:
  - name: vllm
    baseURL: http://10.0.0.5:8000/v1
    pricing: { "llama-3.1-8b": { inputPerMillion: 0.05, outputPerMillion: 0.08 } }
`);
    const { config } = loadConfig({ file, env: { SEARCH_KEY: 'sk-search', INFERWATCH_API_KEY: 'sk-plain' } });
    expect(config.server.apiKeys).toEqual([
      { name: 'team-search', key: 'sk-search' },
      { name: derivedKeyName('sk-plain'), key: 'sk-plain' },
    ]);
    expect(derivedKeyName('sk-plain')).toMatch(/^key-[0-9a-f]{8}$/);
    expect(derivedKeyName('sk-plain')).not.toContain('sk-plain');
    expect(config.providers[0]?.pricing['llama-3.1-8b']).toEqual({
      inputPerMillion: 0.05,
      outputPerMillion: 0.08,
    });
    expect(config.providers[0]?.maxConnections).toBeUndefined();
    expect(config.providers[0]?.http2).toBe(false);
  });

  it.each([
    [
      'a duplicate name',
      '[{ name: a, key: k1 }, { name: a, key: k2 }]',
      /server\.apiKeys\.1\.name: duplicate name "a"/,
    ],
    ['the same key twice', '[k1, { name: b, key: k1 }]', /server\.apiKeys\.1: the same key is listed twice/],
    [
      'a name that is the key',
      '[{ name: k1, key: k1 }]',
      /server\.apiKeys\.0\.name: the name must not be the key/,
    ],
    ['a name that is not a label', '[{ name: "Team A", key: k1 }]', /server\.apiKeys\.0.*name/],
    [
      'a named entry with an empty key',
      '[{ name: a, key: "" }]',
      /server\.apiKeys\.0\.key: must not be empty/,
    ],
  ])('rejects API keys with %s, naming the entry', (_label, keys, problem) => {
    const file = writeConfig(`server: { apiKeys: ${keys} }\n`);
    expect(() => loadConfig({ file, env: {} })).toThrow(problem);
  });

  it('leaves out a named key whose variable is unset, with a note, as it drops an unset plain key', () => {
    const file = writeConfig(
      'server:\n  apiKeys:\n    - ${UNSET_PLAIN}\n    - { name: a, key: "${UNSET_A}" }\n    - { name: b, key: "${B}" }\n    - { name: c, key: "${UNSET_C}" }\nanalyzer: { enabled: false }\n',
    );
    const { config, notes } = loadConfig({ file, env: { B: 'sk-b' } });
    expect(config.server.apiKeys).toEqual([{ name: 'b', key: 'sk-b' }]);
    expect(notes).toEqual([
      'server.apiKeys.1 (a) is left out: ${UNSET_A} is not set',
      'server.apiKeys.3 (c) is left out: ${UNSET_C} is not set',
    ]);
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
