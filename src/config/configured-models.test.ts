import { describe, expect, it } from 'vitest';
import { createModelRouter } from '../gateway/model-router.ts';
import { configuredModels, exampleModel } from './configured-models.ts';
import { parseConfig } from './load.ts';

const provider = (name: string, models: Record<string, string> = {}) => ({
  name,
  baseURL: `http://127.0.0.1:1/${name}/v1`,
  models,
});

describe('configuredModels', () => {
  it('collects explicit targets, named routes through the mapping, mapping targets and probed models', () => {
    const config = parseConfig({
      providers: [provider('openai', { fast: 'gpt-4o-mini' }), provider('ollama'), provider('spare')],
      routes: [
        { model: '*', targets: [{ provider: 'openai' }, { provider: 'ollama', model: 'llama3.2' }] },
        { model: 'fast', targets: [{ provider: 'openai' }, { provider: 'ollama' }] },
      ],
      prober: { targets: [{ name: 'p', model: { provider: 'openai', model: 'gpt-4.1' } }] },
    });
    expect(Object.fromEntries(configuredModels(config))).toEqual({
      openai: ['gpt-4.1', 'gpt-4o-mini'],
      ollama: ['fast', 'llama3.2'],
      spare: [],
    });
  });

  it('lists what the gateway would send: a route named like an Object.prototype key is passed through', () => {
    const config = parseConfig({
      providers: [provider('openai', { fast: 'gpt-4o-mini' })],
      routes: [{ model: 'constructor', targets: [{ provider: 'openai' }] }],
    });
    const router = createModelRouter(config, () => 0);
    expect(configuredModels(config).get('openai')).toEqual(['constructor', 'gpt-4o-mini']);
    expect(router.resolve('constructor')?.map((target) => target.model)).toEqual(['constructor']);
  });
});

describe('exampleModel', () => {
  it('names the embedded simulator model a probe already uses, and nothing when no name is known', () => {
    const config = parseConfig({
      providers: [provider('p')],
      routes: [{ model: '*', targets: [{ provider: 'p' }] }],
    });
    expect(exampleModel(config)).toBeUndefined();
    expect(exampleModel(config, ['listed'])).toBe('listed');
  });
});
