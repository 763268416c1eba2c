import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.ts';
import { resolveTargets } from './probe-targets.ts';

const providers = [
  { name: 'openai', baseURL: 'https://api.example.com/v1', apiKey: 'sk-1', headers: { 'x-org': 'o' } },
];

describe('probe targets', () => {
  it('loads the documented prober keys as written and applies defaults', () => {
    const config = parseConfig({
      providers,
      prober: {
        region: 'eu-west-1',
        intervalSeconds: 60,
        targets: [
          { name: 'api-health', http: { url: 'https://example.com/health', expectStatus: [200] } },
          { name: 'gpt-mini', model: { provider: 'openai', model: 'gpt-4o-mini' } },
        ],
      },
    });
    const [health, mini] = resolveTargets(config, () => 'http://127.0.0.1:1');
    expect(health).toMatchObject({
      name: 'api-health',
      kind: 'http',
      intervalMs: 60_000,
      failureThreshold: 2,
      recoveryThreshold: 2,
    });
    expect(mini?.check.kind === 'model' && mini.check.spec.endpoint()).toEqual({
      baseURL: 'https://api.example.com/v1',
      apiKey: 'sk-1',
      headers: { 'x-org': 'o' },
    });
    expect(mini?.check.kind === 'model' && mini.check.spec).toMatchObject({
      stream: true,
      maxTokens: 5,
      providerName: 'openai',
    });
  });

  it('resolves baseURL: self lazily to the listening URL', () => {
    let self = 'http://127.0.0.1:8080';
    const config = parseConfig({
      server: { apiKeys: ['k1'] },
      analyzer: { enabled: false },
      prober: {
        targets: [{ name: 'gw', intervalSeconds: 5, model: { baseURL: 'self', model: 'gpt-4o-mini' } }],
      },
    });
    const [gw] = resolveTargets(config, () => self);
    self = 'http://127.0.0.1:43210';
    expect(gw?.intervalMs).toBe(5000);
    expect(gw?.check.kind === 'model' && gw.check.spec.endpoint()).toEqual({
      baseURL: 'http://127.0.0.1:43210/v1',
      apiKey: 'k1',
      headers: {},
    });
  });

  it('names the key path of an unknown provider at config load', () => {
    expect(() =>
      parseConfig({
        providers,
        prober: { targets: [{ name: 'x', model: { provider: 'nope', model: 'm' } }] },
      }),
    ).toThrow(/prober\.targets\.0\.model\.provider: unknown provider "nope"/);
  });

  it('rejects a target with both or neither check kinds, and duplicate names', () => {
    expect(() => parseConfig({ prober: { targets: [{ name: 'x' }] } })).toThrow(
      /exactly one of http or model/,
    );
    const twice = { name: 'x', http: { url: 'http://127.0.0.1/' } };
    expect(() => parseConfig({ prober: { targets: [twice, twice] } })).toThrow(/unique/);
  });
});
