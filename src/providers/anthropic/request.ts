import type { Failure } from '../failure.ts';
import { type Block, toBlocks, toolResultContent } from './content.ts';
import { UnsupportedRequest, unsupported } from './unsupported.ts';

/**
 * OpenAI chat request → Anthropic Messages request. What has an equivalent is translated; what has none
 * and would only tune sampling (penalties, seed, logit bias) is left out; what would change the shape of
 * the answer the client expects (several choices, log probabilities, a JSON response format, audio) is
 * refused with a 400 that names the field, because an answer without it would look right and be wrong.
 */

export interface MessagesRequestOptions {
  /** Sent as max_tokens when the client set none: the Messages API requires it. */
  defaultMaxTokens: number;
  /** The anthropic-version sent: it decides which sampling fields exist. */
  version: string;
}

/**
 * API version 2026-10-21 removed temperature, top_p and top_k: a request carrying any of them is refused,
 * even at their defaults. Under it they are left out (the model samples at its defaults, which is all that
 * Claude 4.7 and later accept anyway); under 2023-06-01 they are sent.
 */
const samplingRemovedIn = '2026-10-21';

export type TranslatedRequest = { ok: true; body: Record<string, unknown>; includeUsage: boolean } | Failure;

interface ChatMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

/** Fields whose meaning Anthropic has no way to carry and that change the answer's shape. */
const refused: [field: string, applies: (value: unknown) => boolean, reason: string][] = [
  ['n', (value) => typeof value === 'number' && value > 1, 'several choices (n > 1)'],
  ['logprobs', (value) => value === true, 'log probabilities'],
  ['top_logprobs', (value) => typeof value === 'number' && value > 0, 'log probabilities'],
  [
    'response_format',
    (value) =>
      (value as { type?: unknown } | null)?.type !== undefined &&
      (value as { type?: unknown }).type !== 'text',
    'a JSON response format',
  ],
  ['audio', (value) => value !== undefined && value !== null, 'audio output'],
  [
    'functions',
    (value) => value !== undefined && value !== null,
    'the deprecated functions field (use tools)',
  ],
  [
    'function_call',
    (value) => value !== undefined && value !== null,
    'the deprecated function_call field (use tool_choice)',
  ],
];

export function toMessagesRequest(
  chat: Record<string, unknown>,
  options: MessagesRequestOptions,
): TranslatedRequest {
  try {
    return translate(chat, options);
  } catch (error) {
    if (error instanceof UnsupportedRequest) return unsupported(error);
    throw error;
  }
}

function translate(chat: Record<string, unknown>, options: MessagesRequestOptions): TranslatedRequest {
  for (const [field, applies, reason] of refused) {
    if (applies(chat[field])) {
      throw new UnsupportedRequest(
        `The Anthropic provider cannot return ${reason}; remove '${field}'.`,
        field,
      );
    }
  }
  if (!Array.isArray(chat.messages)) throw new UnsupportedRequest("'messages' must be an array.", 'messages');
  const { system, turns } = toTurns(chat.messages as ChatMessage[]);
  const body: Record<string, unknown> = {
    model: chat.model,
    max_tokens: maxTokens(chat, options.defaultMaxTokens),
    messages: turns,
  };
  if (system.length === 1) body.system = system[0]?.text;
  else if (system.length > 1) body.system = system;
  const stop = chat.stop;
  if (typeof stop === 'string') body.stop_sequences = [stop];
  else if (Array.isArray(stop) && stop.length > 0) body.stop_sequences = stop;
  const sampling = options.version < samplingRemovedIn;
  for (const field of ['temperature', 'top_p'] as const) {
    if (sampling && typeof chat[field] === 'number') body[field] = chat[field];
  }
  if (sampling && chat.top_k !== undefined) body.top_k = chat.top_k;
  if (chat.thinking !== undefined) body.thinking = chat.thinking;
  if (chat.stream === true) body.stream = true;
  if (typeof chat.user === 'string' && chat.user) body.metadata = { user_id: chat.user };
  const tools = toTools(chat.tools);
  if (tools) body.tools = tools;
  const choice = toToolChoice(chat.tool_choice, chat.parallel_tool_calls);
  if (choice) body.tool_choice = choice;
  const streamOptions = chat.stream_options as { include_usage?: unknown } | null | undefined;
  return { ok: true, body, includeUsage: streamOptions?.include_usage === true };
}

function maxTokens(chat: Record<string, unknown>, fallback: number): number {
  const given = chat.max_completion_tokens ?? chat.max_tokens;
  if (given === undefined || given === null) return fallback;
  if (typeof given !== 'number' || !Number.isInteger(given) || given < 1) {
    throw new UnsupportedRequest('max_tokens must be a positive integer.', 'max_tokens');
  }
  return given;
}

/**
 * System and developer messages become the top-level `system` (Anthropic has no system turn); tool
 * results become user turns; consecutive turns of one role merge into one, with tool results first, as
 * the Messages API requires after a tool call.
 */
function toTurns(messages: ChatMessage[]): { system: { type: 'text'; text: string }[]; turns: Turn[] } {
  const system: { type: 'text'; text: string }[] = [];
  const turns: Turn[] = [];
  const add = (role: Turn['role'], content: Block[]) => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content: [...content] });
  };
  for (const [index, message] of messages.entries()) {
    const param = `messages[${index}]`;
    if (typeof message !== 'object' || message === null) {
      throw new UnsupportedRequest(`'${param}' must be an object.`, param);
    }
    if (message.role === 'system' || message.role === 'developer') system.push(...systemText(message, param));
    else add(message.role === 'assistant' ? 'assistant' : 'user', turnContent(message, param));
  }
  for (const turn of turns) {
    if (turn.role === 'user') turn.content.sort((a, b) => rank(a) - rank(b));
  }
  return { system, turns };
}

function systemText(message: ChatMessage, param: string): { type: 'text'; text: string }[] {
  return toBlocks(message.content, param).map((block) => {
    if (block.type !== 'text') throw new UnsupportedRequest(`'${param}' may only hold text.`, param);
    return { type: 'text', text: block.text as string };
  });
}

/** A user, assistant or tool message's blocks (a tool result is a user turn in the Messages API). */
function turnContent(message: ChatMessage, param: string): Block[] {
  switch (message.role) {
    case 'user':
      return toBlocks(message.content, param);
    case 'assistant':
      return [...toBlocks(message.content, param), ...toolUses(message.tool_calls, param)];
    case 'tool': {
      if (typeof message.tool_call_id !== 'string') {
        throw new UnsupportedRequest(`'${param}.tool_call_id' must be a string.`, `${param}.tool_call_id`);
      }
      const content = toolResultContent(message.content, param);
      return [{ type: 'tool_result', tool_use_id: message.tool_call_id, content }];
    }
    default:
      throw new UnsupportedRequest(
        `'${param}.role' must be system, developer, user, assistant or tool for the Anthropic provider.`,
        `${param}.role`,
      );
  }
}

const rank = (block: Block) => (block.type === 'tool_result' ? 0 : 1);

function toolUses(calls: unknown, param: string): Block[] {
  if (calls === undefined || calls === null) return [];
  if (!Array.isArray(calls)) throw new UnsupportedRequest(`'${param}.tool_calls' must be an array.`, param);
  return calls.map(
    (call: { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } }, i) => {
      const where = `${param}.tool_calls[${i}]`;
      if (
        call?.type !== 'function' ||
        typeof call.id !== 'string' ||
        typeof call.function?.name !== 'string'
      ) {
        throw new UnsupportedRequest(`'${where}' must be a function call with an id and a name.`, where);
      }
      const text = typeof call.function.arguments === 'string' ? call.function.arguments : '';
      let input: unknown = {};
      try {
        input = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        throw new UnsupportedRequest(
          `'${where}.function.arguments' is not valid JSON.`,
          `${where}.function.arguments`,
        );
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new UnsupportedRequest(
          `'${where}.function.arguments' must be a JSON object.`,
          `${where}.function.arguments`,
        );
      }
      return { type: 'tool_use', id: call.id, name: call.function.name, input };
    },
  );
}

function toTools(tools: unknown): Record<string, unknown>[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw new UnsupportedRequest("'tools' must be an array.", 'tools');
  return tools.map((tool: { type?: unknown; function?: Record<string, unknown> }, index) => {
    const fn = tool?.function;
    if (tool?.type !== 'function' || typeof fn?.name !== 'string') {
      throw new UnsupportedRequest(
        `'tools[${index}]' must be a function tool with a name; the Anthropic provider translates no other kind.`,
        `tools[${index}]`,
      );
    }
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      // The Messages API requires a schema; a function without parameters takes an empty object.
      input_schema: fn.parameters ?? { type: 'object', properties: {} },
    };
  });
}

function toToolChoice(choice: unknown, parallel: unknown): Record<string, unknown> | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === null)
    return parallel === false ? { type: 'auto', ...serial } : undefined;
  if (choice === 'auto') return { type: 'auto', ...serial };
  if (choice === 'required') return { type: 'any', ...serial };
  if (choice === 'none') return { type: 'none' };
  const named = choice as { type?: unknown; function?: { name?: unknown } };
  if (named.type === 'function' && typeof named.function?.name === 'string') {
    return { type: 'tool', name: named.function.name, ...serial };
  }
  throw new UnsupportedRequest(
    "'tool_choice' must be auto, required, none or a named function.",
    'tool_choice',
  );
}
