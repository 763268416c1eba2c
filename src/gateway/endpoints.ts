import type { RequestHandler, Router } from 'express';
import { createGenerationHandler } from './chat-completions.ts';
import type { ChatDeps } from './chat-request.ts';
import { readCompletionsBody, readEmbeddingsBody } from './operation-bodies.ts';
import { addResponsesRoute } from './responses-endpoint.ts';

/**
 * OpenAI's endpoints beside chat: embeddings, the legacy text completions and the Responses API. Each
 * runs the same chain as chat over the route's targets that serve it.
 */
export function addOperationRoutes(http: Router, limited: RequestHandler, deps: ChatDeps): void {
  http.post(
    '/v1/embeddings',
    limited,
    createGenerationHandler(deps, {
      route: '/v1/embeddings',
      operation: 'embeddings',
      readBody: readEmbeddingsBody,
    }),
  );
  http.post(
    '/v1/completions',
    limited,
    createGenerationHandler(deps, {
      route: '/v1/completions',
      operation: 'completions',
      readBody: readCompletionsBody,
    }),
  );
  addResponsesRoute(http, limited, deps);
}
