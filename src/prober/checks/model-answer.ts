import type { Failure } from '../../providers/failure.ts';
import type { SseParser } from '../../providers/sse.ts';

/** What was read from a chat completion answer. `content` stays in memory for the canary, never logged. */
export interface Answer {
  content: string;
  contentChunks: number;
  firstContentAt?: number | undefined;
  finishReason?: string | undefined;
  done: boolean;
  usage?: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined;
  failure?: { errorType: Failure['type']; message: string } | undefined;
}

interface Chunk {
  choices?: {
    delta?: { content?: string | null };
    message?: { content?: string | null };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string; type?: string; code?: string };
}

const failed = (errorType: Failure['type'], message: string) => ({ errorType, message });

function applyUsage(answer: Answer, chunk: Chunk): void {
  if (!chunk.usage) return;
  answer.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
}

/** Reads an OpenAI SSE stream; stops at `[DONE]`, an error event or the first unparsable chunk. */
export async function readStreamAnswer(
  body: AsyncIterable<Uint8Array> | null,
  parser: SseParser,
  clock: () => number,
  onFirstContent: () => void,
): Promise<Answer> {
  const answer: Answer = { content: '', contentChunks: 0, done: false };
  if (!body) return { ...answer, failure: failed('empty_response', 'no body') };
  const handle = (data: string): boolean => {
    if (data === '[DONE]') {
      answer.done = true;
      return false;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      answer.failure = failed('malformed_response', 'a stream chunk is not JSON');
      return false;
    }
    if (chunk.error) {
      const overloaded = /overload/i.test(`${chunk.error.type} ${chunk.error.code} ${chunk.error.message}`);
      answer.failure = failed(overloaded ? 'model_overloaded' : 'server_error', 'error event in the stream');
      return false;
    }
    const choice = chunk.choices?.[0];
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
    applyUsage(answer, chunk);
    return true;
  };
  outer: for await (const bytes of body) {
    for (const event of parser.push(bytes)) if (!handle(event.data)) break outer;
    if (parser.pending > 1_048_576) {
      answer.failure = failed('malformed_response', 'an SSE event exceeded 1 MiB');
      break;
    }
  }
  if (!answer.done && !answer.failure) for (const event of parser.flush()) handle(event.data);
  return answer;
}

/** Reads a non-streaming answer; TTFT is not defined for it. */
export async function readJsonAnswer(res: { text(): Promise<string> }): Promise<Answer> {
  const answer: Answer = { content: '', contentChunks: 0, done: false };
  let chunk: Chunk;
  try {
    chunk = JSON.parse(await res.text()) as Chunk;
  } catch {
    return { ...answer, failure: failed('malformed_response', 'the answer is not JSON') };
  }
  const choice = chunk.choices?.[0];
  if (!choice) return { ...answer, failure: failed('malformed_response', 'the answer has no choices') };
  answer.content = choice.message?.content ?? '';
  answer.finishReason = choice.finish_reason ?? undefined;
  answer.contentChunks = answer.content === '' ? 0 : 1;
  applyUsage(answer, chunk);
  return answer;
}
