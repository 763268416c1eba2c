import type { QuotaVerdict } from './types.ts';

/**
 * A wait as OpenAI writes it in `x-ratelimit-reset-*`: "20ms" under a second, else whole seconds in Go's
 * duration style ("1s", "6m0s", "1h2m3s"), rounded up so a client that waits that long is let in.
 */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/**
 * OpenAI's rate-limit headers for the limits that apply to the request (none without a limit), so SDKs
 * and clients that pace themselves on them work against inferwatch unchanged.
 */
export function rateLimitHeaders(verdict: QuotaVerdict): Record<string, string> {
  const headers: Record<string, string> = {};
  if (verdict.requests) {
    headers['x-ratelimit-limit-requests'] = String(verdict.requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(verdict.requests.remaining);
    headers['x-ratelimit-reset-requests'] = formatReset(verdict.requests.resetMs);
  }
  if (verdict.tokens) {
    headers['x-ratelimit-limit-tokens'] = String(verdict.tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(verdict.tokens.remaining);
    headers['x-ratelimit-reset-tokens'] = formatReset(verdict.tokens.resetMs);
  }
  return headers;
}
