import type { Readable } from 'node:stream';
import type { AttemptTimers } from '../attempt-timers.ts';
import { classifyNetworkError } from '../classify.ts';
import { failure } from '../failure.ts';
import { SseParser } from '../sse.ts';
import { count, discard, releaseConnection } from '../stream-reader.ts';
import type { CallTally, StreamChunk, StreamEnd } from '../types.ts';
import type { StreamTranslator } from './stream.ts';

/** A single SSE line longer than this is not a Messages event; stop before buffering it whole. */
const MAX_PENDING_BYTES = 1024 * 1024;

/**
 * Reads an Anthropic Messages event stream into OpenAI chat completion chunks, batch per upstream read as
 * the OpenAI reader does, so the gateway relays, holds back and accounts for both the same way. How the
 * stream ended is the translator's verdict (message_stop, an error event, a cut) or the timers'.
 */
export async function* readMessagesStream(
  body: Readable,
  timers: AttemptTimers,
  translator: StreamTranslator,
  {
    tally,
    onOutputGap,
  }: { tally?: CallTally | undefined; onOutputGap?: ((ms: number) => void) | undefined } = {},
): AsyncGenerator<StreamChunk[], StreamEnd, undefined> {
  const parser = new SseParser();
  let received = 0;
  let sent = 0;
  let completed = false;
  const end = (outcome: StreamEnd): StreamEnd => {
    completed = outcome.ok;
    // Anthropic counts tokens in message_start and message_delta, not in a chunk the client sees.
    if (tally && outcome.ok && outcome.usage) tally.usage = outcome.usage;
    return outcome;
  };
  const counted = (json: Record<string, unknown>) => {
    if (tally) count(tally, json, performance.now(), onOutputGap);
    return { data: JSON.stringify(json), json };
  };
  try {
    for await (const bytes of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      timers.alive();
      received += bytes.length;
      const batch: StreamChunk[] = [];
      let ended: StreamEnd | undefined;
      for (const event of parser.push(bytes)) {
        const step = translator.push(event);
        for (const json of step.chunks) batch.push(counted(json));
        if (step.end) {
          ended = step.end;
          break;
        }
      }
      sent += batch.length;
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
    const last: StreamChunk[] = [];
    let ended: StreamEnd | undefined;
    for (const event of parser.flush()) {
      const step = translator.push(event);
      for (const json of step.chunks) last.push(counted(json));
      if (step.end) {
        ended = step.end;
        break;
      }
    }
    if (last.length > 0) yield last;
    return end(ended ?? translator.finish());
  } catch (error) {
    const timedOut = timers.reason();
    if (timedOut) {
      const type = timedOut === 'timeout_first_token' && sent > 0 ? 'timeout_idle' : timedOut;
      return end(failure(type, `stream aborted: ${type} after ${sent} chunks`));
    }
    return end(classifyNetworkError(error, { midStream: true }));
  } finally {
    timers.dispose();
    if (completed) releaseConnection(body, received);
    else discard(body);
  }
}
