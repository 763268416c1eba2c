import { randomUUID } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import { type Config, configuredModels } from '../config/index.ts';
import type { BreakerState, EventBus } from '../events/index.ts';
import type { Provider } from '../providers/index.ts';
import type { StatusHistory } from '../store/index.ts';
import type { Instruments } from '../telemetry/index.ts';
import { semconv as n } from '../telemetry/index.ts';
import { type Breaker, createBreaker, type Permit, type Transition } from './breaker.ts';
import { type BreakerSync, createLocalBreakerSync } from './breaker-sync.ts';
import { createLabelBound, OVERFLOW_LABEL } from './label-bound.ts';
import type { Target } from './model-router.ts';
import { createProviderAttributes, type ProviderAttributes } from './provider-attributes.ts';
import { createStats, type Stats } from './stats.ts';

export interface TargetState {
  target: Target;
  breaker: Breaker;
  stats: Stats;
  inFlight: number;
  probing: boolean;
}

/** Where a request's breaker transitions are told: its SERVER span. */
export interface TransitionWitness {
  event(name: string, attributes: Attributes): void;
}

export interface Targets {
  /**
   * A permit to call the target now, or undefined (open breaker, or half-open and already trialled).
   * Transitions the acquisition or the permit's outcome causes are events on `witness`.
   */
  acquire(target: Target, witness?: TransitionWitness): Permit | undefined;
  get(target: Target): TargetState;
  all(): TargetState[];
  /** Runs the provider's health check for every known target of a provider; half-open ones settle on it. */
  probe(provider: string): Promise<{ target: string; ok: boolean; errorType?: string; latencyMs: number }[]>;
  /** The bounded metric label for a model name an upstream answered with. */
  responseModelLabel(model: string): string;
}

/**
 * Models the config does not name (a `*` route passes whatever the client sends) get their own target
 * up to this many; later ones share one `other` target per provider. Upstream answer names are bounded
 * the same way on metrics.
 */
export const MAX_UNCONFIGURED_MODELS = 100;

const stateValue = { closed: 0, half_open: 1, open: 2 } as const satisfies Record<BreakerState, number>;
const breakerStates = Object.keys(stateValue) as BreakerState[];

export interface TargetsOptions {
  config: Config;
  providers: ReadonlyMap<string, Provider>;
  bus: EventBus;
  instruments: Instruments;
  /** How each provider is named on metrics (default: from `config.providers`). */
  providerAttributes?: (provider: string) => ProviderAttributes;
  now: () => number;
  /** Where each settled call also counts toward its provider's uptime (the status page's history). */
  history?: Pick<StatusHistory, 'record'> | undefined;
  /** How breakers agree across replicas; by default this replica decides alone. */
  sync?: BreakerSync;
}

/** A synthetic health check gets this long, and its trial lease a little longer. */
const HEALTH_CHECK_TIMEOUT_MS = 10_000;

/**
 * Per-target state (provider + upstream model): breaker, recent statistics, in-flight count. Breaker
 * transitions fan out to the bus (provider_status, incident), metrics, the active request's span and the
 * other replicas (`sync`). While half-open, a provider with a `healthCheck` is trialled by a synthetic
 * probe, not by a client; with `sync` sharing the fleet's state, one replica at a time runs that trial.
 */
export function createTargets({
  config,
  providers,
  bus,
  instruments,
  providerAttributes = createProviderAttributes(config.providers),
  now,
  history,
  sync = createLocalBreakerSync(),
}: TargetsOptions): Targets {
  const states = new Map<string, TargetState>();
  const configured = [...configuredModels(config)].flatMap(([provider, models]) =>
    models.map((model) => [`${provider}/${model}`, model] as const),
  );
  // Configured targets always keep their own state; client-supplied ones are admitted up to the bound.
  const admitTarget = createLabelBound(
    MAX_UNCONFIGURED_MODELS,
    configured.map(([key]) => key),
  );
  const responseModelLabel = createLabelBound(
    MAX_UNCONFIGURED_MODELS,
    configured.map(([, model]) => model),
  );
  // Why each open breaker opened (bounded like `states`), told again to the fleet when Redis returns.
  const openReasons = new Map<string, string>();
  // The request whose call into a breaker is running. Transitions fire synchronously inside acquire()
  // and the permit's outcome, so this is set around exactly those calls; a transition with no request
  // behind it (a health check, an API read) has no span to go to.
  let witness: TransitionWitness | undefined;
  const witnessed = <T>(by: TransitionWitness | undefined, run: () => T): T => {
    const previous = witness;
    witness = by;
    try {
      return run();
    } finally {
      witness = previous;
    }
  };
  const healthChecks = new Map(config.providers.map((provider) => [provider.name, provider.healthCheck]));
  const byName = new Map(config.providers.map((provider) => [provider.name, provider]));
  const usesHealthCheck = (provider: string) => (healthChecks.get(provider) ?? 'none') !== 'none';
  // Long enough for the trial to decide: the health check's timeout, or one upstream attempt's.
  const leaseMs = (provider: string) =>
    (usesHealthCheck(provider)
      ? HEALTH_CHECK_TIMEOUT_MS
      : (byName.get(provider)?.timeouts.totalMs ?? HEALTH_CHECK_TIMEOUT_MS)) + 5_000;

  // One series per state, 1 on the current one: what Prometheus and OTel prefer for a state (sums and
  // `== 1` selections work); the numeric gauge stays one release for existing dashboards.
  const recordState = (labels: Attributes, current: BreakerState) => {
    instruments.gatewayCircuitState.record(stateValue[current], labels);
    for (const state of breakerStates)
      instruments.gatewayCircuitStatus.record(state === current ? 1 : 0, {
        ...labels,
        [n.ATTR_BREAKER_STATE]: state,
      });
  };

  const onTransition = (target: Target) => (transition: Transition) => {
    const labels = {
      ...providerAttributes(target.provider).names,
      [n.ATTR_GEN_AI_REQUEST_MODEL]: target.model,
    };
    recordState(labels, transition.to);
    instruments.gatewayCircuitTransitions.record(1, {
      ...labels,
      [n.ATTR_BREAKER_FROM]: transition.from,
      [n.ATTR_BREAKER_TO]: transition.to,
    });
    witness?.event(n.SPAN_EVENT_BREAKER, {
      'inferwatch.target': target.key,
      [n.ATTR_BREAKER_FROM]: transition.from,
      [n.ATTR_BREAKER_TO]: transition.to,
      [n.ATTR_REASON]: transition.reason,
    });
    const { openedAt: _openedAt, peer, ...change } = transition;
    bus.publish({
      type: 'provider_status',
      provider: target.provider,
      model: target.model,
      ...change,
      ...(peer ? { peer } : {}),
    });
    if (transition.to === 'open') openReasons.set(target.key, transition.reason);
    // A peer's verdict was announced and raised as an incident where it was reached, once for the fleet.
    if (!peer && (transition.to === 'open' || (transition.to === 'closed' && transition.from !== 'closed'))) {
      sync.announce(target.key, {
        to: transition.to,
        reason: transition.reason,
        openedAt: transition.openedAt,
      });
      const opened = transition.to === 'open';
      bus.publish({
        type: 'incident',
        id: randomUUID(),
        kind: opened ? 'circuit_open' : 'circuit_closed',
        severity: opened ? 'warning' : 'info',
        title: `${target.key} circuit ${opened ? 'opened' : 'closed'}: ${transition.reason}`,
        subject: target.provider,
        detail: { provider: target.provider, model: target.model, ...transition },
      });
    }
    // After the verdict is sent (the same connection, in order): a replica that takes the freed lease
    // has heard the verdict first, instead of running a second trial of a target that just closed.
    if (transition.from === 'half_open') sync.releaseTrial(target.key);
  };

  const get = (requested: Target): TargetState => {
    let state = states.get(requested.key);
    // A `*` route passes any client model through: past the bound, unknown models share one state per
    // provider (labelled `other`), so neither memory nor metric series grow with what clients send.
    const target =
      state || admitTarget(requested.key) === requested.key
        ? requested
        : {
            provider: requested.provider,
            model: OVERFLOW_LABEL,
            key: `${requested.provider}/${OVERFLOW_LABEL}`,
          };
    if (!state) state = states.get(target.key);
    if (!state) {
      state = {
        target,
        breaker: createBreaker(config.circuitBreaker, { now, onTransition: onTransition(target) }),
        stats: countingUptime(createStats(), target.provider, history),
        inFlight: 0,
        probing: false,
      };
      states.set(target.key, state);
      recordState(
        { ...providerAttributes(target.provider).names, [n.ATTR_GEN_AI_REQUEST_MODEL]: target.model },
        'closed',
      );
    }
    return state;
  };

  async function runProbe(state: TargetState) {
    const provider = providers.get(state.target.provider);
    if (!provider || state.probing) return undefined;
    state.probing = true;
    try {
      const result = await provider.healthCheck({
        model: state.target.model,
        signal: AbortSignal.timeout(HEALTH_CHECK_TIMEOUT_MS),
      });
      state.breaker.settle(
        result.ok,
        result.ok ? 'health check passed' : `health check failed: ${result.type}`,
      );
      return result;
    } finally {
      state.probing = false;
    }
  }

  // Every configured route target exists from the start, so its circuit-state series does too.
  for (const route of config.routes) {
    for (const target of route.targets) {
      if (target.model)
        get({ provider: target.provider, model: target.model, key: `${target.provider}/${target.model}` });
    }
  }

  sync.attach({
    adopt(key, change) {
      const slash = key.indexOf('/');
      const provider = key.slice(0, slash);
      if (slash < 1 || !byName.has(provider)) return;
      get({ provider, model: key.slice(slash + 1), key }).breaker.adopt(change);
    },
    openBreakers: () =>
      [...states.values()]
        .filter((state) => state.breaker.state() === 'open')
        .map((state) => ({
          target: state.target.key,
          change: {
            to: 'open' as const,
            reason: openReasons.get(state.target.key) ?? 'open',
            openedAt: state.breaker.openedAt(),
          },
        })),
    granted(key) {
      const state = states.get(key);
      if (state && usesHealthCheck(state.target.provider) && state.breaker.state() === 'half_open') {
        void runProbe(state).catch(() => undefined);
      }
    },
  });

  return {
    get,
    all: () => [...states.values()],
    responseModelLabel,
    acquire(target, by) {
      const state = get(target);
      const breakerState = witnessed(by, () => state.breaker.state());
      if (breakerState === 'half_open') {
        // One trial for the fleet: a replica without the lease leaves the target to the one with it.
        const claim = sync.claimTrial(
          state.target.key,
          leaseMs(state.target.provider),
          state.breaker.openedAt(),
        );
        if (claim !== 'granted') return undefined;
        if (usesHealthCheck(target.provider)) {
          void runProbe(state).catch(() => undefined);
          return undefined;
        }
      }
      const permit = witnessed(by, () => state.breaker.acquire());
      if (!permit || !by) return permit;
      return {
        success: () => witnessed(by, permit.success),
        failure: () => witnessed(by, permit.failure),
        neutral: () => witnessed(by, permit.neutral),
      };
    },
    async probe(providerName) {
      const provider = providers.get(providerName);
      if (!provider) return [];
      const known = [...states.values()].filter((state) => state.target.provider === providerName);
      if (known.length === 0) {
        const result = await provider.healthCheck({ signal: AbortSignal.timeout(HEALTH_CHECK_TIMEOUT_MS) });
        return [
          {
            target: providerName,
            ok: result.ok,
            ...(result.ok ? {} : { errorType: result.type }),
            latencyMs: result.latencyMs,
          },
        ];
      }
      return Promise.all(
        known.map(async (state) => {
          const result =
            (await runProbe(state)) ??
            (await provider.healthCheck({
              model: state.target.model,
              signal: AbortSignal.timeout(HEALTH_CHECK_TIMEOUT_MS),
            }));
          return {
            target: state.target.key,
            ok: result.ok,
            ...(result.ok ? {} : { errorType: result.type }),
            latencyMs: result.latencyMs,
          };
        }),
      );
    },
  };
}

/** A target's statistics that also count toward its provider's uptime; unchanged without a history. */
function countingUptime(stats: Stats, provider: string, history: TargetsOptions['history']): Stats {
  if (!history) return stats;
  return {
    record(latencyMs, ok) {
      stats.record(latencyMs, ok);
      history.record('provider', provider, ok, latencyMs);
    },
    snapshot: () => stats.snapshot(),
  };
}
