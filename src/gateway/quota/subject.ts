import { isIP } from 'node:net';
import type { Request, Response } from 'express';
import { clientName } from '../../http/index.ts';
import { ANONYMOUS } from '../request.ts';
import type { QuotaSubject } from './types.ts';

/**
 * Who a request counts for. With API keys: the name of the configured key it authenticated with (the
 * auth middleware notes it, and refused any other key), for limits and budgets alike, so a key keeps its
 * limits when it is rotated under the same name. Without keys: limits count per client address (`req.ip`,
 * which honours server.trustProxy; anything that is not an address shares one window), budgets for the
 * whole gateway. A presented token that is not a configured key is never an identity: a new random one per
 * request would escape the limit and grow the tables.
 */
export function createSubjectOf(keyed: boolean) {
  return (req: Request, res: Response): QuotaSubject => {
    if (keyed) {
      const name = clientName(res) ?? ANONYMOUS;
      return { limiter: name, budget: name };
    }
    const ip = req.ip;
    return { limiter: ip && isIP(ip) ? `ip:${ip}` : 'ip:invalid', budget: ANONYMOUS };
  };
}
