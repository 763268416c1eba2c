import type { Readable } from 'node:stream';
import {
  type AttemptTimers,
  classifyResponse,
  type Failure,
  failure,
  type HeaderSource,
  readChatStream,
} from '../../providers/index.ts';

/** What was read from a chat completion answer. `content` stays in memory for the canary, never logged. */
export interface Answer {
  content: string;
  contentChunks: number;
  firstContentAt?: number | undefined;
  finishReason?: string | undefined;
  done: boolean;
  usage?: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined;
  failure?: Failure | undefined;
}

interface ChoiceJson {
  choices?: {
    delta?: { content?: unknown };
    message?: { content?: unknown };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

const usageOf = (usage: ChoiceJson['usage']): Answer['usage'] =>
  usage ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } : undefined;

/**
 * Reads a streamed answer through the gateway's own SSE reader, so a stream ends, breaks and is classified
 * the same way for probes as for client traffic. `onFirstContent` runs at the first non-empty content
 * delta (TTFT; it also moves the timers past their first-token phase).
 */
export async function readStreamAnswer(
  body: Readable,
  timers: AttemptTimers,
  clock: () => number,
  onFirstContent: () => void,
): Promise<Answer> {
  const answer: Answer = { content: '', contentChunks: 0, done: false };
  const chunks = readChatStream(body, timers);
  for (let next = await chunks.next(); ; next = await chunks.next()) {
    if (next.done) {
      const end = next.value;
      if (!end.ok) return { ...answer, failure: end };
      return {
        ...answer,
        done: end.done,
        finishReason: end.finishReason,
        usage: usageOf(end.usage) ?? answer.usage,
      };
    }
    for (const chunk of next.value) {
      const choice = (chunk.json as ChoiceJson).choices?.[0];
      const text = choice?.delta?.content;
      if (typeof text === 'string' && text !== '') {
        if (answer.firstContentAt === undefined) {
          answer.firstContentAt = clock();
          onFirstContent();
        }
        answer.content += text;
        answer.contentChunks += 1;
      }
      if (choice?.finish_reason) answer.finishReason = choice.finish_reason;
    }
  }
}

/**
 * Reads a non-streaming answer; TTFT is not defined for it. A 200 that carries an error object and no
 * choices is the upstream's failure, classified as the gateway classifies it.
 */
export function readJsonAnswer(text: string, headers: HeaderSource, now: () => number): Answer {
  const answer: Answer = { content: '', contentChunks: 0, done: false };
  let json: ChoiceJson & { error?: unknown };
  try {
    json = JSON.parse(text) as ChoiceJson & { error?: unknown };
  } catch {
    return { ...answer, failure: failure('malformed_response', 'the answer is not JSON') };
  }
  const choice = json.choices?.[0];
  if (!choice) {
    if (json.error) return { ...answer, failure: classifyResponse(502, headers, text, now) };
    return { ...answer, failure: failure('malformed_response', 'the answer has no choices') };
  }
  const content = choice.message?.content;
  answer.content = typeof content === 'string' ? content : '';
  answer.finishReason = choice.finish_reason ?? undefined;
  answer.contentChunks = answer.content === '' ? 0 : 1;
  answer.usage = usageOf(json.usage);
  return answer;
}
