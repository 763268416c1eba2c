import { describe, expect, it } from 'vitest';
import { retryDelay } from './backoff.ts';

const settings = { baseDelayMs: 200, maxDelayMs: 5_000 };

describe('retry delay', () => {
  it.each([
    // retry, random, expected: full jitter = floor(random * min(max, base * 2^(retry-1)))
    [1, 0.5, 100],
    [2, 0.5, 200],
    [3, 0.5, 400],
    [3, 0.999, 799],
    [10, 0.5, 2_500], // capped at maxDelayMs before jitter
    [1, 0, 0],
  ])('retry %i with random %f waits %i ms', (retry, random, expected) => {
    expect(retryDelay(retry, settings, { random: () => random, remainingMs: 60_000 })).toBe(expected);
  });

  it('waits at least the upstream Retry-After', () => {
    expect(retryDelay(1, settings, { random: () => 0.5, retryAfterMs: 2_000, remainingMs: 60_000 })).toBe(
      2_000,
    );
  });

  it('keeps the jittered delay when it is longer than Retry-After', () => {
    expect(retryDelay(5, settings, { random: () => 0.9, retryAfterMs: 10, remainingMs: 60_000 })).toBe(2_880);
  });

  it('refuses to wait a Retry-After beyond maxDelayMs (fail over instead)', () => {
    expect(
      retryDelay(1, settings, { random: () => 0, retryAfterMs: 5_001, remainingMs: 60_000 }),
    ).toBeUndefined();
  });

  it('refuses a delay that would use up the deadline', () => {
    expect(
      retryDelay(1, settings, { random: () => 0, retryAfterMs: 1_000, remainingMs: 1_000 }),
    ).toBeUndefined();
    expect(retryDelay(1, settings, { random: () => 0, retryAfterMs: 1_000, remainingMs: 1_001 })).toBe(1_000);
  });
});
