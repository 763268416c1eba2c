import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.ts';
import { createModelRouter } from './model-router.ts';

const config = parseConfig({
  store: { path: ':memory:' },
  providers: [
    { name: 'a', baseURL: 'http://127.0.0.1:1/v1', models: { fast: 'a-fast-v2' } },
    { name: 'b', baseURL: 'http://127.0.0.1:2/v1' },
    { name: 'c', baseURL: 'http://127.0.0.1:3/v1' },
  ],
  routes: [
    {
      model: 'chat',
      targets: [
        { provider: 'c', model: 'c-big', priority: 1 },
        { provider: 'a', model: 'a-1', weight: 3, priority: 0 },
        { provider: 'b', model: 'b-1', weight: 1, priority: 0 },
      ],
    },
    { model: '*', targets: [{ provider: 'a' }, { provider: 'b', model: 'fallback' }] },
  ],
});

describe('router', () => {
  it('orders by priority and picks by weight within a priority', () => {
    // random 0.5 × total weight 4 = 2 → falls in a's share [0, 3).
    expect(
      createModelRouter(config, () => 0.5)
        .resolve('chat')
        ?.map((t) => t.key),
    ).toEqual(['a/a-1', 'b/b-1', 'c/c-big']);
    // random 0.8 × 4 = 3.2 → b's share [3, 4).
    expect(
      createModelRouter(config, () => 0.8)
        .resolve('chat')
        ?.map((t) => t.key),
    ).toEqual(['b/b-1', 'a/a-1', 'c/c-big']);
  });

  it('spreads equal-priority traffic by weight', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const router = createModelRouter(config, random);
    let first = 0;
    for (let i = 0; i < 4000; i += 1) if (router.resolve('chat')?.[0]?.provider === 'a') first += 1;
    expect(first / 4000).toBeGreaterThan(0.7);
    expect(first / 4000).toBeLessThan(0.8);
  });

  it('keeps list order when no priority is given', () => {
    expect(
      createModelRouter(config, () => 0.99)
        .resolve('gpt-x')
        ?.map((t) => t.provider),
    ).toEqual(['a', 'b']);
  });

  it('falls back to the wildcard route, passing the model through or mapping it', () => {
    const router = createModelRouter(config, () => 0);
    expect(router.resolve('gpt-x')?.map((t) => t.key)).toEqual(['a/gpt-x', 'b/fallback']);
    expect(router.resolve('fast')?.map((t) => t.key)).toEqual(['a/a-fast-v2', 'b/fallback']);
  });

  it('has no chain for an unknown model without a wildcard', () => {
    const strict = parseConfig({ ...config, routes: config.routes.slice(0, 1) });
    expect(createModelRouter(strict, () => 0).resolve('other')).toBeUndefined();
  });

  it('lists route and mapped model names and bounds metric labels', () => {
    const router = createModelRouter(config, () => 0);
    expect(router.models().sort()).toEqual(['chat', 'fast']);
    expect(router.label('chat')).toBe('chat');
    expect(router.label('anything-a-client-sends')).toBe('*');
  });

  it('keeps only the targets that serve an operation: their own list, else their provider type', () => {
    const mixed = parseConfig({
      store: { path: ':memory:' },
      providers: [
        { name: 'claude', type: 'anthropic' },
        { name: 'oai', baseURL: 'http://127.0.0.1:1/v1' },
      ],
      routes: [
        {
          model: 'm',
          targets: [
            { provider: 'claude', model: 'c' },
            { provider: 'oai', model: 'e', operations: ['embeddings'] },
          ],
        },
        { model: 'chat-only', targets: [{ provider: 'claude', model: 'c' }] },
      ],
    });
    const router = createModelRouter(mixed, () => 0);
    expect(router.resolveFor('m', 'chat')?.map((target) => target.key)).toEqual(['claude/c']);
    expect(router.resolveFor('m', 'embeddings')?.map((target) => target.key)).toEqual(['oai/e']);
    expect(router.resolveFor('m', 'responses')).toBeUndefined();
    expect(router.resolveFor('chat-only', 'embeddings')).toBeUndefined();
    expect(router.resolve('chat-only')).toHaveLength(1);
  });
});
