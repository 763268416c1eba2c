import { Router } from 'express';
import { badRequest, parseLimit } from '../http/index.ts';
import type { Component, RuntimeContext } from '../runtime/component.ts';
import { createOpenApiDocument } from './openapi/index.ts';
import { createEventSocket } from './websocket.ts';

const incidentKinds = /^[a-z_.:-]{1,64}$/;

/**
 * The operator surface shared by every role: liveness, readiness, incidents, a metrics summary and the
 * event WebSocket. Feature-specific endpoints (/api/providers, /api/probes, /api/analyses) live with
 * their feature.
 */
export function createApiComponent(ctx: RuntimeContext): Component {
  const router = Router();
  const socket = createEventSocket({ bus: ctx.bus, apiKeys: ctx.config.server.apiKeys });
  let stopping = false;

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', (_req, res) => {
    const notReady = [...ctx.components().values()]
      .filter((component) => component.ready && !component.ready())
      .map((component) => component.name);
    const ready = !stopping && notReady.length === 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', notReady, stopping });
  });

  router.get('/api/incidents', (req, res) => {
    const limit = parseLimit(req.query.limit);
    const type = req.query.type;
    if (type !== undefined && (typeof type !== 'string' || !incidentKinds.test(type))) {
      throw badRequest(
        'type must be an incident kind such as circuit_open or failover.',
        'invalid_parameter',
        'type',
      );
    }
    res.json({ data: ctx.incidents.list({ limit, kind: type }) });
  });

  let openapi: Record<string, unknown> | undefined;
  router.get('/openapi.json', (_req, res) => {
    openapi ??= createOpenApiDocument({ components: ctx.components().keys() });
    res.json(openapi);
  });

  router.get('/api/metrics', (_req, res) => {
    const summary: Record<string, unknown> = { websocketClients: socket.clients() };
    for (const component of ctx.components().values()) {
      if (component.summary) summary[component.name] = component.summary();
    }
    res.json(summary);
  });

  return {
    name: 'api',
    router,
    attach: (server) => socket.attach(server),
    stop() {
      stopping = true;
      socket.close();
    },
  };
}
