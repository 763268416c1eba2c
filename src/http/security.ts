import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/** Headers every response carries; the status page's CSP is set by its own route. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  next();
};

/**
 * Constant-time comparison of a presented secret with the configured ones. Hashing both sides first
 * makes the comparison length-independent, so neither content nor length leaks through timing.
 */
export function matchesAny(presented: string | undefined, secrets: readonly string[]): boolean {
  return matchingIndex(presented, secrets) !== -1;
}

/** Which configured secret the presented one is (its index), or -1; compared as `matchesAny` does. */
export function matchingIndex(presented: string | undefined, secrets: readonly string[]): number {
  if (presented === undefined || secrets.length === 0) return -1;
  const digest = createHash('sha256').update(presented).digest();
  let matched = -1;
  for (const [index, secret] of secrets.entries()) {
    const expected = createHash('sha256').update(secret).digest();
    // Evaluate every secret (no early exit) so the position of a match does not show in timing.
    if (timingSafeEqual(digest, expected) && matched === -1) matched = index;
  }
  return matched;
}

/** The bearer token from `Authorization: Bearer …`, or an `api-key`/`x-api-key` header (Azure-style clients). */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'] ?? headers['api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}
