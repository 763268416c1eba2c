import type { RequestHandler, Response } from 'express';
import { unauthorized } from './errors.ts';
import { matchingIndex, presentedToken } from './security.ts';

/** `res.locals` field holding the index of the configured key a request authenticated with. */
export const API_KEY_INDEX = 'apiKeyIndex';

export interface ApiKeyAuthOptions {
  /** The configured keys with the names that label their usage. */
  keys: readonly { name: string; key: string }[];
  /** Paths (exact, or prefixes ending in "/") that stay open: liveness, the status page shell, webhooks with their own token. */
  publicPaths: readonly string[];
}

/**
 * The name of the API key a request presented (set by requireApiKey), for labelling its usage; undefined
 * when the gateway is open (no keys) or the path is public.
 */
export const clientName = (res: Response): string | undefined =>
  typeof res.locals.client === 'string' ? res.locals.client : undefined;

/**
 * Requires one of `server.apiKeys` on every request except the public paths. With no keys configured the
 * middleware lets everything through (the documented "no keys = open" default). The matched key's name,
 * never the key, is kept on the response for the handlers (`clientName`).
 */
export function requireApiKey({ keys, publicPaths }: ApiKeyAuthOptions): RequestHandler {
  // "/" itself is an exact path (the status page), not a prefix of everything.
  const isPrefix = (path: string) => path.length > 1 && path.endsWith('/');
  const exact = new Set(publicPaths.filter((path) => !isPrefix(path)));
  const prefixes = publicPaths.filter(isPrefix);
  const secrets = keys.map((entry) => entry.key);
  return (req, res, next) => {
    if (keys.length === 0) return next();
    const path = req.path;
    if (exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix))) return next();
    const index = matchingIndex(presentedToken(req.headers), secrets);
    if (index === -1) return next(unauthorized());
    // Which key it was (never the key itself): the rate limiter counts per key, usage is labelled by its name.
    res.locals[API_KEY_INDEX] = index;
    res.locals.client = keys[index]?.name;
    next();
  };
}
