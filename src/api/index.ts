import { Router } from 'express';
import type { Component, RuntimeContext } from '../component.ts';
import { configuredModels } from '../config/index.ts';
import { badRequest, parseLimit } from '../http/index.ts';
import { RECENT_MINUTES } from '../store/index.ts';
import { createFailoverLog } from './failover-log.ts';
import { incidentKindsFor } from './incident-types.ts';
import { createOpenApiDocument } from './openapi/index.ts';
import { sentinelMetrics } from './sentinel-metrics.ts';
import { systemGreeting, systemMessage, systemMessagesOf } from './system-events.ts';
import { createEventSocket } from './websocket.ts';

const incidentKinds = /^[a-z_.:-]{1,64}$/;

export interface ApiOptions {
  /** How often a `heartbeat` goes to the bus (both WebSockets forward it). */
  heartbeatMs?: number;
  /** Recent events replayed to a new /ws/events client. */
  replay?: number;
}

/**
 * The operator surface shared by every role: liveness, readiness, incidents, a metrics summary and the
 * event WebSockets — /ws/events (our typed events) and /ws/system-events (the same stream in the
 * Sentinel-Ops `{event_type, payload}` shape). Feature-specific endpoints (/api/providers, /api/probes,
 * /api/analyses) live with their feature.
 */
export function createApiComponent(ctx: RuntimeContext, options: ApiOptions = {}): Component {
  const { heartbeatMs = 30_000, replay = 50 } = options;
  const router = Router();
  const startedAt = ctx.now();
  const uptimeMs = () => ctx.now() - startedAt;
  const apiKeys = ctx.config.server.apiKeys.map((entry) => entry.key);
  const events = createEventSocket({
    bus: ctx.bus,
    path: '/ws/events',
    apiKeys,
    frames: (event) => [JSON.stringify(event)],
    greeting: () => ctx.bus.recent(replay).map((event) => JSON.stringify(event)),
  });
  const system = createEventSocket({
    bus: ctx.bus,
    path: '/ws/system-events',
    apiKeys,
    frames: (event) => systemMessagesOf(event, uptimeMs).map((message) => JSON.stringify(message)),
    greeting: () =>
      systemGreeting(ctx.bus.recent(), ctx.now(), uptimeMs).map((message) => JSON.stringify(message)),
    farewell: () => JSON.stringify(systemMessage('shutting_down', ctx.now())),
  });
  const sockets = [events, system];
  let heartbeat: NodeJS.Timeout | undefined;
  const failovers = createFailoverLog(ctx.bus);
  let stopping = false;

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', (_req, res) => {
    const notReady = [...ctx.components().values()]
      .filter((component) => component.ready && !component.ready())
      .map((component) => component.name);
    // Redis is reported, and fails readiness only when configured to: without it requests still flow.
    // /ready is open to anyone, so it says whether, not where (the address is in /api/metrics).
    const fleet = ctx.fleet?.status();
    if (fleet && !fleet.redis.available && fleet.redis.required) notReady.push('redis');
    const ready = !stopping && notReady.length === 0;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      notReady,
      stopping,
      ...(fleet
        ? {
            fleet: {
              redis: {
                available: fleet.redis.available,
                since: fleet.redis.since,
                required: fleet.redis.required,
              },
              replicas: fleet.replicas,
            },
          }
        : {}),
    });
  });

  router.get('/api/incidents', async (req, res) => {
    const limit = parseLimit(req.query.limit);
    const type = req.query.type;
    if (type !== undefined && (typeof type !== 'string' || !incidentKinds.test(type))) {
      throw badRequest(
        'type must be an incident kind such as circuit_open or failover (or failover_triggered).',
        'invalid_parameter',
        'type',
      );
    }
    const kind = type === undefined ? undefined : incidentKindsFor(type);
    const data = await ctx.incidents.list({ limit, kind });
    res.json({ data, scope: ctx.incidents.scope() });
  });

  // Only what this process runs and the config names: a client's made-up model never becomes a row.
  router.get('/api/history', (_req, res) => {
    const running = ctx.components();
    const { providers, prober } = ctx.config;
    const models = configuredModels(ctx.config);
    const targets = running.has('prober') && prober.enabled ? prober.targets : [];
    const providerNames = running.has('gateway') ? providers.map((provider) => provider.name) : [];
    res.json({
      minutes: RECENT_MINUTES,
      providers: ctx.history
        .read('provider', providerNames)
        .map((series) => ({ ...series, models: models.get(series.name) ?? [] })),
      probes: ctx.history
        .read(
          'probe',
          targets.map((target) => target.name),
        )
        .map((series, index) => ({ ...series, kind: targets[index]?.http ? 'http' : 'model' })),
      failovers: running.has('gateway') ? failovers.recent() : [],
    });
  });

  let openapi: Record<string, unknown> | undefined;
  router.get('/openapi.json', (_req, res) => {
    openapi ??= createOpenApiDocument({ components: ctx.components().keys() });
    res.json(openapi);
  });

  router.get('/api/metrics', (_req, res) => {
    const gateway = ctx.components().get('gateway')?.summary?.();
    const summary: Record<string, unknown> = {
      // Sentinel-Ops' top-level fields, for its clients and dashboards; ours follow per component.
      ...sentinelMetrics(gateway, uptimeMs()),
      websocketClients: events.clients() + system.clients(),
      instance: ctx.instance,
      ...(ctx.fleet ? { fleet: ctx.fleet.status() } : {}),
    };
    for (const component of ctx.components().values()) {
      if (component.summary) summary[component.name] = component.summary();
    }
    res.json(summary);
  });

  return {
    name: 'api',
    router,
    upgradePaths: sockets.map((socket) => socket.path),
    attach: (server) => {
      for (const socket of sockets) socket.attach(server);
    },
    start() {
      heartbeat = setInterval(() => ctx.bus.publish({ type: 'heartbeat' }), heartbeatMs);
      heartbeat.unref();
    },
    stop() {
      stopping = true;
      clearInterval(heartbeat);
      failovers.stop();
      for (const socket of sockets) socket.close();
    },
  };
}
