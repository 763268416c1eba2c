import type { Dispatcher } from 'undici';
import { chunkHasContent, emptinessExplained } from './answer-content.ts';
import type { AttemptTimers } from './attempt-timers.ts';
import { classifyNetworkError, classifyResponse } from './classify.ts';
import { type Failure, failure } from './failure.ts';
import { holdBackPreamble } from './hold-back.ts';
import { readText } from './read-body.ts';
import { readResponsesStream, responsesEventHasContent, responsesEventModel } from './responses-stream.ts';
import { prepend, readChatStream } from './stream-reader.ts';
import { rejectsStreamOptions, requestUsage } from './stream-usage.ts';
import type { ChatCall, OpenStream, StreamChunk, StreamEnd } from './types.ts';

/** Chunks without content held back at most, so an upstream sending only empty chunks cannot grow it. */
const HOLD_BACK_CHUNKS = 64;

/** A request on its way: the response headers arrived and the attempt's timers run. */
export interface Sent {
  ok: true;
  response: Dispatcher.ResponseData;
  timers: AttemptTimers;
  started: number;
}

export interface StreamDeps {
  send(call: ChatCall): Promise<Sent | Failure>;
  idleMs: number;
  now: () => number;
  /** Whether this upstream recently refused `stream_options`, and how to remember that it did. */
  streamOptions: { rejected(): boolean; markRejected(): void };
}

/**
 * Opens a streamed chat completion, with usage asked for (stream-usage.ts). An upstream that refuses the
 * option is asked again without it at once, and not asked with it for a while; its streams then count
 * tokens by estimate.
 */
export async function openStream(deps: StreamDeps, call: ChatCall): Promise<OpenStream | Failure> {
  // The Responses API has no stream_options: its stream always ends with the usage.
  if (call.operation === 'responses') {
    const opened = await openOnce(deps, call, false);
    // Only a request the option was added to can be refused for it.
    return opened === 'rejected_stream_options'
      ? failure('internal', 'stream_options refused although none was sent')
      : opened;
  }
  const asked = requestUsage(call.body, deps.streamOptions.rejected());
  const first = await openOnce(deps, { ...call, body: asked.body }, asked.added);
  if (first !== 'rejected_stream_options') return first;
  deps.streamOptions.markRejected();
  const second = await openOnce(deps, call, false);
  return second === 'rejected_stream_options'
    ? failure('client_error', 'the upstream rejected stream_options', { status: 400 })
    : second;
}

async function openOnce(
  deps: StreamDeps,
  call: ChatCall,
  addedUsage: boolean,
): Promise<OpenStream | Failure | 'rejected_stream_options'> {
  const sent = await deps.send(call);
  if (!sent.ok) return sent;
  const { response, timers, started } = sent;
  const contentType = String(response.headers['content-type'] ?? '');
  if (response.statusCode >= 300 || !contentType.includes('text/event-stream')) {
    try {
      const text = await readText(response.body, 64 * 1024);
      if (typeof text !== 'string') return text;
      if (addedUsage && rejectsStreamOptions(response.statusCode, text)) return 'rejected_stream_options';
      if (response.statusCode >= 300)
        return classifyResponse(response.statusCode, response.headers, text, deps.now);
      return failure(
        'malformed_response',
        `expected an event stream, got ${contentType || 'no content type'}`,
      );
    } catch (error) {
      return timers.reason()
        ? failure(timers.reason() ?? 'timeout_total', 'error body not read in time')
        : classifyNetworkError(error);
    } finally {
      timers.dispose();
    }
  }
  if (call.tally) call.tally.answered = true;
  if (call.operation === 'responses') {
    const held = await holdBackPreamble(readResponsesStream(response.body, timers, call.tally), {
      hasContent: responsesEventHasContent,
      modelOf: responsesEventModel,
    });
    if (!held.ok) return held;
    timers.gotFirst(deps.idleMs);
    return { ...held, status: response.statusCode, timeToFirstChunkMs: deps.now() - started };
  }
  const chunks = readChatStream(response.body, timers, {
    tally: call.tally,
    stripUsage: addedUsage,
    onOutputGap: call.onOutputGap,
  });
  // Hold back what comes before the first content (the role-only preamble, an empty finish): a stream that
  // dies there has sent the client nothing useful and can still fail over transparently, and one that
  // ends there is an empty answer, known before the client saw a byte.
  const head: StreamChunk[] = [];
  let ended: StreamEnd | undefined;
  let content = false;
  while (!content && head.length < HOLD_BACK_CHUNKS) {
    const next = await chunks.next();
    if (next.done) {
      ended = next.value;
      break;
    }
    for (const chunk of next.value) {
      head.push(chunk);
      content ||= chunkHasContent(chunk.json);
    }
  }
  if (ended && !ended.ok) return ended;
  timers.gotFirst(deps.idleMs);
  // The first chunk that names one: Azure opens with a prompt-filter chunk whose model is "".
  const model = head.find((chunk) => typeof chunk.json.model === 'string' && chunk.json.model)?.json.model;
  return {
    ok: true,
    status: response.statusCode,
    timeToFirstChunkMs: deps.now() - started,
    model: typeof model === 'string' ? model : undefined,
    chunks: prepend(head, chunks, ended),
    empty: ended !== undefined && !content && !emptinessExplained(ended.finishReason),
  };
}
