import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request, Response } from 'express';
import { API_KEY_INDEX } from '../../http/index.ts';
import type { QuotaSubject } from './types.ts';

/** The budget of an open gateway (no API keys): one for everyone, since clients cannot be told apart. */
export const ANONYMOUS = 'anonymous';

/** A plain key's name: the first 8 hex digits of its SHA-256 (stable, and says nothing usable about it). */
export const derivedKeyName = (key: string): string =>
  `key-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;

/**
 * Who a request counts for. With API keys: the name of the configured key it authenticated with (the
 * auth middleware notes which, and refused any other), for limits and budgets alike. Without keys: limits
 * count per client address (`req.ip`, which honours server.trustProxy; anything that is not an address
 * shares one window), budgets for the whole gateway. A presented token that is not a configured key is
 * never an identity: a new random one per request would escape the limit and grow the tables.
 */
export function createSubjectOf(apiKeys: readonly string[]) {
  const names = apiKeys.map(derivedKeyName);
  return (req: Request, res: Response): QuotaSubject => {
    const index = res.locals[API_KEY_INDEX];
    if (names.length > 0) {
      const name = (typeof index === 'number' ? names[index] : undefined) ?? ANONYMOUS;
      return { limiter: name, budget: name };
    }
    const ip = req.ip;
    return { limiter: ip && isIP(ip) ? `ip:${ip}` : 'ip:invalid', budget: ANONYMOUS };
  };
}
