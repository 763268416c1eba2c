import express from 'express';
import { createErrorRenderer, HttpError, notFound, requireApiKey } from '../http/index.ts';
import { createAdminRouter } from './admin.ts';
import { type ChatDeps, handleModels, type SimRequest, type SimResponse, sendError } from './chat.ts';
import { chatFormat } from './formats.ts';
import { handleGeneration } from './generate.ts';
import { createInstanceTable, type RecordedRequest, type SimulatorStats } from './instances.ts';
import { type ChatRequest, defaultReplyText, simulatedModels } from './replies.ts';
import { addProviderRoutes } from './routes.ts';
import type { RuntimeFaults } from './runtime-faults.ts';

export interface SimulatorOptions {
  now?: () => number;
  /** Draws for `errorRate`. */
  random?: () => number;
  defaultReply?: string;
  /** Gap between streamed tokens is 1000 / tokensPerSecond ms; 0 sends them back to back. */
  tokensPerSecond?: number;
  /** Delay before the first chunk (stream) or added to the generation time (non-stream). */
  ttftMs?: number;
  /** Base model names it serves (default sim-small, sim-large, sim-echo); others answer 404 model_not_found. */
  models?: readonly string[];
  /**
   * Scripted content (an LLM whose answers a test decides): returns the reply text for a request, or
   * undefined for the deterministic default. Faults, timing and the wire format stay the simulator's.
   */
  reply?: (request: ChatRequest) => string | undefined;
  /**
   * Keys the control surface (`/_sim`) requires; none = open. Its faults can take a provider out for every
   * user and `last-request` holds a prompt verbatim, so the embedded simulator passes `server.apiKeys`.
   */
  controlKeys?: readonly { name: string; key: string }[];
}

export interface Simulator {
  /**
   * `/v1/...` (instance "default"), `/:instance/v1/...` and `/_sim/...`, plus Azure OpenAI's `/openai/...`
   * paths with and without an instance; mount it anywhere.
   */
  router: express.Router;
  /** A standalone app with the same routes, a 404 and OpenAI-shaped errors; it never listens itself. */
  app: express.Express;
  /** Replaces an instance's runtime faults (validated; throws on invalid input). */
  setFaults(instance: string, faults: RuntimeFaults): RuntimeFaults;
  resetFaults(instance?: string): void;
  stats(instance: string): SimulatorStats;
  resetStats(instance?: string): void;
  /** The last chat request the instance received (body as sent, credentials redacted in headers). */
  lastRequest(instance: string): RecordedRequest | undefined;
  /**
   * Serves `POST /v1/chat/completions` and `GET /v1/models` (with or without an instance) outside express,
   * for the HTTP/2 server (http2.ts); false when the request is not one of them.
   */
  handle(req: SimRequest, res: SimResponse): boolean;
  /** Ends every open exchange (silent and stalled ones included), so a server can close at once. */
  close(): void;
}

const apiRoute = /^(?:\/([^/]+))?\/v1\/(chat\/completions|models)$/;

export const defaultInstance = 'default';

/** An OpenAI-compatible fake provider with fault injection by model name and at runtime. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const now = options.now ?? Date.now;
  const instances = createInstanceTable(now);
  let sequence = 0;
  const deps: ChatDeps = {
    now,
    random: options.random ?? Math.random,
    defaultReply: options.defaultReply ?? defaultReplyText,
    ttftMs: options.ttftMs ?? 20,
    tokensPerSecond: options.tokensPerSecond ?? 200,
    open: new Set(),
    nextId: () => `sim${(++sequence).toString(36).padStart(6, '0')}`,
    models: new Set(options.models ?? simulatedModels),
    reply: options.reply,
  };
  const name = (value: string | string[] | undefined) => (typeof value === 'string' ? value : '');

  const router = express.Router();
  // The guard sits on the same layer as the admin routes, so it matches exactly what they match (express
  // routes case-insensitively and ignores a trailing slash).
  router.use(
    '/_sim',
    requireApiKey({ keys: options.controlKeys ?? [], publicPaths: [] }),
    createAdminRouter(instances),
  );
  addProviderRoutes(router, deps, (req) =>
    instances.get(req.params.instance === undefined ? defaultInstance : name(req.params.instance)),
  );

  const app = express();
  app.disable('x-powered-by');
  app.use(router);
  app.use(() => {
    throw notFound('Not found.');
  });
  app.use(createErrorRenderer((error) => console.error('simulator: unexpected error', error)));

  return {
    router,
    app,
    setFaults: (instance, faults) => instances.setFaults(instance, faults),
    resetFaults: (instance) => instances.resetFaults(instance),
    stats: (instance) => instances.get(instance).stats,
    resetStats: (instance) => instances.resetStats(instance),
    lastRequest: (instance) => instances.get(instance).lastRequest,
    handle(req, res) {
      const match = apiRoute.exec(new URL(req.url ?? '/', 'http://simulator').pathname);
      const route = match?.[2] === 'chat/completions' ? 'POST' : match ? 'GET' : undefined;
      if (!match || req.method !== route) return false;
      try {
        const instance = instances.get(match[1] ?? defaultInstance);
        void (route === 'POST'
          ? handleGeneration(instance, req, res, deps, chatFormat)
          : handleModels(instance, res, deps));
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        sendError(res, error);
      }
      return true;
    },
    close() {
      for (const cut of [...deps.open]) cut();
    },
  };
}
