import type { Readable } from 'node:stream';
import { outputChars } from './answer-content.ts';
import type { AttemptTimers } from './attempt-timers.ts';
import { classifyErrorEvent, classifyNetworkError } from './classify.ts';
import { type Failure, failure } from './failure.ts';
import { SseParser } from './sse.ts';
import { stripAddedUsage } from './stream-usage.ts';
import type { CallTally, ChunkSource, StreamChunk, StreamEnd, Usage } from './types.ts';

/** A single SSE line longer than this is not a chat chunk; stop before buffering it whole. */
const MAX_PENDING_BYTES = 1024 * 1024;

interface ChunkJson {
  choices?: { finish_reason?: string | null }[];
  usage?: Usage | null;
  error?: { message?: string };
}

export interface ReadOptions {
  /** Counts output and usage as chunks arrive (see CallTally). */
  tally?: CallTally | undefined;
  /** The gateway asked for usage the client did not: take it out of what is yielded (stream-usage.ts). */
  stripUsage?: boolean;
  onOutputGap?: ((ms: number) => void) | undefined;
}

/**
 * Reads an OpenAI SSE body into chunks, classifying how it ended. A stream is complete when `[DONE]`
 * arrived or a `finish_reason` was seen; anything else that ends it is a failure value: `stream_cut`
 * (closed early), a timeout (the phase whose timer fired), `malformed_response` (not JSON), `server_error`
 * or `model_overloaded` (an in-band error event, classified like an error answer). Chunks are yielded
 * per upstream read, as a batch of what that read completed: nothing is re-buffered, and chunks that
 * arrived together leave together. Chunks before a bad one are still yielded; the bad one ends the stream.
 */
export async function* readChatStream(
  body: Readable,
  timers: AttemptTimers,
  { tally, stripUsage = false, onOutputGap }: ReadOptions = {},
): AsyncGenerator<StreamChunk[], StreamEnd, undefined> {
  const parser = new SseParser();
  let finishReason: string | undefined;
  let usage: Usage | undefined;
  let seen = 0;
  let received = 0;
  let completed = false;
  const end = (outcome: StreamEnd): StreamEnd => {
    completed = outcome.ok;
    return outcome;
  };
  try {
    // Leaving this loop early (at [DONE]) must not destroy the body: see releaseConnection.
    for await (const bytes of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      timers.alive();
      received += bytes.length;
      // One clock read per upstream read: chunks that arrived together arrived at the same time.
      const at = tally ? performance.now() : 0;
      const batch: StreamChunk[] = [];
      let ended: StreamEnd | undefined;
      for (const event of parser.push(bytes)) {
        if (event.data === '[DONE]') {
          ended = { ok: true, done: true, finishReason, usage };
          break;
        }
        const parsed = parseChunk(event.data);
        if (!parsed.ok) {
          ended = parsed;
          break;
        }
        const json = parsed.json;
        if (json.error) {
          ended = classifyErrorEvent(json);
          break;
        }
        const reason = json.choices?.[0]?.finish_reason;
        if (reason) finishReason = reason;
        if (json.usage) usage = json.usage;
        seen += 1;
        if (tally) count(tally, json as Record<string, unknown>, at, onOutputGap);
        const data = stripUsage ? stripAddedUsage(event.data, json) : event.data;
        if (data !== undefined) batch.push({ data, json: json as Record<string, unknown> });
      }
      if (batch.length > 0) {
        // Between handing a batch over and being asked for the next, the time is the consumer's.
        timers.hold();
        yield batch;
        timers.resume();
      }
      if (ended) return end(ended);
      if (parser.pending > MAX_PENDING_BYTES) {
        return end(failure('malformed_response', 'stream line exceeds 1 MiB without an event boundary'));
      }
    }
    for (const event of parser.flush()) {
      if (event.data === '[DONE]') return end({ ok: true, done: true, finishReason, usage });
    }
    if (finishReason) return end({ ok: true, done: false, finishReason, usage });
    return end(failure('stream_cut', `stream ended after ${seen} chunks without finish_reason or [DONE]`));
  } catch (error) {
    // The timer that fired names the phase: the first-token timer runs until the first content arrives,
    // so a role-only preamble followed by silence is still a first-token timeout.
    const timedOut = timers.reason();
    if (timedOut) return end(failure(timedOut, `stream aborted: ${timedOut} after ${seen} chunks`));
    return end(classifyNetworkError(error, { midStream: true }));
  } finally {
    timers.dispose();
    if (completed) releaseConnection(body, received);
    else discard(body);
  }
}

/** Adds one chunk to the tally: its output (if any), when it came, and the upstream's usage. */
export function count(
  tally: CallTally,
  json: Record<string, unknown>,
  at: number,
  onOutputGap: ((ms: number) => void) | undefined,
): void {
  if (json.usage) tally.usage = json.usage as Usage;
  const chars = outputChars(json);
  if (chars < 0) return;
  tally.outputChunks += 1;
  tally.outputChars += chars;
  if (tally.lastOutputAt !== undefined) onOutputGap?.(at - tally.lastOutputAt);
  else tally.firstOutputAt = at;
  tally.lastOutputAt = at;
}

/** After `[DONE]`, at most this much more is read (and dropped) to finish the HTTP response. */
const DRAIN_BYTES = 64 * 1024;
const DRAIN_MS = 1_000;

/**
 * `[DONE]` arrives a moment before the response's own end (the chunked terminator follows it). Reading
 * that out lets the keep-alive connection go back to the pool; destroying the body instead would close it
 * and make the next streamed request pay a new TCP (and, against real providers, TLS) handshake. Bounded:
 * an upstream that keeps talking after `[DONE]` is cut off after DRAIN_BYTES or DRAIN_MS.
 */
export function releaseConnection(body: Readable, received: number): void {
  if (body.destroyed || body.readableEnded) return;
  // undici's response body can read itself out (`dump`); any other stream is simply closed.
  const { dump } = body as Readable & { dump?: UndiciDump };
  if (typeof dump !== 'function') {
    discard(body);
    return;
  }
  // A plain timer rather than AbortSignal.timeout: this runs once per streamed request.
  const giveUp = setTimeout(() => discard(body), DRAIN_MS);
  giveUp.unref();
  dump
    .call(body, { limit: received + DRAIN_BYTES })
    .catch(() => discard(body))
    .finally(() => clearTimeout(giveUp));
}

/**
 * Closes a body we are done with (and its connection). The iterator no longer listens for errors, and
 * undici emits one for a body destroyed before its end: without a listener that would be an uncaught
 * exception.
 */
export function discard(body: Readable): void {
  if (body.destroyed) return;
  body.on('error', () => {});
  body.destroy();
}

type UndiciDump = (options: { limit: number }) => Promise<unknown>;

function parseChunk(data: string): { ok: true; json: ChunkJson } | Failure {
  try {
    const json = JSON.parse(data) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return failure('malformed_response', 'stream chunk is not a JSON object');
    }
    return { ok: true, json: json as ChunkJson };
  } catch {
    // Not the bytes themselves: a broken chunk can carry generated text (content is never recorded).
    return failure('malformed_response', `stream chunk of ${data.length} characters is not JSON`);
  }
}

/**
 * Puts the chunks already read (the held-back preamble and the first content) in front of the rest, as
 * one batch. A plain object rather than another async generator: every later batch passes straight
 * through without an extra promise hop.
 */
export function prepend(
  head: StreamChunk[],
  rest: AsyncGenerator<StreamChunk[], StreamEnd, undefined>,
  ended: StreamEnd | undefined,
): ChunkSource {
  let first: StreamChunk[] | undefined = head.length > 0 ? head : undefined;
  return {
    next() {
      if (first) {
        const value = first;
        first = undefined;
        return Promise.resolve({ done: false, value });
      }
      if (ended) return Promise.resolve({ done: true, value: ended });
      return rest.next();
    },
    return: () => rest.return(undefined as never),
  };
}
