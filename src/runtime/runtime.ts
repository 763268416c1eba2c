import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import express from 'express';
import type { Component, RuntimeContext } from '../component.ts';
import type { Config } from '../config/index.ts';
import { createEventBus, type EventBus } from '../events/index.ts';
import { createFleet } from '../fleet/index.ts';
import {
  createErrorRenderer,
  type Listening,
  listen,
  refuseUnclaimedUpgrades,
  requestPath,
  requireApiKey,
  securityHeaders,
} from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import type { StatusHistory } from '../store/index.ts';
import { createIncidentStore, createStatusHistory, type Database, openDatabase } from '../store/index.ts';
import { createTelemetry, type Telemetry } from '../telemetry/index.ts';
import { wireEventSinks } from './event-sinks.ts';
import { methodNotAllowed, ownsPath } from './method-not-allowed.ts';
import { type ComponentName, componentFactories, type Role, rolesComponents } from './roles.ts';

export interface RuntimeOptions {
  config: Config;
  role: Role;
  logger: Logger;
  telemetry?: Telemetry;
  bus?: EventBus;
  db?: Database;
  now?: () => number;
  /** service.instance.id (the telemetry resource's); defaults to telemetry.instanceId or a random id. */
  instance?: string;
  /** Build only these components (tests); defaults to the role's list. */
  only?: readonly ComponentName[];
}

export interface Runtime {
  app: express.Express;
  /**
   * The components' routes behind the security headers and API-key check, with 405s and OpenAI-shaped
   * errors, for mounting in another Express app. A path none of the components serves passes through
   * untouched (no auth, no headers), so the host's own routes beside it keep working.
   */
  router: express.Router;
  context: RuntimeContext;
  components: ReadonlyMap<string, Component>;
  /** Binds the configured host/port (or the given port), attaches upgrades, starts components. */
  listen(overrides?: { host?: string; port?: number }): Promise<Listening>;
  /**
   * Starts the components when someone else listens (an app that mounted `router`): attaches upgrades
   * to `server` when given and tells self-calling features (model probes of `self`) their base URL.
   */
  start(options?: { server?: Server; selfURL?: string }): Promise<void>;
  /** Stops components in reverse order, then closes the server (with the shutdown grace) and the store. */
  stop(): Promise<void>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, logger, now = Date.now } = options;
  const telemetry =
    options.telemetry ??
    createTelemetry({
      captureContent: config.telemetry.captureContent,
      onError: (error) => logger.debug({ err: error }, 'telemetry recording failed'),
    });
  const bus =
    options.bus ??
    createEventBus({
      now,
      instance: options.instance ?? config.telemetry.instanceId ?? config.prober.instance ?? randomUUID(),
      onListenerError: (error, event) =>
        logger.warn({ err: error, event: event.type }, 'event listener failed'),
    });
  const db = options.db ?? openDatabase(config.store.path);
  const localIncidents = createIncidentStore(db, { now, instance: bus.instance });
  const history = createStatusHistory(db, { now });
  const { url } = config.redis;
  const fleet = url
    ? createFleet({
        config: { ...config.redis, url },
        bus,
        logger,
        instruments: telemetry.instruments,
        localIncidents,
        now,
      })
    : undefined;
  const incidents = fleet?.incidents ?? localIncidents;
  wireEventSinks(bus, incidents, telemetry, logger, history);
  const historyUpkeep = createHistoryUpkeep(history, logger);
  const components = new Map<string, Component>();
  let listening: Listening | undefined;
  let selfURL = `http://${config.server.host}:${config.server.port}`;

  const context: RuntimeContext = {
    config,
    logger,
    telemetry,
    bus,
    db,
    incidents,
    history,
    fleet,
    instance: bus.instance,
    now,
    selfURL: () => selfURL,
    components: () => components,
  };

  const names = (options.only ?? rolesComponents[options.role]).filter(
    (name) => name !== 'simulator' || config.simulator.enabled,
  );
  for (const name of names) {
    const component = componentFactories[name](context);
    components.set(component.name, component);
  }

  const renderError = createErrorRenderer((error) =>
    logger.error({ err: error }, 'unhandled error in request'),
  );
  const guarded = express.Router();
  guarded.use(securityHeaders);
  guarded.use(
    requireApiKey({
      keys: config.server.apiKeys,
      // Open by design: probes of liveness, the status page shell (its data calls carry the key), the
      // Alertmanager webhook (its own token) and the simulated providers while the simulator runs (its
      // control surface checks the key itself).
      publicPaths: [
        '/health',
        '/ready',
        '/openapi.json',
        '/',
        '/favicon.ico',
        '/status/',
        '/api/alertmanager',
        ...(components.has('simulator') ? [`${config.simulator.mountPath}/`] : []),
      ],
    }),
  );
  const routers = [...components.values()].flatMap((component) =>
    component.router ? [component.router] : [],
  );
  for (const router of routers) guarded.use(router);
  guarded.use(methodNotAllowed(routers));
  guarded.use(renderError);

  const owns = ownsPath(routers);
  const router = express.Router();
  router.use((req, _res, next) => (owns(req.path) ? next() : next('router')));
  router.use(guarded);

  const app = express();
  app.disable('x-powered-by');
  // API answers change on every call; hashing each body for an ETag is work no client uses. The status
  // page's assets carry their own, computed once at start-up.
  app.set('etag', false);
  app.set('trust proxy', config.server.trustProxy);
  // Standalone, every path gets the headers and the key check (an unknown path answers 401, not 404).
  app.use(guarded);
  app.use((_req, res) => {
    res.status(404).json({
      error: { message: 'Not found.', type: 'invalid_request_error', code: 'not_found', param: null },
    });
  });
  app.use(renderError);

  const upgradePaths = new Set([...components.values()].flatMap((component) => component.upgradePaths ?? []));
  const claimsUpgrade = (req: IncomingMessage) => upgradePaths.has(requestPath(req));
  /** `hosted`: the server is someone else's (embedding), not one listen() built with claimsUpgrade. */
  const startOn = async (server: Server | undefined, url: string | undefined, hosted: boolean) => {
    if (url) selfURL = url.replace(/\/+$/, '');
    historyUpkeep.start();
    // Before the components: a replica that can reach Redis starts in fleet mode, not on its own.
    await fleet?.start();
    if (server) {
      const before = server.listenerCount('upgrade');
      for (const component of components.values()) component.attach?.(server);
      const attached = server.listenerCount('upgrade') - before;
      if (hosted && attached > 0) refuseUnclaimedUpgrades(server, claimsUpgrade, attached + 1);
    }
    for (const component of components.values()) await component.start?.();
  };

  return {
    app,
    router,
    context,
    components,
    async listen(overrides = {}) {
      listening = await listen(app, {
        host: overrides.host ?? config.server.host,
        port: overrides.port ?? config.server.port,
        keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
        acceptsUpgrade: claimsUpgrade,
      });
      await startOn(listening.server, listening.url, false);
      return listening;
    },
    start: ({ server, selfURL: url } = {}) => startOn(server, url, true),
    async stop() {
      // Stop accepting first so no new work races the components' shutdown.
      const closing = listening?.close(config.server.shutdownGraceMs);
      for (const component of [...components.values()].reverse()) {
        try {
          await component.stop?.();
        } catch (error) {
          logger.warn({ err: error, component: component.name }, 'component failed to stop cleanly');
        }
      }
      await closing;
      await fleet?.stop();
      historyUpkeep.stop();
      if (!options.db) db.close();
    },
  };
}

const FLUSH_MS = 5_000;
const PRUNE_MS = 10 * 60_000;

/**
 * Writes the status history every few seconds and prunes it now and then, off the request path. A write
 * that fails (a full disk) costs that batch of counts and one log line per failure streak, never a crash.
 */
function createHistoryUpkeep(history: StatusHistory, logger: Logger) {
  let timers: NodeJS.Timeout[] = [];
  let failing = false;
  const guarded = (work: () => void) => () => {
    try {
      work();
      if (failing) logger.info('status history writes resumed');
      failing = false;
    } catch (error) {
      if (!failing) logger.error({ err: error }, 'could not write the status history; continuing without it');
      failing = true;
    }
  };
  const flush = guarded(() => history.flush());
  const prune = guarded(() => history.prune());
  return {
    start() {
      // The runtime's start may be called by its own listen() and again by a host app that embeds it.
      if (timers.length > 0) return;
      prune();
      timers = [setInterval(flush, FLUSH_MS), setInterval(prune, PRUNE_MS)];
      for (const timer of timers) timer.unref();
    },
    stop() {
      for (const timer of timers) clearInterval(timer);
      timers = [];
      flush();
    },
  };
}
