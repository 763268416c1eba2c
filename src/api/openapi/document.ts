import { z } from 'zod';
import { version } from '../../version.ts';
import * as gateway from './gateway-schemas.ts';
import * as operations from './operation-schemas.ts';
import type { JsonObject } from './operations.ts';
import * as operator from './operator-schemas.ts';
import { pathsByComponent } from './paths.ts';

/** Component schema name → zod schema and direction (request bodies are `input`: defaults optional). */
const schemas: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  OpenAIError: { schema: gateway.openAIErrorSchema, io: 'output' },
  ChatCompletionRequest: { schema: gateway.chatRequestSchema, io: 'input' },
  ChatCompletion: { schema: gateway.chatCompletionSchema, io: 'output' },
  ModelList: { schema: gateway.modelListSchema, io: 'output' },
  EmbeddingsRequest: { schema: operations.embeddingsRequestSchema, io: 'input' },
  Embeddings: { schema: operations.embeddingsResponseSchema, io: 'output' },
  CompletionRequest: { schema: operations.completionsRequestSchema, io: 'input' },
  Completion: { schema: operations.completionSchema, io: 'output' },
  ResponseRequest: { schema: operations.responsesRequestSchema, io: 'input' },
  Response: { schema: operations.responseObjectSchema, io: 'output' },
  ApiChatRequest: { schema: gateway.apiChatRequestSchema, io: 'input' },
  ApiChatSuccess: { schema: gateway.apiChatSuccessSchema, io: 'output' },
  ApiChatError: { schema: gateway.apiChatErrorSchema, io: 'output' },
  ProviderList: { schema: gateway.providersListSchema, io: 'output' },
  ProviderProbe: { schema: gateway.providerProbeSchema, io: 'output' },
  ProvidersStatus: { schema: gateway.providersStatusSchema, io: 'output' },
  Health: { schema: operator.healthSchema, io: 'output' },
  Ready: { schema: operator.readySchema, io: 'output' },
  IncidentList: { schema: operator.incidentListSchema, io: 'output' },
  MetricsSummary: { schema: operator.metricsSummarySchema, io: 'output' },
  History: { schema: operator.historySchema, io: 'output' },
  ProbeRecord: { schema: operator.probeRecordSchema, io: 'output' },
  ProbeList: { schema: operator.probeListSchema, io: 'output' },
  ProbeDetail: { schema: operator.probeDetailSchema, io: 'output' },
  AlertmanagerWebhook: { schema: operator.alertmanagerWebhookSchema, io: 'input' },
  WebhookAccepted: { schema: operator.webhookAcceptedSchema, io: 'output' },
  AnalysisList: { schema: operator.analysisListSchema, io: 'output' },
  Analysis: { schema: operator.analysisSchema, io: 'output' },
};

function toJsonSchema({ schema, io }: { schema: z.ZodType; io: 'input' | 'output' }): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
  }) as JsonObject;
  return rest;
}

export interface OpenApiOptions {
  /** Running component names (runtime.components keys); only their paths are listed. Default: all. */
  components?: Iterable<string>;
  serverURL?: string;
}

/** The OpenAPI 3.1 document for the endpoints the given components serve. Pure: build once, serve often. */
export function createOpenApiDocument(options: OpenApiOptions = {}): JsonObject {
  const names = options.components ? new Set(options.components) : undefined;
  const paths: Record<string, JsonObject> = {};
  for (const [component, items] of Object.entries(pathsByComponent)) {
    if (names && !names.has(component)) continue;
    Object.assign(paths, items);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'inferwatch',
      version,
      description:
        'OpenAI-compatible failover gateway, synthetic prober and alert analyzer. Errors are OpenAI-shaped: ' +
        '{ "error": { "message", "type", "code", "param" } }.',
    },
    ...(options.serverURL ? { servers: [{ url: options.serverURL }] } : {}),
    // Default for every operation; public ones override it with [].
    security: [{ bearerApiKey: [] }, { headerApiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerApiKey: { type: 'http', scheme: 'bearer', description: 'One of server.apiKeys' },
        headerApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'One of server.apiKeys',
        },
        webhookToken: { type: 'http', scheme: 'bearer', description: 'analyzer.webhookToken' },
        webhookBasic: { type: 'http', scheme: 'basic', description: 'Password = analyzer.webhookToken' },
      },
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([name, entry]) => [name, toJsonSchema(entry)]),
      ),
    },
  };
}
