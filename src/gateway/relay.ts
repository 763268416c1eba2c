import type { Response } from 'express';
import { type ChunkSource, SSE_DONE, type StreamChunk, type StreamEnd, sseData } from '../providers/index.ts';
import { streamErrorEvent } from './responses.ts';

export interface RelayResult {
  end: StreamEnd;
  /** The assistant text, only when asked for (content capture). */
  output: string | undefined;
}

/**
 * Forwards an upstream stream to the client as it arrives (no re-buffering): the chunks one upstream read
 * completed go out in one write. How it ends is decided here: complete → `[DONE]` (appended when the
 * upstream forgot it); a cut, stall or malformed chunk after the first byte → an OpenAI-shaped error event
 * and never `[DONE]`, so a truncated answer cannot look like success.
 */
export async function relayStream(
  res: Response,
  chunks: ChunkSource,
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
      const batch = next.value;
      if (!res.destroyed) res.write(serialise(batch));
      if (output !== undefined) for (const chunk of batch) output += deltaText(chunk.json);
    }
  } finally {
    await chunks.return();
  }
  if (!res.destroyed) res.end(end.ok ? SSE_DONE : sseData(streamErrorEvent(end)));
  return { end, output };
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
