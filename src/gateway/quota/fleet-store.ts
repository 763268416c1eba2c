import type { RedisLink } from '../../redis/index.ts';
import { createMemoryQuotaStore } from './memory-store.ts';
import { periodOf } from './periods.ts';
import { createRedisQuotaStore } from './redis-store.ts';
import {
  type ClientLimits,
  type Period,
  type PeriodUse,
  periods,
  type QuotaStore,
  type QuotaSubject,
  type Usage,
} from './types.ts';

export interface FleetQuotaOptions {
  link: RedisLink;
  /** While Redis is unreachable: enforce a per-replica share, or let requests through. */
  whenDown: 'share' | 'open';
  /** Replicas last seen sharing the limits (the share's divisor). */
  replicas: () => number;
  /** Clients the per-replica store tracks at once while Redis is away (rateLimit.maxClients). */
  maxClients?: number;
}

type Seen = Record<Period, { name: string; use: PeriodUse }>;

/** A count's share for one replica: never 0, so a small limit still lets each replica serve. */
const share = (value: number | null, replicas: number) =>
  value === null ? null : Math.max(1, Math.floor(value / replicas));

/**
 * Fleet-wide limits on Redis, and what a replica does without it. While Redis answers, every check is one
 * atomic script there. When it does not, the replica goes on alone: with `share`, against its part of
 * each limit (limit ÷ replicas last seen; for a budget, the part of what was left when Redis last
 * answered), counted in a fresh in-process store; with `open`, unlimited. What requests used meanwhile is
 * summed per client and added to the fleet's budgets when Redis returns.
 */
export function createFleetQuotaStore({
  link,
  whenDown,
  replicas,
  maxClients,
}: FleetQuotaOptions): QuotaStore {
  const redis = createRedisQuotaStore(link);
  const perReplica = () => createMemoryQuotaStore(maxClients === undefined ? {} : { maxClients });
  let local = perReplica();
  // Per budget client (configured names, or `anonymous`): what Redis last said it spent.
  const seen = new Map<string, Seen>();
  // Usage that could not be added while Redis was away, per budget client, with the limits it had.
  const held = new Map<string, { subject: QuotaSubject; limits: ClientLimits; usage: Usage; at: number }>();

  const remember = (client: string, spent: Partial<Record<Period, PeriodUse>>, now: number) => {
    const entry = {} as Seen;
    for (const period of periods) {
      const use = spent[period];
      if (use) entry[period] = { name: periodOf(period, now).name, use };
    }
    seen.set(client, entry);
  };

  const shareOf = (limits: ClientLimits, budgetClient: string, now: number): ClientLimits => {
    const count = replicas();
    const last = seen.get(budgetClient);
    const left = (period: Period, limit: number | null, field: 'usdMicros' | 'tokens') => {
      if (limit === null) return null;
      const spent = last?.[period]?.name === periodOf(period, now).name ? last[period].use[field] : 0;
      return Math.floor(Math.max(0, limit - spent) / count);
    };
    return {
      requests: share(limits.requests, count),
      windowMs: limits.windowMs,
      tokensPerMinute: share(limits.tokensPerMinute, count),
      budgets: {
        day: {
          usdMicros: left('day', limits.budgets.day.usdMicros, 'usdMicros'),
          tokens: left('day', limits.budgets.day.tokens, 'tokens'),
        },
        month: {
          usdMicros: left('month', limits.budgets.month.usdMicros, 'usdMicros'),
          tokens: left('month', limits.budgets.month.tokens, 'tokens'),
        },
      },
    };
  };

  const hold = (subject: QuotaSubject, limits: ClientLimits, usage: Usage, now: number) => {
    const entry = held.get(subject.budget);
    if (!entry) {
      held.set(subject.budget, { subject, limits, usage: { ...usage }, at: now });
      return;
    }
    entry.usage.tokens += usage.tokens;
    entry.usage.usdMicros += usage.usdMicros;
  };

  link.onChange((available) => {
    // Each outage starts its own per-replica count: what the last one counted reached Redis since.
    if (!available) {
      local = perReplica();
      return;
    }
    const pending = [...held.values()];
    held.clear();
    for (const { subject, limits, usage, at } of pending) {
      // The minute they counted against is long over: only the budgets take them.
      redis.charge(subject, { ...limits, tokensPerMinute: null }, usage, at).catch((error: unknown) => {
        link.failed('budget', error);
        hold(subject, limits, usage, at);
      });
    }
  });

  return {
    async check(subject, limits, options) {
      if (link.available()) {
        try {
          const verdict = await redis.check(subject, limits, options);
          if (options.spends) remember(subject.budget, verdict.spent, options.now);
          return verdict;
        } catch (error) {
          link.failed('rate_limit', error);
        }
      }
      link.fellBack('rate_limit');
      if (whenDown === 'open') return { allowed: true, retryAfterMs: 0, spent: {}, scope: 'open' };
      return local.check(subject, shareOf(limits, subject.budget, options.now), options);
    },
    async charge(subject, limits, usage, now) {
      if (link.available()) {
        try {
          await redis.charge(subject, limits, usage, now);
          return;
        } catch (error) {
          link.failed('budget', error);
        }
      }
      link.fellBack('budget');
      await local.charge(subject, limits, usage, now);
      hold(subject, limits, usage, now);
    },
    async spent(client, now) {
      if (link.available()) {
        try {
          return await redis.spent(client, now);
        } catch (error) {
          link.failed('budget', error);
        }
      }
      const last = seen.get(client);
      const mine = await local.spent(client, now);
      // Without Redis: the fleet's spend as last seen plus what this replica added since.
      const add = (period: Period): PeriodUse => {
        const before = last?.[period]?.name === periodOf(period, now).name ? last[period].use : undefined;
        return {
          usdMicros: (before?.usdMicros ?? 0) + mine[period].usdMicros,
          tokens: (before?.tokens ?? 0) + mine[period].tokens,
          resetMs: mine[period].resetMs,
        };
      };
      return { day: add('day'), month: add('month') };
    },
  };
}
