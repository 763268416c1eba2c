import { badRequest, type HttpError } from '../http/index.ts';

/** The models served by default and listed by `GET /v1/models`; any other name answers 404, as OpenAI does. */
export const simulatedModels = ['sim-small', 'sim-large', 'sim-echo'] as const;

/** Twelve words, so twelve "tokens": long enough to cut or stall mid-answer, short enough to be quick. */
export const defaultReplyText =
  'This is a simulated reply from the inferwatch simulator, all systems nominal.';

/** A chat request after validation: only what the simulator reads; everything else is ignored. */
export interface ChatRequest {
  model: string;
  messages: { role: string; content: unknown }[];
  stream: boolean;
  /** The request carried `stream_options` at all (some OpenAI-compatible servers reject the key). */
  hasStreamOptions: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
}

export type Validated = { ok: true; request: ChatRequest } | { ok: false; error: HttpError };

/** Rejects what OpenAI rejects, with the same `param` and `code`, so clients see familiar errors. */
export function validateChatRequest(body: unknown): Validated {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('Request body must be a JSON object.', 'invalid_type', null);
  }
  const record = body as Record<string, unknown>;
  if (record.model === undefined) {
    return fail("Missing required parameter: 'model'.", 'missing_required_parameter', 'model');
  }
  if (typeof record.model !== 'string' || record.model === '') {
    return fail("Invalid type for 'model': expected a non-empty string.", 'invalid_type', 'model');
  }
  if (record.messages === undefined) {
    return fail("Missing required parameter: 'messages'.", 'missing_required_parameter', 'messages');
  }
  if (!Array.isArray(record.messages)) {
    return fail("Invalid type for 'messages': expected an array.", 'invalid_type', 'messages');
  }
  if (record.messages.length === 0) {
    return fail("Invalid 'messages': empty array. Expected at least 1 message.", 'empty_array', 'messages');
  }
  for (const [index, message] of record.messages.entries()) {
    if (typeof message !== 'object' || message === null || typeof message.role !== 'string') {
      return fail(
        `Invalid 'messages[${index}]': expected an object with a string 'role'.`,
        'invalid_type',
        `messages[${index}]`,
      );
    }
  }
  if (record.stream !== undefined && record.stream !== null && typeof record.stream !== 'boolean') {
    return fail("Invalid type for 'stream': expected a boolean.", 'invalid_type', 'stream');
  }
  const maxTokens = record.max_completion_tokens ?? record.max_tokens;
  const streamOptions = record.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (typeof streamOptions !== 'object' || Array.isArray(streamOptions)) {
      return fail("Invalid type for 'stream_options': expected an object.", 'invalid_type', 'stream_options');
    }
    if (record.stream !== true) {
      return fail(
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'invalid_value',
        'stream_options',
      );
    }
    const include = (streamOptions as { include_usage?: unknown }).include_usage;
    if (include !== undefined && include !== null && typeof include !== 'boolean') {
      return fail(
        "Invalid type for 'stream_options.include_usage': expected a boolean.",
        'invalid_type',
        'stream_options.include_usage',
      );
    }
  }
  return {
    ok: true,
    request: {
      model: record.model,
      messages: record.messages as ChatRequest['messages'],
      stream: record.stream === true,
      hasStreamOptions: streamOptions !== undefined && streamOptions !== null,
      includeUsage: (streamOptions as { include_usage?: unknown } | null | undefined)?.include_usage === true,
      maxTokens: typeof maxTokens === 'number' && maxTokens > 0 ? Math.floor(maxTokens) : undefined,
    },
  };
}

const fail = (message: string, code: string, param: string | null): Validated => ({
  ok: false,
  error: badRequest(message, code, param),
});

/** Text of a message's content: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part?.text === 'string' ? (part.text as string) : ''))
    .filter(Boolean)
    .join(' ');
}

/** One "token" per word, each keeping its leading whitespace, so joining the tokens restores the text. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function countPromptTokens(messages: ChatRequest['messages']): number {
  return messages.reduce((sum, message) => sum + tokenize(contentText(message.content)).length, 0);
}

export interface ReplyOptions {
  /** The base model (fault suffixes stripped): `sim-echo` echoes. */
  baseModel: string;
  defaultReply: string;
  /** The `wrong-answer` fault: ignore "Reply with exactly". */
  ignoreInstruction: boolean;
}

const exactly = /^\s*reply with exactly:\s*([\s\S]*?)\s*$/i;

/** Deterministic: the same request always gets the same reply. */
export function composeReply(request: ChatRequest, options: ReplyOptions): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const text = lastUser ? contentText(lastUser.content) : '';
  if (options.baseModel === 'sim-echo') return text;
  const instructed = exactly.exec(text);
  if (instructed && !options.ignoreInstruction) return instructed[1] ?? '';
  return options.defaultReply;
}
