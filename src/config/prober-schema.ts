import { z } from 'zod';

// The prober issue owns this file; the keys from DESIGN.md §6 load as written.
export const httpCheckSchema = z.strictObject({
  url: z.url(),
  method: z.string().default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  expectStatus: z.array(z.number().int()).default([200]),
  timeoutMs: z.number().int().positive().default(10_000),
  conditions: z.array(z.string()).default([]),
});

export const modelCheckSchema = z.strictObject({
  provider: z.string().optional(),
  baseURL: z.url().optional(),
  apiKey: z.string().optional(),
  model: z.string(),
  prompt: z.string().default('Reply with the single word: pong'),
  maxTokens: z.number().int().positive().default(5),
  stream: z.boolean().default(true),
  timeoutMs: z.number().int().positive().default(30_000),
});

export const probeTargetSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'letters, digits, "-", "_", "."'),
  intervalSeconds: z.number().positive().optional(),
  http: httpCheckSchema.optional(),
  model: modelCheckSchema.optional(),
});

export const proberSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    region: z.string().optional(),
    intervalSeconds: z.number().positive().default(60),
    targets: z.array(probeTargetSchema).default([]),
  })
  .prefault({});
