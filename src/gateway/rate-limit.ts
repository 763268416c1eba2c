import type { RequestHandler } from 'express';
import { presentedToken, tooManyRequests } from '../http/index.ts';
import type { Recorder } from '../telemetry/index.ts';

export interface RateLimitOptions {
  requests: number;
  windowSeconds: number;
  now: () => number;
  recorder: Recorder;
}

/** Above this many tracked clients, expired windows are swept before a new one is added. */
const SWEEP_AT = 10_000;

/**
 * Fixed-window rate limit per gateway API key, or per client IP when no key is presented (per replica:
 * each process counts alone). `requests: 0` turns it off. Refusals are 429 with Retry-After.
 */
export function createRateLimit({
  requests,
  windowSeconds,
  now,
  recorder,
}: RateLimitOptions): RequestHandler {
  const windowMs = windowSeconds * 1000;
  const windows = new Map<string, { start: number; count: number }>();
  return (req, _res, next) => {
    if (requests <= 0) return next();
    const at = now();
    const token = presentedToken(req.headers);
    const key = token ? `key:${token}` : `ip:${req.ip ?? 'unknown'}`;
    let window = windows.get(key);
    if (!window || at - window.start >= windowMs) {
      if (!window && windows.size >= SWEEP_AT) {
        for (const [other, value] of windows) if (at - value.start >= windowMs) windows.delete(other);
      }
      window = { start: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= requests) return next();
    recorder.record(1);
    next(tooManyRequests((window.start + windowMs - at) / 1000));
  };
}
