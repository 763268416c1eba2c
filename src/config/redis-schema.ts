import { z } from 'zod';

export const redisTlsSchema = z
  .strictObject({
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of the CA that signed the server's certificate; unset = the system's CAs"),
    certFile: z.string().min(1).optional().describe('PEM client certificate, when the server asks for one'),
    keyFile: z.string().min(1).optional().describe('PEM key of the client certificate (with certFile)'),
    servername: z
      .string()
      .min(1)
      .optional()
      .describe("Name checked against the server's certificate; unset = the URL's host"),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a server certificate that does not verify (turn off only for a local test server)'),
  })
  .prefault({});

/**
 * Fleet-wide state on Redis (or Valkey): rate limits, quotas and budgets per client key, circuit breakers
 * and one event stream shared by every gateway replica that names the same server and key prefix. Unset
 * `url`: everything stays in the process, as with one replica.
 */
export const redisSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .optional()
      .describe(
        'Redis connection string, e.g. redis://user:password@redis:6379/0 (rediss:// = TLS). Unset = every replica keeps its own state',
      ),
    username: z.string().min(1).optional().describe("ACL user; overrides the URL's (use ${ENV} for secrets)"),
    password: z
      .string()
      .optional()
      .describe("Password (requirepass or the ACL user's); overrides the URL's. Empty = none"),
    keyPrefix: z
      .string()
      .min(1)
      .max(64)
      .default('inferwatch:')
      .describe(
        'Prefix of every key and channel inferwatch uses: replicas with the same prefix form one fleet',
      ),
    connectTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(2_000)
      .describe('How long one connection attempt may take before it counts as failed (and is retried)'),
    commandTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(1_000)
      .describe(
        'How long a command may wait for its answer; past it that request goes on with per-replica state, and if a ping then goes unanswered too, the replica does until Redis answers again',
      ),
    maxPendingWrites: z
      .number()
      .int()
      .min(100)
      .default(1_000)
      .describe(
        'Events and incidents held while Redis is unreachable, sent when it returns; older ones are dropped past this (spend and tokens are summed per client instead, never dropped)',
      ),
    eventStreamLength: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('Approximate length the fleet event stream is trimmed to'),
    maxIncidents: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('Incidents kept in Redis for GET /api/incidents (oldest dropped first)'),
    required: z
      .boolean()
      .default(false)
      .describe(
        'GET /ready answers 503 while Redis is unreachable (default: it reports Redis and stays ready, since requests keep flowing on per-replica state)',
      ),
    tls: redisTlsSchema,
  })
  .prefault({});

export type RedisConfig = z.infer<typeof redisSchema>;
