import { badRequest } from '../http/index.ts';
import type { Checked } from './generate.ts';

/**
 * Requests of OpenAI's text completions, Responses and embeddings endpoints, rejected where OpenAI rejects
 * them with its `param` and `code`, and reduced to what the simulator reads.
 */

const fail = (message: string, code: string, param: string | null): Checked => ({
  ok: false,
  error: badRequest(message, code, param),
});

type Body = Record<string, unknown>;

/** The checks every endpoint shares: a JSON object, a model, a boolean stream. */
function common(body: unknown): { ok: true; record: Body } | Checked {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('Request body must be a JSON object.', 'invalid_type', null);
  }
  const record = body as Body;
  if (record.model === undefined)
    return fail("Missing required parameter: 'model'.", 'missing_required_parameter', 'model');
  if (typeof record.model !== 'string' || record.model === '') {
    return fail("Invalid type for 'model': expected a non-empty string.", 'invalid_type', 'model');
  }
  if (record.stream !== undefined && record.stream !== null && typeof record.stream !== 'boolean') {
    return fail("Invalid type for 'stream': expected a boolean.", 'invalid_type', 'stream');
  }
  return { ok: true, record };
}

const positive = (value: unknown) => (typeof value === 'number' && value > 0 ? Math.floor(value) : undefined);
const includeUsage = (record: Body) =>
  (record.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
const stops = (value: unknown) =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.filter((item) => typeof item === 'string')
      : undefined;

/** `POST /v1/completions`: a prompt (a string or a list of strings) instead of messages. */
export function validateCompletionRequest(body: unknown): Checked {
  const checked = common(body);
  if (!('record' in checked)) return checked;
  const { record } = checked;
  const prompt = record.prompt;
  if (prompt === undefined)
    return fail("Missing required parameter: 'prompt'.", 'missing_required_parameter', 'prompt');
  const texts = typeof prompt === 'string' ? [prompt] : Array.isArray(prompt) ? prompt : undefined;
  if (!texts?.every((item) => typeof item === 'string' || typeof item === 'number' || Array.isArray(item))) {
    return fail("Invalid type for 'prompt': expected a string or an array.", 'invalid_type', 'prompt');
  }
  const text = texts.filter((item): item is string => typeof item === 'string').join('\n');
  return {
    ok: true,
    request: {
      model: record.model as string,
      messages: [{ role: 'user', content: text }],
      stream: record.stream === true,
      hasStreamOptions: record.stream_options !== undefined && record.stream_options !== null,
      includeUsage: includeUsage(record),
      maxTokens: positive(record.max_tokens),
      stop: stops(record.stop),
    },
  };
}

/**
 * `POST /v1/responses`: `input` as a string or a list of items, `instructions` as the system prompt. Whether
 * a `previous_response_id` names a stored response is checked once the model is known to be served.
 */
export function validateResponsesRequest(body: unknown): Checked {
  const checked = common(body);
  if (!('record' in checked)) return checked;
  const { record } = checked;
  const input = record.input;
  if (input === undefined)
    return fail("Missing required parameter: 'input'.", 'missing_required_parameter', 'input');
  if (typeof input !== 'string' && !Array.isArray(input)) {
    return fail(
      "Invalid type for 'input': expected a string or an array of input items.",
      'invalid_type',
      'input',
    );
  }
  const previous = record.previous_response_id;
  if (previous !== undefined && previous !== null && typeof previous !== 'string') {
    return fail(
      "Invalid type for 'previous_response_id': expected a string.",
      'invalid_type',
      'previous_response_id',
    );
  }
  const items =
    typeof input === 'string'
      ? [{ role: 'user', content: input }]
      : (input as { role?: unknown; content?: unknown }[]);
  const messages = items
    .filter((item) => typeof item === 'object' && item !== null && typeof item.role === 'string')
    .map((item) => ({ role: item.role as string, content: item.content }));
  if (typeof record.instructions === 'string')
    messages.unshift({ role: 'system', content: record.instructions });
  return {
    ok: true,
    request: {
      model: record.model as string,
      messages,
      stream: record.stream === true,
      hasStreamOptions: false,
      // A Responses stream always ends with usage in response.completed.
      includeUsage: true,
      maxTokens: positive(record.max_output_tokens),
      previousResponseId: typeof previous === 'string' ? previous : null,
      store: record.store !== false,
    },
  };
}

/** `POST /v1/embeddings`: one input or a batch; token arrays count as their length in tokens. */
export function validateEmbeddingsRequest(body: unknown): Checked {
  const checked = common(body);
  if (!('record' in checked)) return checked;
  const { record } = checked;
  const input = record.input;
  if (input === undefined)
    return fail("Missing required parameter: 'input'.", 'missing_required_parameter', 'input');
  const batch = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined;
  const valid =
    batch !== undefined &&
    batch.length > 0 &&
    (batch.every((item) => typeof item === 'string') ||
      batch.every((item) => typeof item === 'number') ||
      batch.every((item) => Array.isArray(item) && item.every((token) => typeof token === 'number')));
  if (!valid) {
    return fail(
      "Invalid 'input': expected a non-empty string, array of strings, array of tokens or array of token arrays.",
      'invalid_value',
      'input',
    );
  }
  const encoding = record.encoding_format ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') {
    return fail(
      "Invalid 'encoding_format': expected 'float' or 'base64'.",
      'invalid_value',
      'encoding_format',
    );
  }
  // A list of numbers is one tokenised input; a list of lists is a batch of them.
  const inputs = batch.every((item) => typeof item === 'number')
    ? [batch.join(' ')]
    : batch.map((item) => (Array.isArray(item) ? item.join(' ') : String(item)));
  return {
    ok: true,
    request: {
      model: record.model as string,
      messages: inputs.map((text) => ({ role: 'user', content: text })),
      stream: false,
      hasStreamOptions: false,
      includeUsage: false,
      maxTokens: undefined,
      embedding: { inputs, encoding, dimensions: positive(record.dimensions) ?? 8 },
    },
  };
}
