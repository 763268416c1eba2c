import { z } from 'zod';
import { parseConditions } from './conditions.ts';

// The prober's config keys; their published spelling must keep loading, so rename none without an alias.

/**
 * A status code, a class "2xx", a range "200-299" or a nested pair [200, 299]. A flat list of numbers stays a
 * list of codes (the way the shipped examples write it), so `[200, 204]` means those two codes, not a range.
 */
const statusMatcherSchema = z.union([
  z.number().int().min(100).max(599),
  z
    .string()
    .regex(/^([1-5]xx|[1-5]\d\d-[1-5]\d\d)$/, 'a status class such as "2xx" or a range "200-299"')
    .transform((value) => (value.includes('-') ? (value.split('-').map(Number) as [number, number]) : value)),
  z.tuple([z.number().int(), z.number().int()]),
]);

/** Parsed at load so a typo in a condition names its key path and column. */
const conditionSchema = z.string().superRefine((source, ctx) => {
  const parsed = parseConditions(source);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

export const httpCheckSchema = z.strictObject({
  url: z.url(),
  method: z.string().default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  expectStatus: z
    .union([z.array(statusMatcherSchema), statusMatcherSchema.transform((value) => [value])])
    .default([200])
    .describe('Accepted statuses: [200, 204], "2xx", ["200-299"], [[200, 299]] or a mix'),
  timeoutMs: z.number().int().positive().default(10_000),
  conditions: z
    .array(conditionSchema)
    .default([])
    .describe('Gatus-style conditions, e.g. "[BODY].status == ok && [RESPONSE_TIME] < 300" (docs/prober.md)'),
  insecureSkipVerify: z
    .boolean()
    .default(false)
    .describe('Accept any TLS certificate (still reports expiry)'),
  maxBodyBytes: z.number().int().positive().default(1_048_576),
});

export const canarySchema = z.strictObject({
  prompt: z.string().describe('Deterministic prompt, e.g. "Reply with exactly: 42"'),
  expect: z
    .strictObject({
      exact: z.string().optional(),
      regex: z.string().optional(),
      json: z.boolean().optional(),
    })
    .refine((e) => e.exact !== undefined || e.regex !== undefined || e.json === true, {
      message: 'set one of exact, regex or json: true',
    }),
  failProbe: z.boolean().default(true).describe('A wrong answer also fails the probe (canary_failed)'),
});

export const modelCheckSchema = z.strictObject({
  provider: z.string().optional().describe("Use this provider's baseURL, apiKey and headers"),
  baseURL: z
    .union([z.literal('self'), z.url()])
    .optional()
    .describe('Raw base URL (…/v1), or "self" for this process\'s own gateway'),
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  model: z.string(),
  prompt: z.string().default('Reply with the single word: pong'),
  maxTokens: z.number().int().positive().default(5),
  stream: z.boolean().default(true),
  timeoutMs: z.number().int().positive().default(30_000),
  connectTimeoutMs: z.number().int().positive().default(5_000),
  firstTokenTimeoutMs: z.number().int().positive().optional().describe('Defaults to timeoutMs'),
  canary: canarySchema.optional(),
});

export const probeTargetSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'letters, digits, "-", "_", "."'),
    intervalSeconds: z.number().positive().optional(),
    latencyThresholdMs: z.number().positive().optional().describe('Slower successes count as degraded'),
    ttftThresholdMs: z.number().positive().optional().describe('Model probes: slower TTFT is degraded'),
    failureThreshold: z.number().int().positive().optional(),
    recoveryThreshold: z.number().int().positive().optional(),
    http: httpCheckSchema.optional(),
    model: modelCheckSchema.optional(),
  })
  .refine((target) => (target.http ? 1 : 0) + (target.model ? 1 : 0) === 1, {
    message: 'a target needs exactly one of http or model',
  });

export const proberSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    region: z
      .string()
      .optional()
      .describe('Where the checks run from (cloud.region); the API and status page say "local" when unset'),
    instance: z
      .string()
      .optional()
      .describe('service.instance.id of this prober (unset: telemetry.instanceId rules)'),
    intervalSeconds: z.number().positive().default(60),
    failureThreshold: z.number().int().positive().default(2).describe('Consecutive failures before down'),
    recoveryThreshold: z.number().int().positive().default(2).describe('Consecutive successes before up'),
    latencyThresholdMs: z.number().positive().optional(),
    ttftThresholdMs: z.number().positive().optional(),
    concurrency: z.number().int().positive().default(64).describe('Checks running at once'),
    historySize: z.number().int().min(1).max(10_000).default(100).describe('Results kept per target'),
    targets: z
      .array(probeTargetSchema)
      .default([])
      .refine((targets) => new Set(targets.map((t) => t.name)).size === targets.length, {
        message: 'target names must be unique',
      }),
  })
  .prefault({});

export type ProberConfig = z.infer<typeof proberSchema>;
export type ProbeTargetConfig = z.infer<typeof probeTargetSchema>;
export type HttpCheckConfig = z.infer<typeof httpCheckSchema>;
export type ModelCheckConfig = z.infer<typeof modelCheckSchema>;
