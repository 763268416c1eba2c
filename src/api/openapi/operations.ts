/**
 * Small builders for OpenAPI operation objects, so the path tables read as data, one row per operation.
 * Schemas are referenced by name from components.schemas (see schemas.ts).
 */
export type JsonObject = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const jsonBody = (schema: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(schema) } },
});

/** The OpenAI-shaped error body every error response of ours carries. */
export const errorResponse = (description: string) => jsonBody('OpenAIError', description);

/** Error statuses by name; an operation lists the ones it can answer with. */
export const errors = {
  400: errorResponse('Invalid request (bad JSON, missing or invalid parameter)'),
  401: errorResponse('Missing or invalid API key (only when server.apiKeys is set)'),
  404: errorResponse('Not found'),
  413: errorResponse('Request body exceeds server.maxBodyBytes (or analyzer.maxBodyBytes)'),
  429: errorResponse('Rate limited (rateLimit) or every target rate limited upstream; see Retry-After'),
  500: errorResponse('Internal error (never carries internals)'),
  502: errorResponse('Upstream failed (server error, auth, bad response) after retries and failover'),
  503: errorResponse('Every target unavailable (circuit open) or the store cannot queue; see Retry-After'),
  504: errorResponse('Upstream timed out (connect, first token, idle or total)'),
} as const;

export type ErrorStatus = keyof typeof errors;

export const pick = (...statuses: ErrorStatus[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), errors[status]]));

export const limitParameter = {
  name: 'limit',
  in: 'query',
  required: false,
  description: 'How many rows, newest first (default 50)',
  schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
};

export const pathName = (description: string) => ({
  name: 'name',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', minLength: 1 },
});

/** Security requirement alternatives: either header carries a gateway API key. */
export const apiKeySecurity = [{ bearerApiKey: [] }, { headerApiKey: [] }];
export const publicSecurity: JsonObject[] = [];
