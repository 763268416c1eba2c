import { periodOf, TOKEN_WINDOW_MS } from './periods.ts';
import {
  type ClientLimits,
  type Period,
  type PeriodUse,
  periods,
  type QuotaStore,
  type QuotaVerdict,
} from './types.ts';

interface Window {
  start: number;
  used: number;
  shared?: boolean;
}

export interface MemoryQuotaOptions {
  /** Clients tracked at once; past it (after dropping expired windows) new clients share one window. */
  maxClients?: number;
  /** Called once per window length when new clients start sharing the overflow window. */
  onSaturated?: (tracked: number) => void;
}

const SHARED = '\u0000shared';

/**
 * Requests, tokens and spend counted in this process: the store of a single replica, and each replica's
 * own while Redis is unreachable. A window starts with a client's first request and lasts its length;
 * budgets run per UTC day and month. Bounded: at most `maxClients` windows of each kind.
 */
export function createMemoryQuotaStore({
  maxClients = 100_000,
  onSaturated = () => {},
}: MemoryQuotaOptions = {}): QuotaStore {
  const requestWindows = new Map<string, Window>();
  const tokenWindows = new Map<string, Window>();
  const spend = new Map<string, { period: string; usdMicros: number; tokens: number }>();
  let reportedAt = Number.NEGATIVE_INFINITY;

  /**
   * The live window for a client, made (or restarted) at `now`; a full table hands out the shared one
   * (it may sit one entry above maxClients: it is what holds the table there).
   */
  const windowOf = (table: Map<string, Window>, client: string, windowMs: number, now: number) => {
    let key = client;
    let window = table.get(key);
    if (!window && table.size >= maxClients) {
      for (const [other, value] of table) if (now - value.start >= windowMs) table.delete(other);
      if (table.size >= maxClients) {
        key = SHARED;
        window = table.get(SHARED);
        if (now - reportedAt >= windowMs) {
          reportedAt = now;
          onSaturated(table.size);
        }
      }
    }
    if (!window || now - window.start >= windowMs) {
      window = { start: now, used: 0, shared: key === SHARED };
      table.set(key, window);
    }
    return window;
  };

  const spentIn = (client: string, period: Period, now: number): PeriodUse => {
    const { name, endsAt } = periodOf(period, now);
    const entry = spend.get(`${period}\u0000${client}`);
    const current = entry?.period === name ? entry : undefined;
    return { usdMicros: current?.usdMicros ?? 0, tokens: current?.tokens ?? 0, resetMs: endsAt - now };
  };

  return {
    async check(subject, limits, { now, spends }) {
      const spent = {
        day: spentIn(subject.budget, 'day', now),
        month: spentIn(subject.budget, 'month', now),
      };
      const verdict: QuotaVerdict = { allowed: true, retryAfterMs: 0, spent, scope: 'replica' };
      if (spends) {
        for (const period of periods) {
          if (!overBudget(limits, period, spent[period])) continue;
          return {
            ...verdict,
            allowed: false,
            refusedBy: 'budget',
            period,
            retryAfterMs: spent[period].resetMs,
          };
        }
        if (limits.tokensPerMinute !== null) {
          // Read, not made: a token minute starts with the first tokens charged to it.
          const live = tokenWindows.get(subject.limiter);
          const window = live && now - live.start < TOKEN_WINDOW_MS ? live : { start: now, used: 0 };
          verdict.tokens = windowState(limits.tokensPerMinute, window, TOKEN_WINDOW_MS, now);
          if (window.used >= limits.tokensPerMinute)
            return { ...verdict, allowed: false, refusedBy: 'tokens', retryAfterMs: verdict.tokens.resetMs };
        }
      }
      if (limits.requests !== null) {
        const window = windowOf(requestWindows, subject.limiter, limits.windowMs, now);
        if (window.used >= limits.requests) {
          verdict.requests = windowState(limits.requests, window, limits.windowMs, now);
          return {
            ...verdict,
            allowed: false,
            refusedBy: 'requests',
            retryAfterMs: verdict.requests.resetMs,
            shared: window.shared === true,
          };
        }
        window.used += 1;
        verdict.requests = windowState(limits.requests, window, limits.windowMs, now);
      }
      return verdict;
    },
    async charge(subject, limits, usage, now) {
      if (limits.tokensPerMinute !== null && usage.tokens > 0) {
        windowOf(tokenWindows, subject.limiter, TOKEN_WINDOW_MS, now).used += usage.tokens;
      }
      for (const period of periods) {
        const { name } = periodOf(period, now);
        const key = `${period}\u0000${subject.budget}`;
        const entry = spend.get(key);
        const current = entry?.period === name ? entry : { period: name, usdMicros: 0, tokens: 0 };
        current.usdMicros += usage.usdMicros;
        current.tokens += usage.tokens;
        spend.set(key, current);
      }
    },
    async spent(client, now) {
      return { day: spentIn(client, 'day', now), month: spentIn(client, 'month', now) };
    },
  };
}

export const windowState = (limit: number, window: Window, windowMs: number, now: number) => ({
  limit,
  remaining: Math.max(0, limit - window.used),
  resetMs: Math.max(0, window.start + windowMs - now),
});

/** Whether a period's spend or tokens reached the client's allowance (none set: never). */
export function overBudget(limits: ClientLimits, period: Period, use: PeriodUse): boolean {
  const { usdMicros, tokens } = limits.budgets[period];
  return (usdMicros !== null && use.usdMicros >= usdMicros) || (tokens !== null && use.tokens >= tokens);
}
