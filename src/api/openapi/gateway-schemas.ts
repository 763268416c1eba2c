import { z } from 'zod';

/**
 * The gateway's wire shapes as zod schemas, for the OpenAPI document only: the hot path parses by hand
 * (a bounded JSON read, no validator per proxied request). Objects are loose because the gateway passes
 * unknown OpenAI fields through unchanged; only what the gateway itself relies on is constrained.
 */
export const openAIErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string(),
    type: z.string(),
    code: z.string().nullable(),
    param: z.string().nullable(),
  }),
});

/**
 * A client model name as the gateway accepts it: at most `server.maxModelNameLength` characters (the
 * default, 256, is what the document states) and no control characters. Spelled with \u escapes so the
 * pattern reads the same in every JSON Schema engine.
 */
export const modelName = z
  .string()
  .min(1)
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse control characters.
  .regex(/^[^\u0000-\u001F\u007F-\u009F]*$/, 'no control characters');

const messageSchema = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
});

export const chatRequestSchema = z.looseObject({
  model: modelName.describe('Client-facing model name; a route maps it to a provider chain'),
  messages: z.array(messageSchema).min(1),
  stream: z
    .boolean()
    .nullable()
    .optional()
    .describe('true: text/event-stream of chat.completion.chunk events; null means false'),
  // Sampling fields (temperature, max_tokens, ...) pass through; the upstream validates them.
});

export const chatCompletionSchema = z.looseObject({
  id: z.string(),
  object: z.string(),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number().int(),
      message: z.looseObject({ role: z.string(), content: z.string().nullable() }),
      finish_reason: z.string().nullable(),
    }),
  ),
  usage: z
    .looseObject({
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
      total_tokens: z.number().int(),
    })
    .optional(),
});

export const modelListSchema = z.strictObject({
  object: z.literal('list'),
  data: z.array(
    z.strictObject({
      id: z.string(),
      object: z.literal('model'),
      created: z.number().int(),
      owned_by: z.string(),
    }),
  ),
});

const apiChatCommonRequest = {
  model: modelName.optional().describe('Defaults to the first named route'),
  stream: z.literal(false).nullable().optional().describe('/api/chat never streams'),
};

/** Either `message` (one user turn) or `messages` (a chat); one of them is required. */
export const apiChatRequestSchema = z.union([
  z.looseObject({ ...apiChatCommonRequest, message: z.string().min(1).describe('One user message') }),
  z.looseObject({ ...apiChatCommonRequest, messages: z.array(messageSchema).min(1) }),
]);

const apiChatCommon = {
  trace_id: z.string(),
  latency_ms: z.number().min(0),
  failover_occurred: z
    .boolean()
    .describe(
      'True when a later target answered (or was called) because an earlier one was skipped or failed',
    ),
  failover_chain: z
    .array(z.string())
    .describe('Providers passed over (open breaker or failed), in order; [] when the first choice answered'),
  model: z.string(),
  tokens_used: z.number().int().min(0),
};

export const apiChatSuccessSchema = z.strictObject({
  ...apiChatCommon,
  provider_used: z.string(),
  response_text: z.string(),
  status: z.literal('success'),
});

export const apiChatErrorSchema = z.strictObject({
  ...apiChatCommon,
  provider_used: z.null(),
  response_text: z.null(),
  status: z.literal('error'),
  error: openAIErrorSchema.shape.error,
});

const breakerState = z.enum(['closed', 'open', 'half_open']);
const nullableMs = z.number().min(0).nullable();

export const providersListSchema = z.strictObject({
  data: z.array(
    z.looseObject({
      name: z.string(),
      type: z.string(),
      baseURL: z.string(),
      healthCheck: z.string(),
      state: breakerState,
      inFlight: z.number().int().min(0),
      maxConnections: z
        .number()
        .int()
        .min(1)
        .nullable()
        .describe('The request cap to this provider; null when there is none'),
      queued: z.number().int().min(0).describe('Requests waiting for a slot (always 0 without a cap)'),
      successRatio: z.number().min(0).max(1).nullable(),
      p50Ms: nullableMs,
      p99Ms: nullableMs,
      targets: z.array(
        z.looseObject({
          model: z.string().optional(),
          state: breakerState,
          inFlight: z.number().int().min(0),
          retryAfterMs: z.number().min(0),
          count: z.number().int().min(0),
        }),
      ),
    }),
  ),
});

/** The Sentinel-Ops shape of GET /api/providers/status: provider name → its health. */
export const providersStatusSchema = z.record(
  z.string(),
  z.strictObject({
    status: z
      .enum(['healthy', 'degraded', 'down'])
      .describe('down: breaker open; degraded: half-open or under 95 % recent success'),
    latency_ms: nullableMs.describe('Median over the last 512 attempts; null before the first'),
    success_rate_pct: z.number().min(0).max(100).nullable().describe('Over the last 512 attempts'),
    circuit_breaker: z.strictObject({ state: breakerState }),
  }),
);

export const providerProbeSchema = z.strictObject({
  provider: z.string(),
  ok: z.boolean(),
  results: z.array(
    z.strictObject({
      target: z.string(),
      ok: z.boolean(),
      errorType: z.string().optional(),
      latencyMs: z.number().min(0),
    }),
  ),
});
