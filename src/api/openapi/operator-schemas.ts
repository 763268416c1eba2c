import { z } from 'zod';
import { categories, severities, webhookSchema } from '../../analyzer/index.ts';
import { probeStates } from '../../events/index.ts';

/** Response shapes of the operator API, the prober and the analyzer, for the OpenAPI document. */
export const healthSchema = z.strictObject({ status: z.literal('ok') });

/** With `redis.url`: the fleet's state as this replica sees it. */
export const fleetStatusSchema = z.strictObject({
  redis: z.strictObject({
    available: z.boolean().describe('false: this replica runs on per-replica state until Redis answers'),
    target: z.string().describe('The Redis URL without credentials'),
    since: z.string().describe('When `available` last changed'),
    lastError: z.string().optional(),
    required: z.boolean().describe('redis.required: /ready fails while Redis is unreachable'),
  }),
  replicas: z.number().int().min(1).describe('Replicas that reached Redis in the last few seconds'),
  pendingWrites: z.number().int().min(0).describe('Events and incidents waiting for Redis'),
});

export const readySchema = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  notReady: z.array(z.string()),
  stopping: z.boolean(),
  fleet: z
    .strictObject({
      redis: fleetStatusSchema.shape.redis.pick({ available: true, since: true, required: true }),
      replicas: fleetStatusSchema.shape.replicas,
    })
    .optional()
    .describe(
      'With redis.url: whether Redis is reachable (its address is in /api/metrics, which needs a key)',
    ),
});

const severity = z.enum(severities);

export const incidentListSchema = z.strictObject({
  data: z.array(
    z.strictObject({
      id: z.string(),
      at: z.string(),
      kind: z.string(),
      severity,
      title: z.string(),
      subject: z.string(),
      detail: z.record(z.string(), z.unknown()),
      instance: z.string().optional().describe('The replica that raised it (service.instance.id)'),
    }),
  ),
  scope: z
    .enum(['fleet', 'replica'])
    .describe("fleet: every replica's incidents (from Redis); replica: this one's only"),
});

const usageTotalsSchema = z.strictObject({
  attempts: z.number().int().min(0),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  estimated: z.number().int().min(0).describe('Attempts whose tokens were estimated (no usage upstream)'),
  costUsd: z.number().min(0).describe('From providers[].pricing; unpriced models add nothing'),
});

const budgetReportSchema = z.strictObject({
  spentUsd: z.number().min(0),
  spentTokens: z.number().min(0),
  limitUsd: z.number().min(0).nullable().describe('null: no USD budget for this period'),
  limitTokens: z.number().int().min(0).nullable().describe('null: no token budget for this period'),
  resetsAt: z.string().describe('When the period starts over (the next UTC day or month), ISO 8601'),
});

/**
 * The Sentinel-Ops totals at the top level, then one entry per running component (gateway, prober,
 * analyzer, ...), each its own small summary.
 */
export const metricsSummarySchema = z.looseObject({
  total_requests: z.number().int().min(0).describe('Client requests since start'),
  total_successes: z.number().int().min(0),
  total_failures: z.number().int().min(0),
  total_failovers: z
    .number()
    .int()
    .min(0)
    .describe(
      'Requests served (or next tried) by a later target because an earlier one was skipped or failed',
    ),
  avg_latency_ms: z.number().min(0).describe('Mean duration of the successful requests'),
  active_provider: z
    .string()
    .nullable()
    .describe('Provider of the most recent successful answer; null before the first'),
  uptime_seconds: z.number().min(0),
  websocketClients: z.number().int().min(0),
  instance: z.string().describe("This replica's service.instance.id"),
  fleet: fleetStatusSchema.optional(),
  gateway: z
    .looseObject({
      requests: z.number().int().min(0),
      errors: z.number().int().min(0),
      failovers: z.number().int().min(0),
      p50Ms: z.number().min(0),
      p99Ms: z.number().min(0),
      usage: z
        .strictObject({
          total: usageTotalsSchema,
          byClient: z
            .record(z.string(), usageTotalsSchema)
            .describe('By API key name (`anonymous` when the gateway is open)'),
          byModel: z.record(z.string(), usageTotalsSchema).describe('By provider/model'),
        })
        .optional(),
      budgets: z
        .record(z.string(), z.strictObject({ day: budgetReportSchema, month: budgetReportSchema }))
        .describe(
          "Per client key name with a budget: spent and limit of this UTC day and month (the fleet's with redis.url), refreshed within a second of its requests",
        )
        .optional(),
    })
    .optional(),
});

const series = {
  name: z.string(),
  uptime24h: z.number().min(0).max(1).nullable(),
  uptime7d: z.number().min(0).max(1).nullable(),
  total24h: z.number().int().min(0),
  recent: z.array(
    z.strictObject({
      at: z.string(),
      total: z.number().int().min(0),
      failed: z.number().int().min(0),
      latencyMs: z.number().min(0).nullable(),
    }),
  ),
};

/** Uptime over 24 h and 7 d and the last minutes, per configured provider and probe target (SQLite). */
export const historySchema = z.strictObject({
  minutes: z.number().int().positive(),
  providers: z.array(z.strictObject({ ...series, models: z.array(z.string()) })),
  probes: z.array(z.strictObject({ ...series, kind: z.enum(['http', 'model']) })),
  /** The last requests that failed over since the process started, newest first (one per request). */
  failovers: z.array(
    z.strictObject({
      traceId: z.string(),
      at: z.string(),
      requestedModel: z.string(),
      chain: z.array(z.string()),
      reason: z.string(),
    }),
  ),
});

const probeState = z.enum(probeStates);

export const probeRecordSchema = z.looseObject({
  target: z.string(),
  kind: z.enum(['http', 'model']),
  region: z.string(),
  at: z.string(),
  state: probeState,
  previousState: probeState,
  success: z.boolean(),
  errorType: z.string().optional(),
  message: z.string().optional(),
  durationMs: z.number().min(0),
  statusCode: z.number().int().optional(),
});

const targetStatus = {
  name: z.string(),
  kind: z.enum(['http', 'model']),
  intervalSeconds: z.number().positive(),
  state: probeState,
  consecutiveFailures: z.number().int().min(0),
  consecutiveSuccesses: z.number().int().min(0),
  runs: z.number().int().min(0),
  failures: z.number().int().min(0),
  last: probeRecordSchema.optional(),
};

export const probeListSchema = z.strictObject({
  region: z.string(),
  data: z.array(z.strictObject(targetStatus)),
});

export const probeDetailSchema = z.strictObject({
  region: z.string(),
  ...targetStatus,
  history: z.array(probeRecordSchema),
});

export const alertmanagerWebhookSchema = webhookSchema;

export const webhookAcceptedSchema = z.strictObject({
  status: z.enum(['queued', 'repeat', 'duplicate']),
  key: z.string(),
});

const explanation = {
  severity,
  category: z.enum(categories),
  summary: z.string(),
  probableCause: z.string(),
  evidence: z.array(z.string()),
  actions: z.array(z.string()),
  confidence: z.number().min(0).max(1),
  source: z.enum(['llm', 'rules']),
  fallbackReason: z.string().optional(),
  droppedEvidence: z.number().int().min(0).optional(),
};

export const analysisListSchema = z.strictObject({
  data: z.array(
    z.strictObject({
      id: z.string(),
      groupKey: z.string(),
      status: z.enum(['firing', 'resolved']),
      createdAt: z.string(),
      repeatOf: z.string().nullable(),
      alertname: z.string().optional(),
      alertCount: z.number().int().min(1),
      ...explanation,
    }),
  ),
});

export const analysisSchema = z.strictObject({
  id: z.string(),
  key: z.string(),
  groupKey: z.string(),
  status: z.enum(['firing', 'resolved']),
  createdAt: z.string(),
  repeatOf: z.string().nullable(),
  group: webhookSchema,
  explanation: z.strictObject(explanation),
  notifications: z.array(
    z.looseObject({
      id: z.string(),
      analysisId: z.string(),
      notifier: z.number().int(),
      notifierType: z.string(),
      state: z.enum(['pending', 'delivered', 'failed']),
      attempts: z.number().int().min(0),
      createdMs: z.number().int(),
      lastError: z.string().nullable(),
    }),
  ),
});
