import { z } from 'zod';

// The analyzer issue owns this file; the keys from DESIGN.md §6 load as written.
export const notifierSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), webhookURL: z.url() }),
  z.strictObject({ type: z.literal('discord'), webhookURL: z.url() }),
  z.strictObject({ type: z.literal('webhook'), url: z.url(), secret: z.string().optional() }),
  z.strictObject({ type: z.literal('console') }),
]);

export const analyzerSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    webhookToken: z.string().optional(),
    prometheusURL: z.url().optional(),
    alertmanagerURL: z.url().optional(),
    llm: z
      .strictObject({
        baseURL: z.url(),
        apiKey: z.string().optional(),
        model: z.string(),
      })
      .optional(),
    notify: z.array(notifierSchema).default([{ type: 'console' }]),
  })
  .prefault({});
