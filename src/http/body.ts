import type { IncomingMessage } from 'node:http';
import { badRequest, payloadTooLarge } from './errors.ts';

/**
 * Reads a JSON body with a hard byte limit, without body-parser on the hot path. The limit is enforced
 * while streaming, so an oversized upload is cut off instead of being buffered whole.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw payloadTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw payloadTooLarge(limit);
    }
    chunks.push(chunk);
  }
  if (size === 0) throw badRequest('Request body is empty; expected a JSON object.', 'invalid_json');
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch (error) {
    throw badRequest(`Request body is not valid JSON: ${(error as Error).message}`, 'invalid_json');
  }
}
