import {
  apiKeySecurity,
  type JsonObject,
  jsonBody,
  limitParameter,
  pathName,
  pick,
  publicSecurity,
  ref,
} from './operations.ts';

const servedHeaders = {
  'x-request-id': {
    description: 'Request id (echoed when the client sent a valid one)',
    schema: { type: 'string' },
  },
  'x-inferwatch-trace-id': { description: 'Trace id of the SERVER span', schema: { type: 'string' } },
  'x-inferwatch-provider': { description: 'Provider that answered', schema: { type: 'string' } },
  'x-inferwatch-failover': {
    description: 'Comma-separated targets tried, in order (more than one = failover)',
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

/** Path → path item, per component: the document only lists what the running role serves. */
export const pathsByComponent: Record<string, Record<string, JsonObject>> = {
  gateway: {
    '/v1/chat/completions': chatCompletions,
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
  },
  api: {
    '/health': {
      get: {
        operationId: 'health',
        tags: ['operator'],
        summary: 'Liveness',
        security: publicSecurity,
        responses: { 200: jsonBody('Health', 'Alive') },
      },
    },
    '/ready': {
      get: {
        operationId: 'ready',
        tags: ['operator'],
        summary: 'Readiness: 503 while stopping or while a component cannot serve',
        security: publicSecurity,
        responses: { 200: jsonBody('Ready', 'Ready'), 503: jsonBody('Ready', 'Not ready') },
      },
    },
    '/api/incidents': {
      get: {
        operationId: 'listIncidents',
        tags: ['operator'],
        summary: 'Recent incidents (breaker transitions, failovers, probe state changes), newest first',
        security: apiKeySecurity,
        parameters: [
          limitParameter,
          {
            name: 'type',
            in: 'query',
            required: false,
            description: 'Incident kind, e.g. circuit_open or failover',
            schema: { type: 'string', pattern: '^[a-z_.:-]{1,64}$' },
          },
        ],
        responses: { 200: jsonBody('IncidentList', 'Incidents'), ...pick(400, 401) },
      },
    },
    '/api/metrics': {
      get: {
        operationId: 'metricsSummary',
        tags: ['operator'],
        summary: 'A small JSON summary per running component (the status page reads it)',
        security: apiKeySecurity,
        responses: { 200: jsonBody('MetricsSummary', 'Summary'), ...pick(401) },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['operator'],
        summary: 'This document',
        security: publicSecurity,
        responses: {
          200: {
            description: 'OpenAPI 3.1 document',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  },
  prober: {
    '/api/probes': {
      get: {
        operationId: 'listProbes',
        tags: ['prober'],
        summary: 'Every probe target with its state and last result',
        security: apiKeySecurity,
        responses: { 200: jsonBody('ProbeList', 'Targets'), ...pick(401) },
      },
    },
    '/api/probes/{name}': {
      get: {
        operationId: 'getProbe',
        tags: ['prober'],
        summary: "One target's state and stored history, newest first",
        security: apiKeySecurity,
        parameters: [pathName('Probe target name'), limitParameter],
        responses: { 200: jsonBody('ProbeDetail', 'Target'), ...pick(400, 401, 404) },
      },
    },
    '/api/probes/{name}/run': {
      post: {
        operationId: 'runProbe',
        tags: ['prober'],
        summary: 'Run one target now (joins a run already in flight)',
        security: apiKeySecurity,
        parameters: [pathName('Probe target name')],
        responses: { 200: jsonBody('ProbeRecord', 'Result'), ...pick(401, 404) },
      },
    },
  },
  analyzer: {
    '/api/alertmanager': {
      post: {
        operationId: 'alertmanagerWebhook',
        tags: ['analyzer'],
        summary: 'Alertmanager webhook (payload version 4); idempotent',
        security: [{ webhookToken: [] }, { webhookBasic: [] }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('AlertmanagerWebhook') } },
        },
        responses: {
          200: jsonBody('WebhookAccepted', 'Duplicate of a group state already accepted'),
          202: jsonBody('WebhookAccepted', 'Queued for analysis'),
          ...pick(400, 401, 413, 503),
        },
      },
    },
    '/api/analyses': {
      get: {
        operationId: 'listAnalyses',
        tags: ['analyzer'],
        summary: 'Recent analyses, newest first',
        security: apiKeySecurity,
        parameters: [limitParameter],
        responses: { 200: jsonBody('AnalysisList', 'Analyses'), ...pick(400, 401) },
      },
    },
    '/api/analyses/{id}': {
      get: {
        operationId: 'getAnalysis',
        tags: ['analyzer'],
        summary: 'One analysis with its alert group and notification outbox rows',
        security: apiKeySecurity,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }],
        responses: { 200: jsonBody('Analysis', 'Analysis'), ...pick(401, 404) },
      },
    },
  },
};
