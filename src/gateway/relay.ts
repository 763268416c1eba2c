import type { Response } from 'express';
import { type ChunkSource, SSE_DONE, type StreamChunk, type StreamEnd, sseData } from '../providers/index.ts';
import { type ClientFailure, streamErrorEvent } from './responses.ts';

export interface RelayOptions {
  /** Collect the assistant text (content capture). */
  captureOutput: boolean;
  /** Bytes the response may hold unsent before the upstream is no longer read (`server.maxStreamBufferBytes`). */
  maxBufferedBytes: number;
  /** How long a client may take to make room before it is dropped (the provider's `idleMs`). */
  stallMs: number;
  /** How the endpoint's events are framed and ended; chat completions' `data:` lines and [DONE] by default. */
  wire?: RelayWire | undefined;
}

/** An endpoint's event stream: how each chunk goes out, how a complete or a failed stream ends, its text. */
export interface RelayWire {
  frame(chunk: StreamChunk): string;
  /** Written after a complete stream's last chunk. */
  done: string;
  /** Written instead when the stream failed after it started. */
  error(failure: Extract<StreamEnd, { ok: false }>): string;
  /** The answer's text a chunk carries (for content capture). */
  text(json: Record<string, unknown>): string;
}

/** Chat completions and text completions: `data:` lines, `[DONE]`, an OpenAI-shaped error object. */
export const chatWire: RelayWire = {
  frame: (chunk) => sseData(chunk.data),
  done: SSE_DONE,
  error: (failure) => sseData(streamErrorEvent(failure)),
  text: deltaText,
};

export interface RelayResult {
  end: StreamEnd | ClientFailure;
  /** The assistant text, only when asked for (content capture). */
  output: string | undefined;
  /** The client read nothing for `stallMs` while its buffer was full: it was dropped, the upstream aborted. */
  clientStalled: boolean;
}

/**
 * Forwards an upstream stream to the client as it arrives (no re-buffering): the chunks one upstream read
 * completed go out in one write. How it ends is decided here: complete → `[DONE]` (appended when the
 * upstream forgot it); a cut, stall or malformed chunk after the first byte → an OpenAI-shaped error event
 * and never `[DONE]`, so a truncated answer cannot look like success.
 *
 * Backpressure: once the client has `maxBufferedBytes` unsent, the next chunk is not pulled until the
 * response drains, so the upstream is not read (TCP holds it back there) and memory per stream stays
 * bounded by the limit plus one upstream read. A client that makes no room for `stallMs` is dropped; the
 * request's abort signal then cancels the upstream call.
 */
export async function relayStream(
  res: Response,
  chunks: ChunkSource,
  headers: Record<string, string>,
  { captureOutput, maxBufferedBytes, stallMs, wire = chatWire }: RelayOptions,
): Promise<RelayResult> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    ...headers,
  });
  let output = captureOutput ? '' : undefined;
  let end: StreamEnd | ClientFailure | undefined;
  let clientStalled = false;
  try {
    while (end === undefined) {
      const next = await chunks.next();
      if (next.done) {
        end = next.value;
        break;
      }
      const batch = next.value;
      if (output !== undefined) for (const chunk of batch) output += wire.text(chunk.json);
      if (res.destroyed) continue;
      // write() returning false only says the buffer passed its high-water mark; the stream's own bound
      // is maxBufferedBytes, and 'drain' is guaranteed to follow a false return.
      if (!res.write(serialise(batch, wire)) && res.writableLength >= maxBufferedBytes) {
        if ((await drained(res, stallMs)) === 'stalled') {
          clientStalled = true;
          end = { ok: false, type: 'timeout_idle', message: `the client read nothing for ${stallMs} ms` };
          await dropClient(res);
        }
      }
    }
  } finally {
    await chunks.return();
  }
  if (!res.destroyed) res.end(end.ok ? wire.done : wire.error(end));
  return { end, output, clientStalled };
}

/** Waits until the response has room again, the client left, or `ms` passed without either. */
function drained(res: Response, ms: number): Promise<'drained' | 'closed' | 'stalled'> {
  return new Promise((resolve) => {
    const settle = (outcome: 'drained' | 'closed' | 'stalled') => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(outcome);
    };
    const onDrain = () => settle('drained');
    const onClose = () => settle('closed');
    const timer = setTimeout(() => settle('stalled'), ms);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Destroys the response and waits for its 'close', so the request scope has seen the client go. */
function dropClient(res: Response): Promise<void> {
  return new Promise((resolve) => {
    res.once('close', () => resolve());
    res.destroy();
  });
}

function serialise(batch: StreamChunk[], wire: RelayWire): string {
  let text = '';
  for (const chunk of batch) text += wire.frame(chunk);
  return text;
}

/** A chat delta's text, or a text completion's. */
function deltaText(json: Record<string, unknown>): string {
  const choices = json.choices as { delta?: { content?: unknown }; text?: unknown }[] | undefined;
  const content = choices?.[0]?.delta?.content ?? choices?.[0]?.text;
  return typeof content === 'string' ? content : '';
}

/** The same chunks, each shown to `see` as it passes (the relay stays the only reader). */
export function tapChunks(chunks: ChunkSource, see: (json: Record<string, unknown>) => void): ChunkSource {
  return {
    async next() {
      const next = await chunks.next();
      if (!next.done) for (const chunk of next.value) see(chunk.json);
      return next;
    },
    return: () => chunks.return(),
  };
}
