import { chunkHasContent, emptinessExplained } from './answer-content.ts';
import { prepend } from './stream-reader.ts';
import type { ChunkSource, StreamChunk, StreamEnd } from './types.ts';

/** Chunks without content held back at most, so an upstream sending only empty chunks cannot grow it. */
const HOLD_BACK_CHUNKS = 64;

export type HeldStream =
  | { ok: true; chunks: ChunkSource; model: string | undefined; empty: boolean }
  | Extract<StreamEnd, { ok: false }>;

/**
 * Reads a translated stream up to its first chunk with content. A stream that dies before it has sent
 * the client nothing useful and can still fail over; one that ends there is an empty answer, known before
 * the client saw a byte.
 */
export async function holdBackPreamble(
  chunks: AsyncGenerator<StreamChunk[], StreamEnd, undefined>,
  {
    hasContent = chunkHasContent,
    modelOf = (json) => (typeof json.model === 'string' && json.model ? json.model : undefined),
  }: {
    /** Whether a chunk carries the answer: a chat delta with content by default. */
    hasContent?: (json: Record<string, unknown>) => boolean;
    /** The model a chunk names; Azure opens with a prompt-filter chunk whose model is "". */
    modelOf?: (json: Record<string, unknown>) => string | undefined;
  } = {},
): Promise<HeldStream> {
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
      content ||= hasContent(chunk.json);
    }
  }
  if (ended && !ended.ok) return ended;
  const model = head.map((chunk) => modelOf(chunk.json)).find((name) => name !== undefined);
  return {
    ok: true,
    chunks: prepend(head, chunks, ended),
    model,
    empty: ended !== undefined && !content && !emptinessExplained(ended.finishReason),
  };
}
