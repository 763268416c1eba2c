import type { Operation } from '../config/provider-types.ts';

/** Each operation's path under an OpenAI-style base (`.../v1`). */
export const operationPaths = {
  chat: '/chat/completions',
  embeddings: '/embeddings',
  completions: '/completions',
  responses: '/responses',
} as const satisfies Record<Operation, string>;
