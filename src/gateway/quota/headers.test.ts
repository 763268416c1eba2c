import { describe, expect, it } from 'vitest';
import { formatReset, rateLimitHeaders } from './headers.ts';

describe("OpenAI's x-ratelimit-* headers", () => {
  it.each([
    [0, '0ms'],
    [17.2, '18ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [1_001, '2s'],
    [59_500, '1m0s'],
    [360_000, '6m0s'],
    [3_723_000, '1h2m3s'],
  ])('a wait of %d ms reads %s', (ms, text) => {
    expect(formatReset(ms)).toBe(text);
  });

  it('names the request and token limits that apply, and nothing for those that do not', () => {
    expect(
      rateLimitHeaders({
        allowed: true,
        retryAfterMs: 0,
        spent: {},
        scope: 'fleet',
        requests: { limit: 60, remaining: 59, resetMs: 1_000 },
        tokens: { limit: 150_000, remaining: 149_984, resetMs: 360_000 },
      }),
    ).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    expect(rateLimitHeaders({ allowed: true, retryAfterMs: 0, spent: {}, scope: 'replica' })).toEqual({});
  });
});
