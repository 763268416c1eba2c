import { HttpError, presentedToken } from '../http/index.ts';
import { runStream, sendBody } from './answer.ts';
import type { SimRequest as Request, SimResponse as Response } from './chat.ts';
import type { Checked, Format } from './generate.ts';
import { messagesBody, messagesStreamWire } from './wire/anthropic.ts';

/**
 * Anthropic's Messages API (`POST /v1/messages`) as the simulator speaks it: its request checks, its error
 * body (`{ type: "error", error: { type, message } }`) and status codes (529 for overload), its headers
 * (`x-api-key` or `Authorization: Bearer`, `anthropic-version`, `request-id`). Both API versions in use are
 * served: 2023-06-01, and 2026-10-21, which refuses temperature, top_p and top_k. The same faults apply as
 * to the OpenAI formats.
 */

const versions = new Set(['2023-06-01', '2026-10-21']);

/** HTTP status → Anthropic error type, as its API documents them. */
const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** How an OpenAI-shaped fault reads at Anthropic: capacity is a 529, a long prompt is worded its way. */
function translate(error: HttpError): { status: number; type: string; message: string } {
  if (error.code === 'overloaded' || error.status === 529) {
    return { status: 529, type: 'overloaded_error', message: 'Overloaded (simulated)' };
  }
  if (error.code === 'context_length_exceeded') {
    return {
      status: 400,
      type: 'invalid_request_error',
      message: 'prompt is too long: 8193 tokens > 8192 maximum (simulated)',
    };
  }
  const type = errorTypes[error.status] ?? (error.status >= 500 ? 'api_error' : 'invalid_request_error');
  return { status: error.status, type, message: error.message };
}

function sendAnthropicError(res: Response, error: HttpError): void {
  const { status, type, message } = translate(error);
  const requestId = res.getHeader('request-id');
  const body = JSON.stringify({
    type: 'error',
    error: { type, message },
    ...(requestId ? { request_id: requestId } : {}),
  });
  res.writeHead(status, {
    ...error.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

const invalid = (message: string): Checked => ({ ok: false, error: new HttpError(400, message) });

/** Top-level fields the Messages API accepts; it refuses others ("Extra inputs are not permitted"). */
const knownFields = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'metadata',
  'thinking',
  'service_tier',
]);

function validateMessagesRequest(body: unknown, version: string): Checked {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return invalid('Request body must be a JSON object.');
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).find((key) => !knownFields.has(key));
  if (extra) return invalid(`${extra}: Extra inputs are not permitted`);
  if (typeof record.model !== 'string' || record.model === '') return invalid('model: Field required');
  if (
    typeof record.max_tokens !== 'number' ||
    !Number.isInteger(record.max_tokens) ||
    record.max_tokens < 1
  ) {
    return invalid('max_tokens: Field required (an integer of at least 1)');
  }
  if (!Array.isArray(record.messages) || record.messages.length === 0)
    return invalid('messages: at least one message is required');
  for (const [index, message] of (record.messages as { role?: unknown; content?: unknown }[]).entries()) {
    if (message?.role !== 'user' && message?.role !== 'assistant') {
      return invalid(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    }
    const problem = contentProblem(message.content);
    if (problem) return invalid(`messages.${index}.content: ${problem}`);
  }
  if ((record.messages as { role: string }[])[0]?.role !== 'user')
    return invalid('messages: first message must use the "user" role');
  if (record.system !== undefined && typeof record.system !== 'string' && !Array.isArray(record.system)) {
    return invalid('system: Input should be a valid string or a list of text blocks');
  }
  if (record.stream !== undefined && typeof record.stream !== 'boolean')
    return invalid('stream: Input should be a valid boolean');
  if (version >= '2026-10-21') {
    const removed = ['temperature', 'top_p', 'top_k'].find((field) => record[field] !== undefined);
    if (removed) return invalid(`${removed}: this parameter is not supported in API version ${version}`);
  }
  if (typeof record.temperature === 'number' && (record.temperature < 0 || record.temperature > 1)) {
    return invalid('temperature: Input should be less than or equal to 1');
  }
  const stop = record.stop_sequences;
  if (stop !== undefined && !(Array.isArray(stop) && stop.every((item) => typeof item === 'string'))) {
    return invalid('stop_sequences: Input should be a valid list of strings');
  }
  return {
    ok: true,
    request: {
      model: record.model,
      messages: record.messages as { role: string; content: unknown }[],
      stream: record.stream === true,
      hasStreamOptions: false,
      includeUsage: true,
      maxTokens: record.max_tokens,
      stop: stop as string[] | undefined,
    },
  };
}

function contentProblem(content: unknown): string | undefined {
  if (typeof content === 'string') return content === '' ? 'must be non-empty' : undefined;
  if (!Array.isArray(content) || content.length === 0)
    return 'Input should be a non-empty string or list of content blocks';
  for (const block of content as { type?: unknown; text?: unknown }[]) {
    if (typeof block?.type !== 'string') return 'each content block needs a type';
    if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) {
      return 'text content blocks must be non-empty';
    }
  }
  return undefined;
}

export const messagesFormat: Format = {
  validate: (body, _instance, req) =>
    validateMessagesRequest(body, String(req.headers['anthropic-version'] ?? '')),
  sendError: sendAnthropicError,
  requestIdHeader: 'request-id',
  credential: (req: Request) =>
    typeof req.headers['x-api-key'] === 'string'
      ? req.headers['x-api-key']
      : req.headers.authorization === undefined
        ? undefined
        : presentedToken(req.headers),
  precheck(req: Request) {
    const version = req.headers['anthropic-version'];
    if (typeof version !== 'string') return new HttpError(400, 'anthropic-version: header is required');
    return versions.has(version)
      ? undefined
      : new HttpError(400, `anthropic-version: unknown version "${version.slice(0, 40)}"`);
  },
  async respond(exchange, { request, plan, answer }) {
    const reply = answer('msg_');
    if (request.stream)
      return runStream(exchange, reply, plan, messagesStreamWire(exchange.res, reply, plan));
    return sendBody(exchange, messagesBody(reply, plan), reply.tokens.length, plan);
  },
};
