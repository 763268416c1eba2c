import type { Response } from 'express';
import { SSE_DONE, type StreamChunk, type StreamEnd, sseData } from '../providers/index.ts';
import { streamErrorEvent } from './responses.ts';

export interface RelayResult {
  end: StreamEnd;
  /** The assistant text, only when asked for (content capture). */
  output: string | undefined;
}

/**
 * Forwards an upstream stream to the client chunk by chunk (no re-buffering). How it ends is decided
 * here: complete → `[DONE]` (appended when the upstream forgot it); a cut, stall or malformed chunk after
 * the first byte → an OpenAI-shaped error event and never `[DONE]`, so a truncated answer cannot look
 * like success.
 */
export async function relayStream(
  res: Response,
  chunks: AsyncGenerator<StreamChunk, StreamEnd, undefined>,
  headers: Record<string, string>,
  captureOutput: boolean,
): Promise<RelayResult> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    ...headers,
  });
  let output = captureOutput ? '' : undefined;
  let end: StreamEnd;
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        end = next.value;
        break;
      }
      if (!res.destroyed) res.write(sseData(next.value.data));
      if (output !== undefined) output += deltaText(next.value.json);
    }
  } finally {
    await chunks.return(undefined as never);
  }
  if (!res.destroyed) res.end(end.ok ? SSE_DONE : sseData(streamErrorEvent(end)));
  return { end, output };
}

function deltaText(json: Record<string, unknown>): string {
  const choices = json.choices as { delta?: { content?: unknown } }[] | undefined;
  const content = choices?.[0]?.delta?.content;
  return typeof content === 'string' ? content : '';
}
