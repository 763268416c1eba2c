import { type Failure, failure } from './failure.ts';

/** Reads a whole (bounded) body as text; `onChunk` lets the caller count bytes as liveness. */
export async function readText(
  body: AsyncIterable<Buffer> & { destroy(): void },
  limit: number,
  onChunk: () => void = () => {},
): Promise<string | Failure> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    onChunk();
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return failure('malformed_response', `upstream body exceeds ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
