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
}

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
  { captureOutput, maxBufferedBytes, stallMs }: RelayOptions,
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
      if (output !== undefined) for (const chunk of batch) output += deltaText(chunk.json);
      if (res.destroyed) continue;
      // write() returning false only says the buffer passed its high-water mark; the stream's own bound
      // is maxBufferedBytes, and 'drain' is guaranteed to follow a false return.
      if (!res.write(serialise(batch)) && res.writableLength >= maxBufferedBytes) {
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
  if (!res.destroyed) res.end(end.ok ? SSE_DONE : sseData(streamErrorEvent(end)));
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

function serialise(batch: StreamChunk[]): string {
  let text = '';
  for (const chunk of batch) text += sseData(chunk.data);
  return text;
}

function deltaText(json: Record<string, unknown>): string {
  const choices = json.choices as { delta?: { content?: unknown } }[] | undefined;
  const content = choices?.[0]?.delta?.content;
  return typeof content === 'string' ? content : '';
}
