import { z } from 'zod';
import { analyzerSchema } from './analyzer-schema.ts';
import { apiKeysSchema } from './api-keys-schema.ts';
import {
  budgetsSchema,
  circuitBreakerSchema,
  providerSchema,
  rateLimitSchema,
  retrySchema,
  routeSchema,
} from './gateway-schema.ts';
import { proberSchema } from './prober-schema.ts';
import { redisSchema } from './redis-schema.ts';
import { statusPageSchema } from './status-page-schema.ts';

export const serverSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8080),
    apiKeys: apiKeysSchema,
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    maxJsonDepth: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(64)
      .describe(
        'Deepest JSON nesting a request body may have (400 json_too_deep beyond it); serialising a deeper body would exhaust the call stack',
      ),
    maxModelNameLength: z
      .number()
      .int()
      .min(1)
      .max(65_536)
      .default(256)
      .describe(
        'Longest client model name accepted (400 beyond it); the name becomes a breaker key, a span name and a metric label',
      ),
    maxStreamBufferBytes: z
      .number()
      .int()
      .min(16 * 1024)
      .default(64 * 1024)
      .describe(
        "Bytes a stream may hold for a client that reads slower than the upstream writes; beyond it the upstream is not read until the client catches up, and a client that reads nothing for the provider's idleMs is dropped",
      ),
    trustProxy: z.boolean().default(false).describe('Use X-Forwarded-For for client IPs (rate limiting)'),
    shutdownGraceMs: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('How long in-flight streams may finish on SIGTERM'),
    keepAliveTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .default(65_000)
      .describe(
        "How long an idle client connection stays open; keep it above the load balancer's idle timeout (AWS ALB: 60 s)",
      ),
  })
  .prefault({});

export const telemetrySchema = z
  .strictObject({
    otlpEndpoint: z
      .url()
      .optional()
      .describe('OTLP/HTTP base URL (e.g. http://127.0.0.1:4318); unset = no export'),
    serviceName: z
      .string()
      .min(1)
      .optional()
      .describe(
        'service.name resource attribute; unset: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else "inferwatch"',
      ),
    region: z
      .string()
      .optional()
      .describe('cloud.region resource attribute (unset: prober.region, else OTEL_RESOURCE_ATTRIBUTES)'),
    instanceId: z
      .string()
      .optional()
      .describe(
        'service.instance.id; unset: prober.instance, else OTEL_RESOURCE_ATTRIBUTES, else host name and server.port (stable across restarts)',
      ),
    environment: z
      .string()
      .optional()
      .describe('deployment.environment.name resource attribute (unset: OTEL_RESOURCE_ATTRIBUTES)'),
    exportIntervalMs: z.number().int().positive().default(15_000),
    console: z.boolean().default(false).describe('Print spans and metrics to stdout when no endpoint is set'),
    captureContent: z
      .boolean()
      .default(false)
      .describe('Record prompts and completions in spans (off: never leaves the process)'),
    prometheus: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Serve GET /metrics for Prometheus to scrape (same series names as through the Collector)',
          ),
        host: z.string().default('127.0.0.1').describe('Address of the scrape endpoint (its own listener)'),
        port: z.number().int().min(0).max(65_535).default(9464),
      })
      .prefault({}),
  })
  .prefault({});

export const storeSchema = z
  .strictObject({
    path: z.string().default('./data/inferwatch.db').describe('SQLite file; ":memory:" for none'),
    retentionDays: z.number().int().min(1).default(14),
    maxRowsPerTable: z.number().int().min(100).default(50_000),
  })
  .prefault({});

export const logSchema = z
  .strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .prefault({});

/** Top-level paths the server serves itself; a public simulator mount over one would open it. */
const reservedRoots = ['/v1', '/api', '/ws', '/status', '/health', '/ready'] as const;

/** Which of the server's paths a mount path equals, lies under or contains, described; undefined if none. */
function ownPathOverlapping(path: string): string | undefined {
  const normal = `/${path.split('/').filter(Boolean).join('/')}`;
  if (normal === '/') return 'paths, every one of them';
  const root = reservedRoots.find(
    (root) => normal === root || normal.startsWith(`${root}/`) || root.startsWith(`${normal}/`),
  );
  return root && `${root} paths`;
}

export const simulatorSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Serve the built-in fake provider under mountPath (the embedded default uses it)'),
    mountPath: z
      .string()
      .regex(/^\/[a-z0-9/_-]*$/)
      .refine((path) => ownPathOverlapping(path) === undefined, {
        error: (issue) =>
          `overlaps the server's own ${ownPathOverlapping(String(issue.input))} (everything under the mount path is public while the simulator runs); use a path of its own such as /simulator`,
      })
      .default('/simulator')
      .describe(
        `Where the simulator is served; public only while enabled. May not overlap ${reservedRoots.join(', ')} or be /`,
      ),
  })
  .prefault({});

export const configSchema = z.strictObject({
  server: serverSchema,
  telemetry: telemetrySchema,
  store: storeSchema,
  log: logSchema,
  providers: z.array(providerSchema).default([]),
  routes: z.array(routeSchema).default([]),
  retry: retrySchema,
  circuitBreaker: circuitBreakerSchema,
  rateLimit: rateLimitSchema,
  budgets: budgetsSchema,
  prober: proberSchema,
  analyzer: analyzerSchema,
  simulator: simulatorSchema,
  statusPage: statusPageSchema,
  redis: redisSchema,
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
