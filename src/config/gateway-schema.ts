import { z } from 'zod';
import {
  anthropicOptionsSchema,
  azureOptionsSchema,
  checkProviderType,
  operations,
  providerTypes,
  withDefaultBaseURL,
} from './provider-types.ts';

/** Per-provider timeouts. Separate phases because a slow first token and a stalled stream are different failures. */
export const timeoutsSchema = z
  .strictObject({
    connectMs: z.number().int().positive().default(3_000).describe('TCP/TLS connect timeout'),
    firstTokenMs: z
      .number()
      .int()
      .positive()
      .default(15_000)
      .describe('Time to response headers (non-stream) or first SSE chunk (stream)'),
    idleMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Longest silence allowed between stream chunks'),
    totalMs: z.number().int().positive().default(60_000).describe('Upper bound for one upstream attempt'),
  })
  .prefault({});

/** USD per million tokens, as providers publish their prices. */
export const priceSchema = z.strictObject({
  inputPerMillion: z.number().min(0).describe('USD per million input (prompt) tokens'),
  outputPerMillion: z.number().min(0).describe('USD per million output (completion) tokens'),
  cachedInputPerMillion: z
    .number()
    .min(0)
    .optional()
    .describe('USD per million cached input tokens; unset = the input price'),
});
/** A `gen_ai.provider.name` value: it becomes a label, so lowercase and short. */
export const genAiProviderNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_.]{0,62}$/,
    'lowercase letters, digits, "_" and "." (a well-known value such as openai)',
  );

export const providerSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_.-]{0,62}$/,
        'lowercase letters, digits, "-", "_", "." (it becomes a metric label)',
      )
      .describe('Unique provider name; used in routes, metrics and headers'),
    type: z
      .enum(providerTypes)
      .default('openai')
      .describe(
        'Wire protocol: "openai" (OpenAI, Ollama, vLLM, OXLO, Gemini and any OpenAI-compatible base URL), "anthropic" (the Messages API, translated), "azure_openai" (Azure OpenAI deployments or its v1 API)',
      ),
    baseURL: z
      .url()
      .optional()
      .describe(
        'openai: the base including the version path (https://api.openai.com/v1); anthropic: without it (default https://api.anthropic.com); azure_openai: the resource endpoint (https://NAME.openai.azure.com)',
      ),
    genAiProviderName: genAiProviderNameSchema
      .optional()
      .describe(
        'gen_ai.provider.name on spans and metrics (openai, azure.ai.openai, anthropic, groq, mistral_ai, ...); unset: the service of a well-known baseURL host, else the vendor of the API the type speaks (openai, anthropic, azure.ai.openai)',
      ),
    apiKey: z
      .string()
      .optional()
      .describe(
        'Sent upstream as Bearer (openai), x-api-key (anthropic) or api-key (azure_openai); use ${ENV} interpolation',
      ),
    anthropic: anthropicOptionsSchema.optional().describe('type anthropic only'),
    azure: azureOptionsSchema.optional().describe('type azure_openai only'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra headers sent upstream'),
    models: z
      .record(z.string(), z.string())
      .default({})
      .describe('Client model name → upstream model name, applied when a route target does not set a model'),
    timeouts: timeoutsSchema,
    maxConnections: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "At most this many requests to this provider at once (over HTTP/1.1, one connection each); more wait in a queue that counts against retry.deadlineMs and shows in inferwatch.gateway.pool.wait and /api/providers. Unset = no cap, like Node's own HTTP agent",
      ),
    http2: z
      .boolean()
      .default(false)
      .describe(
        'Speak HTTP/2 to this provider: over https negotiated by ALPN (HTTP/1.1 when the server does not offer h2), over http as h2c with prior knowledge (the upstream must speak it)',
      ),
    pricing: z
      .record(z.string().min(1), priceSchema)
      .default({})
      .describe(
        'Upstream model → { inputPerMillion, outputPerMillion, cachedInputPerMillion } in USD per million tokens (cached input defaults to the input price), for inferwatch.gateway.cost.usd. Nothing is built in: unpriced models report tokens only',
      ),
    prefill: z
      .enum(['none', 'continue_final_message', 'prefix'])
      .default('none')
      .describe(
        'How this provider continues a partial assistant message, for retry.resumeStreams "prefill": "continue_final_message" (vLLM: the flag plus add_generation_prompt false), "prefix" (Mistral, DeepSeek: prefix true on the assistant message), or "none" (replay only). Only a provider that declares it is ever asked to continue an answer',
      ),
    healthCheck: z
      .enum(['models', 'completion', 'none'])
      .default('models')
      .describe('Half-open trial: GET /models, a 1-token completion, or let real traffic decide'),
  })
  .superRefine(checkProviderType)
  .transform(withDefaultBaseURL);

export const routeTargetSchema = z.strictObject({
  provider: z.string().describe('A provider name from providers[]'),
  model: z
    .string()
    .optional()
    .describe('Upstream model; defaults to the client model (after provider.models mapping)'),
  priority: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'Lower runs first; defaults to the position in targets[] (an ordered chain). Equal priorities are load-balanced by weight',
    ),
  weight: z.number().positive().default(1).describe('Relative share among targets of equal priority'),
  operations: z
    .array(z.enum(operations))
    .min(1)
    .optional()
    .describe(
      "What this target serves (chat, embeddings, completions, responses); unset = everything its provider's type can carry. A request for an operation no target of the route serves answers 404",
    ),
});

export const routeSchema = z.strictObject({
  model: z.string().min(1).describe('Client-facing model name, or "*" for any'),
  targets: z.array(routeTargetSchema).min(1).describe('Ordered failover chain'),
});

export const retrySchema = z
  .strictObject({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe('Attempts per target, first try included'),
    baseDelayMs: z.number().int().min(0).default(200),
    maxDelayMs: z.number().int().min(0).default(5_000),
    budgetRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('Retries allowed as a fraction of recent requests per provider (stops retry storms)'),
    deadlineMs: z
      .number()
      .int()
      .positive()
      .default(120_000)
      .describe('Overall deadline for one client request across the chain'),
    failoverOnEmpty: z
      .boolean()
      .default(true)
      .describe(
        'A 200 answer with no content, tool call or refusal (and no finish_reason "length" or "content_filter" to explain it) is an empty_response failure: failed over, counted against the target',
      ),
    resumeStreams: z
      .enum(['replay', 'prefill', 'off'])
      .default('replay')
      .describe(
        'A stream that fails after the client received content continues on the next target: "replay" resends the request and streams on only once the new answer has repeated, exactly, everything already sent (else the stream ends with stream_resume_diverged); "prefill" asks targets whose provider declares prefill to continue the partial answer and replays elsewhere; "off" ends the stream with the error event',
      ),
    maxStreamResumptions: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe(
        'Resumptions one streamed request may make (each inside retry.deadlineMs and the retry budget)',
      ),
  })
  .prefault({});

export const circuitBreakerSchema = z
  .strictObject({
    failureThreshold: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('Consecutive failures that open the breaker'),
    failureRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Failure ratio over the window that opens the breaker'),
    windowSeconds: z.number().int().min(1).default(60),
    minimumRequests: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Requests in the window before failureRatio applies'),
    recoverySeconds: z.number().min(0).default(30).describe('Open time before half-open trials'),
    halfOpenMaxRequests: z.number().int().min(1).default(1).describe('Trials allowed while half-open'),
  })
  .prefault({});

/** What a client's own entry under `rateLimit.clients` may set; unset fields take the defaults above it. */
const clientRateLimitSchema = z.strictObject({
  requests: z.number().int().min(0).optional().describe("This client's requests per window; 0 = no limit"),
  windowSeconds: z.number().int().min(1).optional(),
  tokensPerMinute: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("This client's tokens per minute; 0 = no limit"),
});

/** Names as `server.apiKeys` entries give them (they label metrics too). */
export const clientNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'a client key name: lowercase letters, digits, "-", "_", "."');

export const rateLimitSchema = z
  .strictObject({
    requests: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Requests per window per configured API key, or per client IP when no keys are set (server.trustProxy decides which IP); 0 = off',
      ),
    windowSeconds: z
      .number()
      .int()
      .min(1)
      .default(60)
      .describe("A client's window starts with its first request"),
    tokensPerMinute: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Tokens (input + output) per minute per API key (or client IP); 0 = off. A request is refused once the minute is used up; its own tokens count when it ends',
      ),
    whenRedisDown: z
      .enum(['share', 'open'])
      .default('share')
      .describe(
        "With redis.url, while Redis is unreachable: 'share' enforces each limit and budget per replica at its share (divided by the replicas last seen), 'open' lets requests through unlimited",
      ),
    clients: z
      .record(clientNameSchema, clientRateLimitSchema)
      .default({})
      .describe('Per API key name: { requests, windowSeconds, tokensPerMinute } replacing the defaults'),
    maxClients: z
      .number()
      .int()
      .min(1)
      .default(100_000)
      .describe(
        'Clients (keys or IPs) tracked at once; past it, after expired windows are dropped, new clients share one window (metric inferwatch.rate_limit.bucket="shared", a warning per window)',
      ),
  })
  .prefault({});

/** A spend and a token allowance over one period; 0 = none. */
const allowanceSchema = z.strictObject({
  usd: z.number().min(0).optional().describe('USD (priced models only, see providers[].pricing); 0 = none'),
  tokens: z.number().int().min(0).optional().describe('Input + output tokens; 0 = none'),
});

export const budgetsSchema = z
  .strictObject({
    daily: allowanceSchema
      .prefault({})
      .describe('Per API key per UTC day, for every key without its own entry under clients'),
    monthly: allowanceSchema.prefault({}).describe('Per API key per UTC calendar month, likewise'),
    clients: z
      .record(
        clientNameSchema,
        z.strictObject({ daily: allowanceSchema.optional(), monthly: allowanceSchema.optional() }),
      )
      .default({})
      .describe(
        'Per API key name: its own daily and monthly { usd, tokens }, field by field over the defaults',
      ),
  })
  .prefault({})
  .describe(
    'Spend and token budgets per client key; a request past one is refused with 429 budget_exceeded. Fleet-wide with redis.url',
  );
