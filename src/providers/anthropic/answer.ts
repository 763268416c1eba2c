import type { Usage } from '../types.ts';

/**
 * Anthropic Messages answer → OpenAI chat completion. Text blocks become the message content, tool_use
 * blocks its tool_calls; thinking blocks have no place in a chat completion and are left out.
 */

/** Anthropic `stop_reason` → OpenAI `finish_reason`, one row each. */
export const finishReasons: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop', // OpenAI says `stop` whether the model or a stop sequence ended it
  max_tokens: 'length',
  model_context_window_exceeded: 'length', // the context window, not max_tokens, ran out: still a length cut
  tool_use: 'tool_calls',
  pause_turn: 'stop', // a server tool paused a long turn; the client continues it like any ended turn
  refusal: 'content_filter', // the model's safety classifiers stopped the answer
};

/** An unknown future stop reason ends the answer like end_turn rather than failing a good answer. */
export const finishReason = (stopReason: unknown): string | null =>
  stopReason === null || stopReason === undefined ? null : (finishReasons[String(stopReason)] ?? 'stop');

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Anthropic counts cached input apart from `input_tokens`; OpenAI's `prompt_tokens` includes it and
 * reports the cached part in `prompt_tokens_details.cached_tokens`, which is what prices cached input.
 */
export function toUsage(usage: AnthropicUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cached = count(usage.cache_read_input_tokens);
  const prompt = count(usage.input_tokens) + cached + count(usage.cache_creation_input_tokens);
  const completion = count(usage.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

interface ContentBlock {
  type?: unknown;
  text?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
}

export interface AnthropicMessage {
  id?: unknown;
  model?: unknown;
  content?: unknown;
  stop_reason?: unknown;
  usage?: AnthropicUsage;
}

/** A Messages answer as the `chat.completion` an OpenAI client expects; `created` is in seconds. */
export function toChatCompletion(message: AnthropicMessage, created: number): Record<string, unknown> {
  const blocks = Array.isArray(message.content) ? (message.content as ContentBlock[]) : [];
  const text = blocks
    .filter((block) => block?.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('');
  const toolCalls = blocks
    .filter((block) => block?.type === 'tool_use')
    .map((block) => ({
      id: String(block.id),
      type: 'function',
      function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
    }));
  const reply: Record<string, unknown> = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (toolCalls.length > 0) reply.tool_calls = toolCalls;
  return {
    id: String(message.id ?? ''),
    object: 'chat.completion',
    created,
    model: String(message.model ?? ''),
    choices: [
      {
        index: 0,
        message: reply,
        logprobs: null,
        finish_reason: finishReason(message.stop_reason) ?? 'stop',
      },
    ],
    usage: toUsage(message.usage) ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}
