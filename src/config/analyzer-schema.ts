import { z } from 'zod';
import { genAiProviderNameSchema } from './gateway-schema.ts';

// The analyzer's config keys; their published spelling must keep loading, so rename none without an alias.

/** Optional routing per notifier: every listed condition must hold (absent = everything). */
const matchSchema = z
  .strictObject({
    severity: z.array(z.enum(['critical', 'warning', 'info'])).optional(),
    labels: z.record(z.string(), z.string()).optional().describe('Exact label values the group must carry'),
  })
  .optional();
const common = { name: z.string().optional(), match: matchSchema };

export const notifierSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), webhookURL: z.url(), ...common }),
  z.strictObject({ type: z.literal('discord'), webhookURL: z.url(), ...common }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url(),
    secret: z
      .string()
      .optional()
      .describe('HMAC-SHA256 key; signs `timestamp.body` into X-Inferwatch-Signature'),
    ...common,
  }),
  z.strictObject({
    type: z.literal('email'),
    host: z.string(),
    port: z.number().int().min(1).max(65_535).default(587),
    secure: z
      .boolean()
      .default(false)
      .describe('TLS from the start (port 465); false = STARTTLS when offered'),
    user: z.string().optional(),
    password: z.string().optional(),
    from: z.string(),
    to: z.array(z.string()).min(1),
    ...common,
  }),
  z.strictObject({ type: z.literal('console'), ...common }),
  z.strictObject({
    type: z.literal('pagerduty'),
    routingKey: z
      .string()
      .min(1)
      .describe('Events API v2 integration key of the service (the one Alertmanager pages through)'),
    url: z
      .url()
      .default('https://events.pagerduty.com/v2/enqueue')
      .describe('Events API endpoint; EU accounts: https://events.eu.pagerduty.com/v2/enqueue'),
    source: z.string().min(1).default('inferwatch').describe('payload.source of the events'),
    ...common,
  }),
  z.strictObject({
    type: z.literal('opsgenie'),
    apiKey: z.string().min(1).describe('API key of an Opsgenie API integration (sent as GenieKey)'),
    apiURL: z
      .url()
      .default('https://api.opsgenie.com')
      .describe('Alert API base; EU accounts: https://api.eu.opsgenie.com'),
    tags: z.array(z.string().min(1)).max(16).default([]).describe('Tags added to alerts it creates'),
    ...common,
  }),
  z.strictObject({
    type: z.literal('teams'),
    webhookURL: z
      .url()
      .describe('A Teams Workflows webhook URL (or an older incoming-webhook connector URL)'),
    ...common,
  }),
]);

export const analyzerSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    webhookToken: z.string().optional().describe('Bearer (or basic password) Alertmanager must present'),
    allowUnauthenticatedWebhook: z
      .boolean()
      .default(false)
      .describe(
        'With server.apiKeys set and no webhookToken, start anyway with the Alertmanager webhook open to anyone who reaches the port (it pages people and runs alert expressions against Prometheus)',
      ),
    prometheusURL: z.url().optional(),
    alertmanagerURL: z
      .url()
      .optional()
      .describe('Set when alerts come from Alertmanager; turns the internal alert source off'),
    llm: z
      .strictObject({
        baseURL: z.url(),
        genAiProviderName: genAiProviderNameSchema
          .optional()
          .describe('gen_ai.provider.name of the LLM calls; unset: from the baseURL host, else "openai"'),
        apiKey: z.string().optional(),
        model: z.string(),
        timeoutMs: z.number().int().positive().default(20_000),
        temperature: z.number().min(0).max(0.2).default(0.1),
        maxConcurrency: z.number().int().min(1).max(64).default(4),
        maxInputTokens: z.number().int().min(500).default(6_000).describe('Per-group input token budget'),
        maxOutputTokens: z.number().int().min(100).default(800),
      })
      .optional(),
    notify: z.array(notifierSchema).default([{ type: 'console' }]),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(2 * 1024 * 1024),
    dedupeWindowSeconds: z
      .number()
      .int()
      .min(1)
      .default(600)
      .describe('The same group state within this window is a duplicate; later it is a repeat reminder'),
    contextTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(3_000)
      .describe('Deadline for Prometheus/Alertmanager reads'),
    outbox: z
      .strictObject({
        baseDelayMs: z.number().int().positive().default(1_000),
        maxDelayMs: z.number().int().positive().default(60_000),
        giveUpAfterSeconds: z.number().int().positive().default(3_600),
        sendTimeoutMs: z.number().int().positive().default(10_000),
        leaseMs: z.number().int().positive().default(60_000),
        pollMs: z.number().int().positive().default(500),
        concurrency: z.number().int().min(1).max(64).default(8),
      })
      .prefault({}),
    internalSource: z
      .strictObject({
        enabled: z.boolean().optional().describe('Default: on unless alertmanagerURL is set'),
        failoverStormCount: z.number().int().min(2).default(20),
        failoverStormWindowSeconds: z.number().int().min(1).default(60),
        groupWaitMs: z.number().int().min(0).default(1_000),
      })
      .prefault({}),
  })
  .prefault({});
