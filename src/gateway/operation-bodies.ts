import type { Request } from 'express';
import { badRequest, readJsonBody } from '../http/index.ts';
import { type BodyLimits, checkModelName } from './chat-request.ts';

/**
 * The bodies of OpenAI's embeddings, text completions and Responses endpoints, checked as far as the
 * gateway reads them (the model that routes them, `stream` that decides JSON or SSE) and where a wrong
 * shape would otherwise cost an upstream round trip on every target of the chain. Everything else passes
 * through to the upstream untouched.
 */

type Body = Record<string, unknown>;

async function readObject(req: Request, limits: BodyLimits): Promise<Body> {
  const body = await readJsonBody(req, limits.maxBodyBytes, limits.maxJsonDepth);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object.', 'invalid_request');
  }
  const record = body as Body;
  if (typeof record.model !== 'string' || record.model.length === 0) {
    throw badRequest('you must provide a model parameter', 'missing_required_parameter', 'model');
  }
  checkModelName(record.model, limits.maxModelNameLength);
  return record;
}

function checkStream(record: Body): void {
  if (record.stream !== undefined && record.stream !== null && typeof record.stream !== 'boolean') {
    throw badRequest("Invalid type for 'stream': expected a boolean.", 'invalid_type', 'stream');
  }
}

const isTokens = (value: unknown) => Array.isArray(value) && value.every((item) => Number.isInteger(item));

/** POST /v1/embeddings: `input` is a string, a list of strings, a token list or a list of token lists. */
export async function readEmbeddingsBody(req: Request, limits: BodyLimits): Promise<Body> {
  const record = await readObject(req, limits);
  const { input } = record;
  if (input === undefined)
    throw badRequest("Missing required parameter: 'input'.", 'missing_required_parameter', 'input');
  const valid =
    (typeof input === 'string' && input.length > 0) ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((item) => typeof item === 'string' && item.length > 0) ||
        isTokens(input) ||
        input.every((item) => isTokens(item) && (item as unknown[]).length > 0)));
  if (!valid) {
    throw badRequest(
      "Invalid 'input': expected a non-empty string, a list of non-empty strings, a list of token ids or a list of such lists.",
      'invalid_value',
      'input',
    );
  }
  const encoding = record.encoding_format;
  if (encoding !== undefined && encoding !== 'float' && encoding !== 'base64') {
    throw badRequest(
      "Invalid 'encoding_format': expected 'float' or 'base64'.",
      'invalid_value',
      'encoding_format',
    );
  }
  if (record.stream !== undefined && record.stream !== null && record.stream !== false) {
    throw badRequest('Embeddings are not streamed.', 'invalid_value', 'stream');
  }
  return record;
}

/** POST /v1/completions: `prompt` is a string, a list of strings or token lists. */
export async function readCompletionsBody(req: Request, limits: BodyLimits): Promise<Body> {
  const record = await readObject(req, limits);
  const { prompt } = record;
  if (prompt === undefined)
    throw badRequest("Missing required parameter: 'prompt'.", 'missing_required_parameter', 'prompt');
  const valid =
    typeof prompt === 'string' ||
    (Array.isArray(prompt) &&
      prompt.length > 0 &&
      (prompt.every((item) => typeof item === 'string') || isTokens(prompt) || prompt.every(isTokens)));
  if (!valid) {
    throw badRequest(
      "Invalid 'prompt': expected a string, a list of strings, a list of token ids or a list of such lists.",
      'invalid_value',
      'prompt',
    );
  }
  checkStream(record);
  return record;
}

/** POST /v1/responses: `input` is a string or a list of input items; a continuation names its predecessor. */
export async function readResponsesBody(req: Request, limits: BodyLimits): Promise<Body> {
  const record = await readObject(req, limits);
  const { input } = record;
  if (input === undefined && record.previous_response_id === undefined && record.prompt === undefined) {
    throw badRequest("Missing required parameter: 'input'.", 'missing_required_parameter', 'input');
  }
  if (input !== undefined && typeof input !== 'string' && !Array.isArray(input)) {
    throw badRequest(
      "Invalid type for 'input': expected a string or a list of input items.",
      'invalid_type',
      'input',
    );
  }
  const previous = record.previous_response_id;
  if (
    previous !== undefined &&
    previous !== null &&
    (typeof previous !== 'string' || !/^[\w-]{1,200}$/.test(previous))
  ) {
    throw badRequest(
      "Invalid 'previous_response_id': expected a response id.",
      'invalid_value',
      'previous_response_id',
    );
  }
  checkStream(record);
  return record;
}
