import { type BackoffSettings, fullJitterDelay } from '../providers/index.ts';

/**
 * Delay before retry number `retry` (1 = the first retry) against the same target, or undefined when it
 * must not happen: the shared full-jitter backoff, raised to the upstream's Retry-After when it sent one.
 * A Retry-After beyond `maxDelayMs`, or a delay that would not leave the deadline any time, means "do not
 * wait here": fail over instead.
 */
export function retryDelay(
  retry: number,
  settings: BackoffSettings,
  {
    random,
    retryAfterMs,
    remainingMs,
  }: { random: () => number; retryAfterMs?: number | undefined; remainingMs: number },
): number | undefined {
  const jittered = fullJitterDelay(retry, settings, random);
  if (retryAfterMs !== undefined && retryAfterMs > settings.maxDelayMs) return undefined;
  const delay = Math.max(jittered, retryAfterMs ?? 0);
  if (delay >= remainingMs) return undefined;
  return delay;
}

/** Waits `ms`, or rejects as soon as `signal` aborts (the client left or the deadline passed). */
export function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
