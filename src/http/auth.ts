import type { RequestHandler } from 'express';
import { unauthorized } from './errors.ts';
import { matchingIndex, presentedToken } from './security.ts';

/** `res.locals` field holding the index of the configured key a request authenticated with. */
export const API_KEY_INDEX = 'apiKeyIndex';

export interface ApiKeyAuthOptions {
  keys: readonly string[];
  /** Paths (exact, or prefixes ending in "/") that stay open: liveness, the status page shell, webhooks with their own token. */
  publicPaths: readonly string[];
}

/**
 * Requires one of `server.apiKeys` on every request except the public paths. With no keys configured the
 * middleware lets everything through (the documented "no keys = open" default).
 */
export function requireApiKey({ keys, publicPaths }: ApiKeyAuthOptions): RequestHandler {
  // "/" itself is an exact path (the status page), not a prefix of everything.
  const isPrefix = (path: string) => path.length > 1 && path.endsWith('/');
  const exact = new Set(publicPaths.filter((path) => !isPrefix(path)));
  const prefixes = publicPaths.filter(isPrefix);
  return (req, res, next) => {
    if (keys.length === 0) return next();
    const path = req.path;
    if (exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix))) return next();
    const index = matchingIndex(presentedToken(req.headers), keys);
    if (index === -1) return next(unauthorized());
    // Which key it was (never the key itself), for what is counted per client: the rate limiter.
    res.locals[API_KEY_INDEX] = index;
    next();
  };
}
