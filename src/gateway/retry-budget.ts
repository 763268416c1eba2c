import { createWindowCounter } from './window.ts';

export interface RetryBudget {
  /** Count one client request that reached this provider. */
  request(now: number): void;
  /** True (and the retry is counted) when a retry still fits the budget. */
  tryRetry(now: number): boolean;
}

/**
 * Retries allowed per provider as a fraction of its recent requests (Envoy's retry budget; gRPC's
 * retryThrottling has the same intent): when a provider fails for everyone, the gateway stops multiplying
 * its load. `minRetries` keeps a quiet gateway able to retry at all.
 */
export function createRetryBudget({
  ratio,
  windowSeconds = 10,
  minRetries = 3,
}: {
  ratio: number;
  windowSeconds?: number;
  minRetries?: number;
}): RetryBudget {
  const requests = createWindowCounter(windowSeconds);
  const retries = createWindowCounter(windowSeconds);
  return {
    request(now) {
      requests.add('total', now);
    },
    tryRetry(now) {
      const allowed = Math.max(minRetries, ratio * requests.totals(now).total);
      if (retries.totals(now).total + 1 > allowed) return false;
      retries.add('total', now);
      return true;
    },
  };
}
