import { Router } from 'express';
import type { Component } from '../component.ts';
import type { Config } from '../config/index.ts';
import type { EventBus } from '../events/index.ts';
import { type Logger, silentLogger } from '../log/index.ts';
import { createProvider, type Provider, type ProviderFactory } from '../providers/index.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { createApiChatHandler } from './api-chat.ts';
import { type BreakerSync, createLocalBreakerSync } from './breaker-sync.ts';
import { createChatCompletionsHandler } from './chat-completions.ts';
import type { ChatDeps } from './chat-request.ts';
import { addOperationRoutes } from './endpoints.ts';
import { createFailoverEvents } from './failover-events.ts';
import { createIncidentRaiser } from './incidents.ts';
import { createModelRouter } from './model-router.ts';
import { createModelsHandler } from './models.ts';
import { createPricing } from './pricing.ts';
import { createProviderAttributes } from './provider-attributes.ts';
import {
  createProbeHandler,
  createProvidersListHandler,
  createProvidersStatusHandler,
  providersHealth,
} from './providers-api.ts';
import { createMemoryQuotaStore, createQuotaGuard, createSubjectOf, type QuotaStore } from './quota/index.ts';
import { createRetryBudget, type RetryBudget } from './retry-budget.ts';
import { createRouteHealth } from './route-health.ts';
import { createStats } from './stats.ts';
import { createTargets, type TargetsOptions } from './targets.ts';
import { createUsageLedger } from './usage-ledger.ts';

export interface GatewayOptions {
  config: Config;
  telemetry: Telemetry;
  bus: EventBus;
  /** Where failures whose detail the client does not see are written (with the trace id). */
  logger?: Logger;
  now?: () => number;
  random?: () => number;
  createProvider?: ProviderFactory;
  /** How often a `metrics` event goes to the bus (status page). */
  metricsIntervalMs?: number;
  /** Per-provider uptime for the status page's history; none in tests that do not look at it. */
  history?: TargetsOptions['history'];
  /** How breakers agree with other replicas (Redis); by default this replica decides alone. */
  breakerSync?: BreakerSync;
  /** Where rate limits, token limits and budgets are counted (Redis for a fleet); by default in the process. */
  quotaStore?: QuotaStore;
}

/**
 * The gateway: providers, routes, breakers and the HTTP surface (`/v1/chat/completions`, `/v1/models`,
 * `/api/chat`, `/api/providers`). Built without listening; runtime.ts mounts its router.
 */
export function createGateway(options: GatewayOptions): Component {
  const {
    config,
    telemetry,
    bus,
    logger = silentLogger,
    now = Date.now,
    random = Math.random,
    metricsIntervalMs = 5_000,
  } = options;
  const make = options.createProvider ?? createProvider;
  const onQueueStart = createQueueWarning(logger, now);
  const providers = new Map<string, Provider>(
    config.providers.map((provider) => [provider.name, make(provider, { now, onQueueStart })]),
  );
  const ledger = createUsageLedger();
  const router = createModelRouter(config, random);
  const breakerSync = options.breakerSync ?? createLocalBreakerSync();
  const providerAttributes = createProviderAttributes(config.providers);
  const targets = createTargets({
    config,
    providers,
    bus,
    instruments: telemetry.instruments,
    providerAttributes,
    now,
    history: options.history,
    sync: breakerSync,
  });
  const failoverEvents = createFailoverEvents({ bus });
  const budgets = new Map<string, RetryBudget>();
  const quota = createQuotaGuard({
    config,
    store:
      options.quotaStore ??
      createMemoryQuotaStore({
        maxClients: config.rateLimit.maxClients,
        onSaturated: (tracked) =>
          logger.warn(
            { tracked, maxClients: config.rateLimit.maxClients },
            'the rate limiter is tracking rateLimit.maxClients clients; new clients share one window until windows expire',
          ),
      }),
    subjectOf: createSubjectOf(config.server.apiKeys.length > 0),
    clients: config.server.apiKeys.map((entry) => entry.name),
    instruments: telemetry.instruments,
    now,
  });
  const counters = {
    requests: 0,
    errors: 0,
    failovers: 0,
    latency: createStats(1024),
    successMs: 0,
    activeProvider: null as string | null,
  };
  const deps: ChatDeps = {
    config,
    router,
    providers,
    targets,
    budget: (name) => {
      let budget = budgets.get(name);
      if (!budget) {
        budget = createRetryBudget({ ratio: config.retry.budgetRatio });
        budgets.set(name, budget);
      }
      return budget;
    },
    telemetry,
    accounting: { pricing: createPricing(config.providers), ledger },
    providerAttributes,
    bus,
    failoverEvents,
    now,
    random,
    counters,
    logger,
    raise: createIncidentRaiser(bus, now),
    routeHealth: createRouteHealth(bus),
    quota,
  };

  const http = Router();
  http.post('/v1/chat/completions', quota.middleware(true), createChatCompletionsHandler(deps));
  http.post('/api/chat', quota.middleware(true), createApiChatHandler(deps));
  addOperationRoutes(http, quota.middleware(true), deps);
  http.get('/v1/models', quota.middleware(false), createModelsHandler(config, router, providers, now));
  http.get('/api/providers', createProvidersListHandler(config, targets, providers));
  http.get('/api/providers/status', createProvidersStatusHandler(config, targets));
  http.post('/api/providers/:name/probe', createProbeHandler(config, targets));

  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const counts = () => {
    const latency = counters.latency.snapshot();
    const successes = counters.requests - counters.errors;
    return {
      requests: counters.requests,
      errors: counters.errors,
      failovers: counters.failovers,
      p50Ms: latency.p50Ms ?? 0,
      p99Ms: latency.p99Ms ?? 0,
      successes,
      avgLatencyMs: successes > 0 ? Math.round((counters.successMs / successes) * 10) / 10 : 0,
      activeProvider: counters.activeProvider,
    };
  };
  // GET /api/metrics adds the usage totals and budgets; the `metrics` event every few seconds stays the small summary.
  const summary = () => ({ ...counts(), usage: ledger.snapshot(), budgets: quota.summary() });

  return {
    name: 'gateway',
    router: http,
    async start() {
      await breakerSync.start();
      await quota.refresh();
      timer = setInterval(() => {
        bus.publish({ type: 'metrics', ...counts(), providers: providersHealth(config, targets) });
        void quota.refresh();
      }, metricsIntervalMs);
      timer.unref();
    },
    async stop() {
      stopping = true;
      clearInterval(timer);
      quota.stop();
      failoverEvents.flush();
      await breakerSync.stop();
      // Pool.close() waits for in-flight requests, so streams being served finish first.
      await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
    },
    ready: () => !stopping,
    summary,
  };
}

/** How often at most the "requests are queueing" warning is logged per provider. */
const QUEUE_WARNING_INTERVAL_MS = 60_000;

/**
 * The log line for a cap that bites: when requests to a provider start to queue for a slot
 * (`maxConnections`), once a minute at most per provider, saying how often it happened in between.
 */
function createQueueWarning(logger: Logger, now: () => number) {
  const last = new Map<string, { at: number; since: number }>();
  return ({
    provider,
    limit,
    active,
    queued,
  }: {
    provider: string;
    limit: number | null;
    active: number;
    queued: number;
  }) => {
    const at = now();
    const previous = last.get(provider);
    if (previous && at - previous.at < QUEUE_WARNING_INTERVAL_MS) {
      previous.since += 1;
      return;
    }
    last.set(provider, { at, since: 0 });
    logger.warn(
      {
        provider,
        maxConnections: limit,
        active,
        queued,
        queueingStartsSinceLastWarning: previous?.since ?? 0,
      },
      `requests to provider '${provider}' are waiting for a slot: all ${limit} (maxConnections) are in use`,
    );
  };
}
