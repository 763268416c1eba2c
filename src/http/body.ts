import type { IncomingMessage } from 'node:http';
import { badRequest, payloadTooLarge } from './errors.ts';

/** How deep a JSON body may nest when the caller does not say (`server.maxJsonDepth`'s default). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * Reads a JSON body with a hard byte limit, without body-parser on the hot path. The limit is enforced
 * while streaming, so an oversized upload is cut off instead of being buffered whole. Nesting deeper than
 * `maxDepth` is refused before parsing: JSON.parse copes with it, but every recursive walk after it
 * (JSON.stringify for the upstream, schema validation) would overflow the call stack.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  maxDepth = DEFAULT_MAX_JSON_DEPTH,
): Promise<unknown> {
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
  const bytes = Buffer.concat(chunks, size);
  if (nestingExceeds(bytes, maxDepth)) {
    throw badRequest(`Request body nests JSON deeper than ${maxDepth} levels.`, 'json_too_deep');
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw badRequest(`Request body is not valid JSON: ${(error as Error).message}`, 'invalid_json');
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether `{`/`[` nest deeper than `maxDepth` outside strings: one pass over the bytes, no recursion.
 * Works on UTF-8 bytes directly, since no byte of a multi-byte character is below 0x80. Malformed JSON is
 * left for JSON.parse to report.
 */
function nestingExceeds(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth -= 1;
  }
  return false;
}
