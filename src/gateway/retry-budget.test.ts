import { describe, expect, it } from 'vitest';
import { createRetryBudget } from './retry-budget.ts';

describe('retry budget', () => {
  it('allows retries up to the ratio of recent requests', () => {
    const budget = createRetryBudget({ ratio: 0.2, minRetries: 0 });
    for (let i = 0; i < 50; i += 1) budget.request(1_000);
    const allowed = Array.from({ length: 20 }, () => budget.tryRetry(1_000)).filter(Boolean).length;
    expect(allowed).toBe(10);
  });

  it('keeps a floor so a quiet gateway can still retry', () => {
    const budget = createRetryBudget({ ratio: 0.2, minRetries: 3 });
    budget.request(0);
    expect([budget.tryRetry(0), budget.tryRetry(0), budget.tryRetry(0), budget.tryRetry(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('refills as the window slides', () => {
    const budget = createRetryBudget({ ratio: 0.2, minRetries: 1, windowSeconds: 10 });
    expect(budget.tryRetry(0)).toBe(true);
    expect(budget.tryRetry(0)).toBe(false);
    expect(budget.tryRetry(10_500)).toBe(true);
  });
});
