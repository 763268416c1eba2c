import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.ts';
import { createLimitsTable } from './limits.ts';

const table = (input: Record<string, unknown>) =>
  createLimitsTable(parseConfig({ store: { path: ':memory:' }, ...input }));
const subject = (name: string) => ({ limiter: name, budget: name });

describe('limits per client', () => {
  it('limits nothing by default, so the check is skipped entirely', () => {
    const limits = table({});
    expect(limits.any).toBe(false);
    expect(limits.of(subject('ip:127.0.0.1'))).toEqual({
      requests: null,
      windowMs: 60_000,
      tokensPerMinute: null,
      budgets: { day: { usdMicros: null, tokens: null }, month: { usdMicros: null, tokens: null } },
    });
  });

  it("takes a key's own entries field by field over the defaults", () => {
    const limits = table({
      rateLimit: { requests: 10, tokensPerMinute: 1_000, clients: { search: { requests: 500 } } },
      budgets: {
        daily: { usd: 5, tokens: 100_000 },
        clients: { search: { daily: { usd: 50 } }, batch: { monthly: { tokens: 0 } } },
      },
    });
    expect(limits.any).toBe(true);
    expect(limits.of(subject('search'))).toMatchObject({
      requests: 500,
      tokensPerMinute: 1_000,
      budgets: { day: { usdMicros: 50_000_000, tokens: 100_000 } },
    });
    expect(limits.of(subject('other'))).toMatchObject({
      requests: 10,
      budgets: { day: { usdMicros: 5_000_000 } },
    });
    // 0 means none, also in a key's own entry.
    expect(limits.of(subject('batch')).budgets.month.tokens).toBeNull();
    expect(limits.budgetClients).toEqual(['search', 'batch']);
  });

  it('limits when only one key has a limit of its own', () => {
    expect(table({ rateLimit: { clients: { search: { requests: 5 } } } }).any).toBe(true);
  });

  it('never matches a name inherited from Object.prototype', () => {
    const limits = table({ rateLimit: { requests: 3 } });
    expect(limits.of(subject('constructor')).requests).toBe(3);
    expect(limits.of(subject('__proto__')).requests).toBe(3);
  });
});
