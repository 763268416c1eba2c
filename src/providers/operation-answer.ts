import type { Operation } from '../config/provider-types.ts';
import { emptinessExplained, isEmptyCompletion } from './answer-content.ts';
import type { Usage } from './types.ts';

/**
 * What the gateway reads from a 2xx JSON answer of each OpenAI endpoint: that it has the shape of one,
 * its finish reason, its usage and whether it says nothing. The body itself is forwarded as it came.
 */
export type AnswerReading =
  | { ok: true; finishReason: string | undefined; usage: Usage | undefined; empty: boolean }
  | { ok: false; message: string };

type Json = Record<string, unknown>;
type Reader = (json: Json) => AnswerReading;

const choicesOf = (json: Json) => (Array.isArray(json.choices) ? (json.choices as Json[]) : undefined);
const firstFinish = (choices: Json[]) => {
  const reason = choices[0]?.finish_reason;
  return typeof reason === 'string' ? reason : undefined;
};
const usageOf = (json: Json) => (json.usage as Usage | null | undefined) ?? undefined;

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
}

/** The Responses API counts input and output tokens; the gateway's accounting reads OpenAI chat's names. */
export function fromResponsesUsage(usage: ResponsesUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: usage.input_tokens_details ?? null,
  };
}

export const answerReaders = {
  chat(json) {
    const choices = choicesOf(json);
    if (!choices) return { ok: false, message: 'upstream answer has no choices' };
    return {
      ok: true,
      finishReason: firstFinish(choices),
      usage: usageOf(json),
      empty: isEmptyCompletion(json),
    };
  },
  // Text completions carry `text` where chat carries a message.
  completions(json) {
    const choices = choicesOf(json);
    if (!choices) return { ok: false, message: 'upstream answer has no choices' };
    const empty = choices.every(
      (choice) =>
        (typeof choice.text !== 'string' || choice.text === '') && !emptinessExplained(choice.finish_reason),
    );
    return { ok: true, finishReason: firstFinish(choices), usage: usageOf(json), empty };
  },
  embeddings(json) {
    if (!Array.isArray(json.data)) return { ok: false, message: 'upstream answer has no data list' };
    return { ok: true, finishReason: undefined, usage: usageOf(json), empty: json.data.length === 0 };
  },
  // A response's status plays the finish reason's part: completed, incomplete (out of tokens), failed.
  responses(json) {
    if (json.object !== 'response' || !Array.isArray(json.output)) {
      return { ok: false, message: 'upstream answer is not a response object' };
    }
    const status = typeof json.status === 'string' ? json.status : undefined;
    return {
      ok: true,
      finishReason: status,
      usage: fromResponsesUsage(json.usage as ResponsesUsage | null),
      empty: json.output.length === 0 && status === 'completed',
    };
  },
} as const satisfies Record<Operation, Reader>;
