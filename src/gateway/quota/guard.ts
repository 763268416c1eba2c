import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../../config/index.ts';
import { HttpError, tooManyRequests } from '../../http/index.ts';
import type { Instruments } from '../../telemetry/index.ts';
import { semconv as n } from '../../telemetry/index.ts';
import { rateLimitHeaders } from './headers.ts';
import { createLimitsTable, limitsApply } from './limits.ts';
import type { ClientLimits, Period, PeriodUse, QuotaStore, QuotaSubject, QuotaVerdict } from './types.ts';
import { periods } from './types.ts';

/** `res.locals` field holding what a request counts against, for its charge when it ends. */
const QUOTA = 'quota';

export interface QuotaGuard {
  /** The check for a route; `spends` for chat (tokens and budgets apply), else requests only. */
  middleware(spends: boolean): RequestHandler;
  /** Adds an answered attempt's tokens and cost to its client's minute and budgets (once per attempt). */
  charge(res: Response, usage: { tokens: number; costUsd?: number | undefined }): void;
  /** Budgets per client key (spent, limit, reset) as last refreshed, for GET /api/metrics. */
  summary(): Record<string, Record<Period, BudgetReport>>;
  /** Reads the budget clients' spend (the fleet's, with Redis) and records the budget gauges. */
  refresh(): Promise<void>;
  /** Cancels the reports still scheduled. */
  stop(): void;
}

export interface BudgetReport {
  spentUsd: number;
  spentTokens: number;
  limitUsd: number | null;
  limitTokens: number | null;
  resetsAt: string;
}

export interface QuotaGuardOptions {
  config: Config;
  store: QuotaStore;
  subjectOf: (req: Request, res: Response) => QuotaSubject;
  /** Budget clients reported even before their first request: every configured key's name. */
  clients: readonly string[];
  instruments: Instruments;
  now: () => number;
}

const budgetExceeded = (period: Period, retryAfterMs: number) =>
  new HttpError(
    429,
    `This API key's ${period === 'day' ? 'daily' : 'monthly'} budget is used up; it renews at the start of the next UTC ${period}.`,
    {
      type: 'insufficient_quota',
      code: 'budget_exceeded',
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    },
  );

const usd = (micros: number) => Math.round(micros) / 1e6;

/** How often at most one client's budget report is re-read after its requests. */
const REPORT_EVERY_MS = 1_000;

/**
 * Rate limits, token limits and budgets per client key in front of the gateway's routes: one check per
 * request (one round trip with Redis), OpenAI's x-ratelimit-* headers on the answer, 429s that say which
 * limit bit and when to come back, and the request's usage charged when it ends. Nothing configured:
 * no check at all, as before any of this existed.
 */
export function createQuotaGuard({
  config,
  store,
  subjectOf,
  clients,
  instruments,
  now,
}: QuotaGuardOptions): QuotaGuard {
  const table = createLimitsTable(config);
  const reported = new Map<string, Record<Period, BudgetReport>>();
  const budgetClients = [...new Set([...clients, ...table.budgetClients])];

  const refuse = (verdict: QuotaVerdict) => {
    instruments.gatewayRateLimited.record(1, {
      [n.ATTR_REASON]: verdict.refusedBy ?? 'requests',
      [n.ATTR_RATE_LIMIT_BUCKET]: verdict.shared ? 'shared' : 'client',
    });
    if (verdict.refusedBy === 'budget') return budgetExceeded(verdict.period ?? 'day', verdict.retryAfterMs);
    return tooManyRequests(verdict.retryAfterMs / 1000);
  };

  const refreshedAt = new Map<string, number>();
  // At most one scheduled report per budget client (configured names, or `anonymous`).
  const pending = new Map<string, NodeJS.Timeout>();
  /** Reads one budget client's spend (the fleet's, with Redis) into the report and the gauges. */
  const report = async (client: string, at: number) => {
    const limits = table.of({ limiter: client, budget: client }).budgets;
    if (periods.every((period) => limits[period].usdMicros === null && limits[period].tokens === null))
      return;
    refreshedAt.set(client, at);
    const spent = await store.spent(client, at).catch(() => undefined);
    if (!spent) return;
    const row = (period: Period, use: PeriodUse): BudgetReport => ({
      spentUsd: usd(use.usdMicros),
      spentTokens: use.tokens,
      limitUsd: limits[period].usdMicros === null ? null : usd(limits[period].usdMicros ?? 0),
      limitTokens: limits[period].tokens,
      resetsAt: new Date(at + use.resetMs).toISOString(),
    });
    const entry = { day: row('day', spent.day), month: row('month', spent.month) };
    reported.set(client, entry);
    for (const period of periods) {
      const labels = { [n.ATTR_CLIENT]: client, [n.ATTR_PERIOD]: period };
      const { spentUsd, spentTokens, limitUsd, limitTokens } = entry[period];
      const { gatewayBudgetSpent: spentGauge, gatewayBudgetLimit: limitGauge } = instruments;
      spentGauge.record(spentUsd, { ...labels, [n.ATTR_MEASURE]: 'usd' });
      spentGauge.record(spentTokens, { ...labels, [n.ATTR_MEASURE]: 'tokens' });
      if (limitUsd !== null) limitGauge.record(limitUsd, { ...labels, [n.ATTR_MEASURE]: 'usd' });
      if (limitTokens !== null) limitGauge.record(limitTokens, { ...labels, [n.ATTR_MEASURE]: 'tokens' });
    }
  };

  return {
    middleware(spends) {
      return async (req, res, next) => {
        if (!table.any) return next();
        const subject = subjectOf(req, res);
        const limits = table.of(subject);
        if (!limitsApply(limits, spends)) return next();
        const verdict = await store.check(subject, limits, { now: now(), spends });
        res.set(rateLimitHeaders(verdict));
        if (!verdict.allowed) return next(refuse(verdict));
        res.locals[QUOTA] = { subject, limits } satisfies { subject: QuotaSubject; limits: ClientLimits };
        next();
      };
    },
    charge(res, usage) {
      const counted = res.locals[QUOTA] as { subject: QuotaSubject; limits: ClientLimits } | undefined;
      if (!counted) return;
      const usdMicros = Math.round((usage.costUsd ?? 0) * 1e6);
      if (usage.tokens <= 0 && usdMicros <= 0) return;
      const { subject, limits } = counted;
      // Off the request path: the answer is already on its way. The client's budget report follows, at
      // most once a second: at once if the last was longer ago, else when the second is up.
      const at = now();
      void store
        .charge(subject, limits, { tokens: usage.tokens, usdMicros }, at)
        .then(() => {
          const client = subject.budget;
          const wait = (refreshedAt.get(client) ?? Number.NEGATIVE_INFINITY) + REPORT_EVERY_MS - at;
          if (wait <= 0) return report(client, at);
          if (pending.has(client)) return;
          const timer = setTimeout(() => {
            pending.delete(client);
            void report(client, now());
          }, wait);
          timer.unref();
          pending.set(client, timer);
        })
        .catch(() => undefined);
    },
    summary: () => Object.fromEntries(reported),
    async refresh() {
      const at = now();
      await Promise.all(budgetClients.map((client) => report(client, at)));
    },
    stop() {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}
