import type { RequestHandler } from 'express';
import type { Config } from '../config/index.ts';
import type { BreakerState, ProviderHealth } from '../events/index.ts';
import { notFound } from '../http/index.ts';
import type { Provider } from '../providers/index.ts';
import type { Targets } from './targets.ts';

/** Below this recent success ratio a provider with a closed breaker reads `degraded`, not `healthy`. */
const degradedBelow = 0.95;

/** Per provider: its targets' rows and the provider-level roll-up an operator reads first. */
function rollUp(config: Config, targets: Targets) {
  const all = targets.all();
  return config.providers.map((provider) => {
    const own = all.filter((state) => state.target.provider === provider.name);
    const states = own.map((state) => state.breaker.state());
    const worst: BreakerState = states.includes('open')
      ? 'open'
      : states.includes('half_open')
        ? 'half_open'
        : 'closed';
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
      provider,
      state: worst,
      inFlight: own.reduce((sum, state) => sum + state.inFlight, 0),
      successRatio: count > 0 ? successes / count : null,
      p50Ms: maxOf(targetRows.map((row) => row.p50Ms)),
      p99Ms: maxOf(targetRows.map((row) => row.p99Ms)),
      targets: targetRows,
    };
  });
}

/**
 * GET /api/providers: breaker state, recent latency, success ratio and in-flight count per provider and
 * target, and the provider's request slots: its cap (`maxConnections`, null for none) and how many
 * requests wait for one (`queued`).
 */
export function createProvidersListHandler(
  config: Config,
  targets: Targets,
  providers: ReadonlyMap<string, Provider>,
): RequestHandler {
  return (_req, res) => {
    const data = rollUp(config, targets).map(({ provider, ...row }) => {
      const load = providers.get(provider.name)?.load();
      return {
        name: provider.name,
        type: provider.type,
        baseURL: provider.baseURL,
        healthCheck: provider.healthCheck,
        ...row,
        maxConnections: load?.limit ?? null,
        queued: load?.queued ?? 0,
      };
    });
    res.json({ data });
  };
}

/**
 * Each provider's health in the Sentinel-Ops shape: `down` while its breaker is open, `degraded` while
 * half-open or below 95 % recent success, else `healthy`; median latency and success rate over the last
 * 512 attempts of its targets (null before the first). Also carried by the gateway's `metrics` events.
 */
export function providersHealth(config: Config, targets: Targets): Record<string, ProviderHealth> {
  return Object.fromEntries(
    rollUp(config, targets).map((row) => [
      row.provider.name,
      {
        status:
          row.state === 'open'
            ? 'down'
            : row.state === 'half_open' || (row.successRatio ?? 1) < degradedBelow
              ? 'degraded'
              : 'healthy',
        latencyMs: row.p50Ms === null ? null : Math.round(row.p50Ms * 10) / 10,
        successRatePct: row.successRatio === null ? null : Math.round(row.successRatio * 1000) / 10,
        breakerState: row.state,
      } satisfies ProviderHealth,
    ]),
  );
}

/**
 * GET /api/providers/status: the Sentinel-Ops endpoint, an alias next to /api/providers (which stays the
 * richer one): `{ name: { status, latency_ms, success_rate_pct, circuit_breaker: { state } } }`.
 */
export function createProvidersStatusHandler(config: Config, targets: Targets): RequestHandler {
  return (_req, res) => {
    const health = providersHealth(config, targets);
    res.json(
      Object.fromEntries(
        Object.entries(health).map(([name, entry]) => [
          name,
          {
            status: entry.status,
            latency_ms: entry.latencyMs,
            success_rate_pct: entry.successRatePct,
            circuit_breaker: { state: entry.breakerState },
          },
        ]),
      ),
    );
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
