import { z } from 'zod';
import { modelName } from './gateway-schemas.ts';

/**
 * OpenAI's embeddings, text completions and Responses bodies as the gateway documents them. Loose, like
 * the chat shapes: unknown fields pass through to the upstream, which validates them.
 */

const model = modelName.describe('Client-facing model name; a route maps it to a provider chain');
const tokens = z.array(z.number().int());

export const embeddingsRequestSchema = z.looseObject({
  model,
  input: z.union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1),
    tokens.min(1),
    z.array(tokens.min(1)).min(1),
  ]),
  encoding_format: z
    .enum(['float', 'base64'])
    .optional()
    .describe('Passed through; the official SDKs ask for base64'),
  dimensions: z.number().int().positive().optional(),
});

export const embeddingsResponseSchema = z.looseObject({
  object: z.literal('list'),
  data: z.array(
    z.looseObject({
      object: z.string(),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.looseObject({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }).optional(),
});

export const completionsRequestSchema = z.looseObject({
  model,
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokens.min(1), z.array(tokens).min(1)]),
  stream: z.boolean().nullable().optional().describe('true: text/event-stream of text_completion chunks'),
});

export const completionSchema = z.looseObject({
  id: z.string(),
  object: z.string(),
  model: z.string(),
  choices: z.array(
    z.looseObject({ index: z.number().int(), text: z.string(), finish_reason: z.string().nullable() }),
  ),
});

export const responsesRequestSchema = z.looseObject({
  model,
  input: z.union([z.string(), z.array(z.unknown())]),
  previous_response_id: z
    .string()
    .regex(/^[\w-]{1,200}$/)
    .nullable()
    .optional()
    .describe('Continues a stored response: sent only to the provider that served it, never failed over'),
  stream: z.boolean().nullable().optional().describe('true: the typed Responses event stream'),
});

export const responseObjectSchema = z.looseObject({
  id: z.string(),
  object: z.literal('response'),
  status: z.string(),
  model: z.string(),
  output: z.array(z.unknown()),
});
