import type { Readable } from 'node:stream';
import { redactSecrets } from '../log/index.ts';
import type { AttemptTimers } from './attempt-timers.ts';
import { classifyNetworkError } from './classify.ts';
import { failure } from './failure.ts';
import { fromResponsesUsage } from './operation-answer.ts';
import { SseParser } from './sse.ts';
import { discard, releaseConnection } from './stream-reader.ts';
import type { CallTally, StreamChunk, StreamEnd } from './types.ts';

/** A single SSE line longer than this is not a Responses event; stop before buffering it whole. */
const MAX_PENDING_BYTES = 1024 * 1024;

/** The events that end a Responses stream, and the status each leaves the response in. */
const terminal: Record<string, string> = {
  'response.completed': 'completed',
  'response.incomplete': 'incomplete',
};

type Event = {
  type?: unknown;
  delta?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { model?: unknown; usage?: unknown; error?: { code?: unknown; message?: unknown } | null };
};

/** An event that carries the answer (text, a function call's arguments, a refusal), not bookkeeping. */
export const responsesEventHasContent = (json: Record<string, unknown>): boolean =>
  typeof json.type === 'string' &&
  json.type.endsWith('.delta') &&
  typeof json.delta === 'string' &&
  json.delta !== '';

/** The model a Responses stream names (in the response object its first events carry). */
export const responsesEventModel = (json: Record<string, unknown>): string | undefined => {
  const model = (json as Event).response?.model;
  return typeof model === 'string' && model ? model : undefined;
};

/**
 * Reads OpenAI's Responses event stream (`response.created`, `response.output_text.delta`, …,
 * `response.completed`) into chunks, each event's data as it came, for the relay to pass through. It is
 * complete at `response.completed` or `response.incomplete` (which is forwarded: it carries the final
 * response and usage); an `error` or `response.failed` event, a cut or a stall is a failure value.
 */
export async function* readResponsesStream(
  body: Readable,
  timers: AttemptTimers,
  tally?: CallTally | undefined,
): AsyncGenerator<StreamChunk[], StreamEnd, undefined> {
  const parser = new SseParser();
  let seen = 0;
  let received = 0;
  let completed = false;
  const end = (outcome: StreamEnd): StreamEnd => {
    completed = outcome.ok;
    if (tally && outcome.ok && outcome.usage) tally.usage = outcome.usage;
    return outcome;
  };
  try {
    for await (const bytes of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      timers.alive();
      received += bytes.length;
      const batch: StreamChunk[] = [];
      let ended: StreamEnd | undefined;
      for (const event of parser.push(bytes)) {
        let json: Event;
        try {
          json = JSON.parse(event.data) as Event;
        } catch {
          ended = failure(
            'malformed_response',
            `stream event of ${event.data.length} characters is not JSON`,
          );
          break;
        }
        if (typeof json !== 'object' || json === null) {
          ended = failure('malformed_response', 'stream event is not a JSON object');
          break;
        }
        const type = typeof json.type === 'string' ? json.type : (event.event ?? '');
        if (type === 'error' || type === 'response.failed') {
          const detail = type === 'error' ? json : (json.response?.error ?? {});
          const message = typeof detail.message === 'string' ? detail.message.slice(0, 300) : '';
          ended = failure(
            detail.code === 'rate_limit_exceeded' ? 'rate_limited' : 'server_error',
            `upstream sent ${type}: ${redactSecrets(message)}`,
          );
          break;
        }
        seen += 1;
        batch.push({ data: event.data, json: json as Record<string, unknown> });
        if (tally && responsesEventHasContent(json as Record<string, unknown>)) {
          const at = performance.now();
          tally.outputChunks += 1;
          tally.outputChars += String(json.delta).length;
          tally.firstOutputAt ??= at;
          tally.lastOutputAt = at;
        }
        const status = terminal[type];
        if (status !== undefined) {
          const usage = fromResponsesUsage(json.response?.usage as Parameters<typeof fromResponsesUsage>[0]);
          ended = { ok: true, done: true, finishReason: status, usage };
          break;
        }
      }
      if (batch.length > 0) {
        timers.hold();
        yield batch;
        timers.resume();
      }
      if (ended) return end(ended);
      if (parser.pending > MAX_PENDING_BYTES) {
        return end(failure('malformed_response', 'stream line exceeds 1 MiB without an event boundary'));
      }
    }
    return end(failure('stream_cut', `stream ended after ${seen} events without response.completed`));
  } catch (error) {
    const timedOut = timers.reason();
    if (timedOut) {
      const type = timedOut === 'timeout_first_token' && seen > 0 ? 'timeout_idle' : timedOut;
      return end(failure(type, `stream aborted: ${type} after ${seen} events`));
    }
    return end(classifyNetworkError(error, { midStream: true }));
  } finally {
    timers.dispose();
    if (completed) releaseConnection(body, received);
    else discard(body);
  }
}
