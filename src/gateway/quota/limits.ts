import type { Config } from '../../config/index.ts';
import type { Allowance, ClientLimits, Period, QuotaSubject } from './types.ts';

const orNull = (value: number | undefined) => (value && value > 0 ? value : null);
const micros = (usd: number | undefined) => orNull(usd === undefined ? undefined : Math.round(usd * 1e6));

type AllowanceInput = { usd?: number | undefined; tokens?: number | undefined } | undefined;

/** A client's own allowance field by field over the default one. */
function allowance(own: AllowanceInput, fallback: AllowanceInput): Allowance {
  return {
    usdMicros: micros(own?.usd ?? fallback?.usd),
    tokens: orNull(own?.tokens ?? fallback?.tokens),
  };
}

export interface LimitsTable {
  /** The limits that apply to a subject (resolved once per client, then reused). */
  of(subject: QuotaSubject): ClientLimits;
  /** True when anything at all is limited: otherwise the check is skipped entirely. */
  any: boolean;
  /** Budget clients named in the config (reported in /api/metrics even before their first request). */
  budgetClients: string[];
}

/** `rateLimit` and `budgets` resolved per client name; unnamed clients (addresses) get the defaults. */
export function createLimitsTable(config: Config): LimitsTable {
  const { rateLimit, budgets } = config;
  const cache = new Map<string, ClientLimits>();
  const resolve = (subject: QuotaSubject): ClientLimits => {
    const own = Object.hasOwn(rateLimit.clients, subject.limiter)
      ? rateLimit.clients[subject.limiter]
      : undefined;
    const budget = Object.hasOwn(budgets.clients, subject.budget)
      ? budgets.clients[subject.budget]
      : undefined;
    return {
      requests: orNull(own?.requests ?? rateLimit.requests),
      windowMs: (own?.windowSeconds ?? rateLimit.windowSeconds) * 1000,
      tokensPerMinute: orNull(own?.tokensPerMinute ?? rateLimit.tokensPerMinute),
      budgets: {
        day: allowance(budget?.daily, budgets.daily),
        month: allowance(budget?.monthly, budgets.monthly),
      } satisfies Record<Period, Allowance>,
    };
  };
  const limited = (limits: ClientLimits) =>
    limits.requests !== null ||
    limits.tokensPerMinute !== null ||
    Object.values(limits.budgets).some((entry) => entry.usdMicros !== null || entry.tokens !== null);
  const named = [...new Set([...Object.keys(rateLimit.clients), ...Object.keys(budgets.clients)])];
  const any =
    limited(resolve({ limiter: '', budget: '' })) ||
    named.some((name) => limited(resolve({ limiter: name, budget: name })));
  return {
    any,
    budgetClients: Object.keys(budgets.clients),
    of(subject) {
      // Only configured names get their own entry; every other client shares the defaults' object.
      const configured =
        Object.hasOwn(rateLimit.clients, subject.limiter) || Object.hasOwn(budgets.clients, subject.budget);
      const key = configured ? `${subject.limiter}\u0000${subject.budget}` : '';
      let limits = cache.get(key);
      if (!limits) {
        limits = configured ? resolve(subject) : resolve({ limiter: '', budget: '' });
        cache.set(key, limits);
      }
      return limits;
    },
  };
}

/** Whether any limit or budget applies to these limits for a request that spends (chat) or not. */
export const limitsApply = (limits: ClientLimits, spends: boolean) =>
  limits.requests !== null ||
  (spends &&
    (limits.tokensPerMinute !== null ||
      Object.values(limits.budgets).some((entry) => entry.usdMicros !== null || entry.tokens !== null)));
