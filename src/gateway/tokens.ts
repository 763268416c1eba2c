import type { CallTally } from '../providers/index.ts';

/** Tokens one attempt consumed. `estimated`: at least one figure was counted from text, not reported. */
export interface TokenCount {
  input: number;
  output: number;
  /** Input tokens the provider served from its prompt cache (part of `input`). */
  cachedInput: number;
  estimated: boolean;
}

/**
 * About four characters a token in English text with OpenAI's tokenizers: the documented rule of thumb.
 * Only used when an upstream reports no usage; such counts are marked estimated.
 */
const CHARS_PER_TOKEN = 4;
/** Per-message framing tokens (role and separators) in OpenAI's chat format, and the reply's priming. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;

/**
 * What an attempt consumed: the upstream's usage when it reported it, otherwise estimates, from the
 * request's messages (input) and from the output streamed so far (output: at least one token per output
 * chunk, as providers stream one token a chunk). Nothing for an attempt the upstream never answered.
 */
export function countTokens(tally: CallTally, body: Record<string, unknown>): TokenCount | undefined {
  if (!tally.answered) return undefined;
  const usage = tally.usage;
  const reportedInput = typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : undefined;
  const reportedOutput = typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : undefined;
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  return {
    input: reportedInput ?? estimateInputTokens(body.messages),
    output: reportedOutput ?? Math.max(tally.outputChunks, Math.ceil(tally.outputChars / CHARS_PER_TOKEN)),
    cachedInput: typeof cached === 'number' ? cached : 0,
    estimated: reportedInput === undefined || reportedOutput === undefined,
  };
}

/**
 * Characters of text in a message list (string contents, text parts, tool-call arguments). Roles are left
 * out: the per-message framing counts them.
 */
function textChars(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length;
  if (depth > 5 || typeof value !== 'object' || value === null) return 0;
  let sum = 0;
  if (Array.isArray(value)) for (const item of value) sum += textChars(item, depth + 1);
  else for (const [key, item] of Object.entries(value)) if (key !== 'role') sum += textChars(item, depth + 1);
  return sum;
}

export function estimateInputTokens(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  return (
    Math.ceil(textChars(messages, 0) / CHARS_PER_TOKEN) +
    TOKENS_PER_MESSAGE * messages.length +
    REPLY_PRIMING_TOKENS
  );
}

/** Output tokens per second after the first token, or undefined when the stream gave no span to measure. */
export function outputRate(tally: CallTally, outputTokens: number): number | undefined {
  const { firstOutputAt, lastOutputAt } = tally;
  if (firstOutputAt === undefined || lastOutputAt === undefined || tally.outputChunks < 2) return undefined;
  const seconds = (lastOutputAt - firstOutputAt) / 1000;
  return seconds > 0 ? outputTokens / seconds : undefined;
}
