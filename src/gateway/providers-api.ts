import type { RequestHandler } from 'express';
import type { Config } from '../config/index.ts';
import { notFound } from '../http/index.ts';
import type { Targets } from './targets.ts';

/** GET /api/providers: breaker state, recent latency, success ratio and in-flight count per provider and target. */
export function createProvidersListHandler(config: Config, targets: Targets): RequestHandler {
  return (_req, res) => {
    const all = targets.all();
    const data = config.providers.map((provider) => {
      const own = all.filter((state) => state.target.provider === provider.name);
      const states = own.map((state) => state.breaker.state());
      const worst = states.includes('open') ? 'open' : states.includes('half_open') ? 'half_open' : 'closed';
      const targetRows = own.map((state) => ({
        model: state.target.model,
        state: state.breaker.state(),
        inFlight: state.inFlight,
        retryAfterMs: state.breaker.retryAfterMs(),
        ...state.stats.snapshot(),
      }));
      const count = targetRows.reduce((sum, row) => sum + row.count, 0);
      const successes = targetRows.reduce((sum, row) => sum + row.count * (row.successRatio ?? 0), 0);
      return {
        name: provider.name,
        type: provider.type,
        baseURL: provider.baseURL,
        healthCheck: provider.healthCheck,
        state: worst,
        inFlight: own.reduce((sum, state) => sum + state.inFlight, 0),
        successRatio: count > 0 ? successes / count : null,
        p50Ms: maxOf(targetRows.map((row) => row.p50Ms)),
        p99Ms: maxOf(targetRows.map((row) => row.p99Ms)),
        targets: targetRows,
      };
    });
    res.json({ data });
  };
}

/** POST /api/providers/:name/probe: run the provider's health check now; half-open targets settle on it. */
export function createProbeHandler(config: Config, targets: Targets): RequestHandler {
  const names = new Set(config.providers.map((provider) => provider.name));
  return async (req, res) => {
    const name = String(req.params.name);
    if (!names.has(name)) throw notFound(`No provider named '${name}'.`, 'provider_not_found');
    const results = await targets.probe(name);
    res.json({ provider: name, ok: results.length > 0 && results.every((result) => result.ok), results });
  };
}

/** The slowest target's value: a provider is as slow as its slowest model for an operator. */
function maxOf(values: (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length > 0 ? Math.max(...present) : null;
}
