import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { API_KEY_INDEX, tooManyRequests } from '../http/index.ts';
import type { Recorder } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';

export interface RateLimitOptions {
  requests: number;
  windowSeconds: number;
  /** Clients tracked at once; past it (after dropping expired windows), new clients share one window. */
  maxClients: number;
  now: () => number;
  recorder: Recorder;
  /** Called once per window when new clients start sharing the overflow window. */
  onSaturated?: (tracked: number) => void;
}

const SHARED = 'shared';

/**
 * Fixed-window rate limit per replica (each process counts alone). With `server.apiKeys`, a client is the
 * configured key it authenticated with (the auth middleware notes which); without keys, its address
 * (`req.ip`, which honours `server.trustProxy`). A presented token that is not a configured key identifies
 * nothing: keying on it let a client escape the limit with a new random token per request and grow the
 * table without bound. A forwarded "address" that is not one shares a single window. `requests: 0` turns
 * it off. Refusals are 429 with Retry-After.
 */
export function createRateLimit({
  requests,
  windowSeconds,
  maxClients,
  now,
  recorder,
  onSaturated = () => {},
}: RateLimitOptions): RequestHandler {
  const windowMs = windowSeconds * 1000;
  const windows = new Map<string, { start: number; count: number }>();
  let reportedAt = Number.NEGATIVE_INFINITY;

  const clientOf = (key: unknown, ip: string | undefined) => {
    if (typeof key === 'number') return `key:${key}`;
    return ip && isIP(ip) ? `ip:${ip}` : 'ip:invalid';
  };

  return (req, res, next) => {
    if (requests <= 0) return next();
    const at = now();
    let client = clientOf(res.locals[API_KEY_INDEX], req.ip);
    let window = windows.get(client);
    if (!window && windows.size >= maxClients) {
      for (const [other, value] of windows) if (at - value.start >= windowMs) windows.delete(other);
      if (windows.size >= maxClients) {
        client = SHARED;
        window = windows.get(SHARED);
        if (at - reportedAt >= windowMs) {
          reportedAt = at;
          onSaturated(windows.size);
        }
      }
    }
    if (!window || at - window.start >= windowMs) {
      window = { start: at, count: 0 };
      // The shared window may sit one entry above maxClients: it is what holds the table there.
      windows.set(client, window);
    }
    window.count += 1;
    if (window.count <= requests) return next();
    recorder.record(1, { [n.ATTR_RATE_LIMIT_BUCKET]: client === SHARED ? 'shared' : 'client' });
    next(tooManyRequests((window.start + windowMs - at) / 1000));
  };
}
