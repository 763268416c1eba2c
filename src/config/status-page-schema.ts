import { z } from 'zod';

/** Links the built-in status page shows when Grafana and a trace backend are running beside inferwatch. */
export const statusPageSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the live status page at / (roles gateway and start)'),
    grafanaURL: z
      .url()
      .optional()
      .describe('Grafana base or dashboard URL; the status page links to it when set'),
    tracesURL: z
      .string()
      .regex(/^https?:\/\//, 'an http(s) URL')
      .optional()
      .describe(
        'Trace viewer URL; "{traceId}" in it is replaced by a failover\'s trace id (e.g. http://127.0.0.1:16686/trace/{traceId})',
      ),
  })
  .prefault({});
