import { apiKeySecurity, type JsonObject, jsonBody, pathName, pick, ref } from './operations.ts';

const servedHeaders = {
  'x-request-id': {
    description: 'Request id (echoed when the client sent a valid one)',
    schema: { type: 'string' },
  },
  'x-inferwatch-trace-id': { description: 'Trace id of the SERVER span', schema: { type: 'string' } },
  'x-inferwatch-provider': { description: 'Provider that answered', schema: { type: 'string' } },
  'x-inferwatch-failover': {
    description:
      'Comma-separated providers the request went through, in order: each passed over (breaker open, or failed), then the one that answered (more than one = failover)',
    schema: { type: 'string' },
  },
};

const chatCompletions = {
  post: {
    operationId: 'createChatCompletion',
    tags: ['gateway'],
    summary: 'OpenAI-compatible chat completion, JSON or SSE, routed with breakers, retries and failover',
    security: apiKeySecurity,
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref('ChatCompletionRequest') } },
    },
    responses: {
      200: {
        description: 'The upstream answer, unchanged (JSON), or its SSE stream ending with data: [DONE]',
        headers: servedHeaders,
        content: {
          'application/json': { schema: ref('ChatCompletion') },
          // One schema per SSE event (how OpenAPI tools such as schemathesis read event streams).
          'text/event-stream': {
            schema: {
              type: 'object',
              properties: { event: { type: 'string' }, data: { type: 'string' }, id: { type: 'string' } },
              required: ['data'],
            },
          },
        },
      },
      ...pick(400, 401, 404, 413, 429, 500, 502, 503, 504),
      '4XX': jsonBody('OpenAIError', "An upstream's client error, passed through (context length, filter)"),
    },
  },
};

const sseEvent = {
  type: 'object',
  properties: { event: { type: 'string' }, data: { type: 'string' }, id: { type: 'string' } },
  required: ['data'],
};

/** Another OpenAI endpoint routed like chat: its request and answer, and its event stream when it has one. */
function generation(operationId: string, summary: string, request: string, answer: string, streams: string) {
  return {
    post: {
      operationId,
      tags: ['gateway'],
      summary,
      security: apiKeySecurity,
      requestBody: { required: true, content: { 'application/json': { schema: ref(request) } } },
      responses: {
        200: {
          description: streams || 'The upstream answer, unchanged',
          headers: servedHeaders,
          content: {
            'application/json': { schema: ref(answer) },
            ...(streams ? { 'text/event-stream': { schema: sseEvent } } : {}),
          },
        },
        ...pick(400, 401, 404, 413, 429, 500, 502, 503, 504),
        '4XX': jsonBody('OpenAIError', "An upstream's client error, passed through"),
      },
    },
  };
}

/** The gateway's OpenAI-compatible surface and its provider endpoints. */
export const gatewayPaths: Record<string, JsonObject> = {
  '/v1/chat/completions': chatCompletions,
  '/v1/embeddings': generation(
    'createEmbeddings',
    "OpenAI embeddings over the route's targets that serve them, with breakers, retries and failover",
    'EmbeddingsRequest',
    'Embeddings',
    '',
  ),
  '/v1/completions': generation(
    'createCompletion',
    'Legacy text completions, JSON or SSE, routed like chat',
    'CompletionRequest',
    'Completion',
    'The upstream answer (JSON), or its SSE stream ending with data: [DONE]',
  ),
  '/v1/responses': generation(
    'createResponse',
    'The Responses API, JSON or its typed event stream; a previous_response_id continuation stays with its provider',
    'ResponseRequest',
    'Response',
    'The upstream answer (JSON), or its typed event stream ending with response.completed (an error event when it broke)',
  ),
  '/v1/models': {
    get: {
      operationId: 'listModels',
      tags: ['gateway'],
      summary: 'Client-facing model names (named routes)',
      security: apiKeySecurity,
      responses: { 200: jsonBody('ModelList', 'Models'), ...pick(401, 429) },
    },
  },
  '/api/chat': {
    post: {
      operationId: 'chat',
      tags: ['gateway'],
      summary: 'Simplified chat: same routing, outcome spelled out (who answered, failover, latency)',
      security: apiKeySecurity,
      requestBody: { required: true, content: { 'application/json': { schema: ref('ApiChatRequest') } } },
      responses: {
        200: jsonBody('ApiChatSuccess', 'Answered'),
        ...pick(400, 401, 413, 500),
        404: jsonBody('ApiChatError', 'No route for the model'),
        '4XX': jsonBody('ApiChatError', 'Rate limited upstream, or an upstream client error'),
        '5XX': jsonBody('ApiChatError', 'Every target failed or is unavailable'),
      },
    },
  },
  '/api/providers': {
    get: {
      operationId: 'listProviders',
      tags: ['gateway'],
      summary: 'Breaker state, latency and success ratio per provider and target',
      security: apiKeySecurity,
      responses: { 200: jsonBody('ProviderList', 'Providers'), ...pick(401) },
    },
  },
  '/api/providers/status': {
    get: {
      operationId: 'providersStatus',
      tags: ['gateway', 'sentinel-ops'],
      summary:
        'Sentinel-Ops alias: { name: { status, latency_ms, success_rate_pct, circuit_breaker: { state } } }',
      security: apiKeySecurity,
      responses: { 200: jsonBody('ProvidersStatus', 'Health per provider'), ...pick(401) },
    },
  },
  '/api/providers/{name}/probe': {
    post: {
      operationId: 'probeProvider',
      tags: ['gateway'],
      summary: "Run the provider's health check now (half-open targets settle on it)",
      security: apiKeySecurity,
      parameters: [pathName('Provider name from providers[]')],
      responses: { 200: jsonBody('ProviderProbe', 'Health check results'), ...pick(401, 404) },
    },
  },
};
