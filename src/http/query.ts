import { badRequest } from './errors.ts';

/**
 * `?limit=` for every list endpoint: an integer from 1 to `max`, `fallback` when absent. Anything else is a
 * 400 naming the parameter — never silently clamped (SQLite reads `LIMIT -5` as "no limit").
 */
export function parseLimit(value: unknown, { fallback = 50, max = 1000 } = {}): number {
  if (value === undefined) return fallback;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw badRequest(`limit must be an integer from 1 to ${max}.`, 'invalid_parameter', 'limit');
  }
  return limit;
}
