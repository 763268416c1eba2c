/** Periods a budget runs over, in UTC: a calendar day and a calendar month. */
export const periods = ['day', 'month'] as const;
export type Period = (typeof periods)[number];

/** A spend (micro-dollars, so every store adds integers) and a token allowance; null = none. */
export interface Allowance {
  usdMicros: number | null;
  tokens: number | null;
}

/** One client's limits, resolved from `rateLimit` and `budgets` (its own entries over the defaults). */
export interface ClientLimits {
  /** Requests per window; null = none. */
  requests: number | null;
  windowMs: number;
  /** Tokens per minute; null = none. */
  tokensPerMinute: number | null;
  budgets: Record<Period, Allowance>;
}

/**
 * Who a request counts for. Limits count per `limiter` (the API key's name, or the client's address on an
 * open gateway); budgets per `budget` (the key's name, or `anonymous`: an open gateway's one budget).
 */
export interface QuotaSubject {
  limiter: string;
  budget: string;
}

export interface WindowState {
  limit: number;
  remaining: number;
  /** Until the window starts over. */
  resetMs: number;
}

export interface PeriodUse {
  usdMicros: number;
  tokens: number;
  /** Until the period ends. */
  resetMs: number;
}

export const refusals = ['requests', 'tokens', 'budget'] as const;
export type Refusal = (typeof refusals)[number];

/** Where a verdict was reached: Redis (the fleet), this replica alone (its share), or no limit (Redis down, `open`). */
export type QuotaScope = 'fleet' | 'replica' | 'open';

export interface QuotaVerdict {
  allowed: boolean;
  refusedBy?: Refusal | undefined;
  /** For a budget refusal: which period ran out. */
  period?: Period | undefined;
  retryAfterMs: number;
  requests?: WindowState | undefined;
  tokens?: WindowState | undefined;
  spent: Partial<Record<Period, PeriodUse>>;
  scope: QuotaScope;
  /** The in-process table was full: the client was counted in the one window new clients share. */
  shared?: boolean | undefined;
}

export interface Usage {
  tokens: number;
  usdMicros: number;
}

export interface CheckOptions {
  now: number;
  /** A chat request (tokens and budgets apply), or not (/v1/models: requests only). */
  spends: boolean;
}

/**
 * Counts requests, tokens and spend per client and judges a request against its limits. Two
 * implementations: one in the process (one replica), one on Redis (the fleet, one round trip per check);
 * both pass the same contract suite.
 */
export interface QuotaStore {
  /** Counts the request if it is allowed; never rejects. */
  check(subject: QuotaSubject, limits: ClientLimits, options: CheckOptions): Promise<QuotaVerdict>;
  /** Adds what a finished request used (its tokens count against the minute and the budgets). */
  charge(subject: QuotaSubject, limits: ClientLimits, usage: Usage, now: number): Promise<void>;
  /** What a budget client spent in the current day and month. */
  spent(budgetClient: string, now: number): Promise<Record<Period, PeriodUse>>;
}
