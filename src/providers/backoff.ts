export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from [0, min(max, base·2^(attempt-1))),
 * attempt 1 being the first retry. Full rather than partial jitter because it spreads a crowd of callers
 * that failed together the most for the least total wait
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/). The gateway's retries and
 * the notification outbox both wait this long, raised to the server's Retry-After where it sent one.
 */
export function fullJitterDelay(attempt: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
