import { redactSecrets } from '../../log/index.ts';
import { classifyResponse } from '../classify.ts';
import { type Failure, type FailureType, failure } from '../failure.ts';

/**
 * Anthropic's error types → the gateway's failure classes, so a chain that mixes Anthropic and
 * OpenAI-compatible targets retries and fails over the same way whichever vendor failed. The same table
 * reads an HTTP error body and an `error` event in the middle of a stream.
 */
export const anthropicErrorClasses = {
  invalid_request_error: 'client_error', // 400: the request is wrong (refined to context_length below)
  authentication_error: 'auth', // 401: our key for Anthropic is wrong
  billing_error: 'auth', // 402: our account cannot pay; another provider can still answer
  permission_error: 'auth', // 403: our key lacks access to this model or feature
  not_found_error: 'client_error', // 404: a model or resource Anthropic does not have, as OpenAI's 404
  request_too_large: 'client_error', // 413: the body exceeds Anthropic's size limit
  rate_limit_error: 'rate_limited', // 429: Retry-After says when
  api_error: 'server_error', // 500: Anthropic's own failure
  timeout_error: 'timeout_first_token', // 504: Anthropic's edge gave up waiting for the model
  overloaded_error: 'model_overloaded', // 529: capacity, not an outage
} as const satisfies Record<string, FailureType>;

type AnthropicErrorType = keyof typeof anthropicErrorClasses;

/** Anthropic words a prompt over the context window as "prompt is too long: N tokens > M maximum". */
const contextLengthPattern = /prompt is too long|context window|too many tokens/i;

interface AnthropicErrorBody {
  type?: unknown;
  error?: { type?: unknown; message?: unknown };
}

const isAnthropicType = (type: unknown): type is AnthropicErrorType =>
  typeof type === 'string' && Object.hasOwn(anthropicErrorClasses, type);

/** The class of an Anthropic error type and message; undefined for a type this table does not know. */
export function classOf(type: unknown, message: string): FailureType | undefined {
  if (!isAnthropicType(type)) return undefined;
  const base: FailureType = anthropicErrorClasses[type];
  return base === 'client_error' && contextLengthPattern.test(message) ? 'context_length' : base;
}

/**
 * Classifies a non-2xx answer from the Messages API. A body in Anthropic's shape decides the class and is
 * rewritten in OpenAI's (a client error is passed on to the client, who speaks OpenAI); any other body (a
 * proxy's HTML page) is classified by its status like every upstream's.
 */
export function classifyAnthropicResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  now: () => number,
): Failure {
  const byStatus = classifyResponse(status, headers, bodyText, now);
  const body = parse(bodyText);
  const message = typeof body?.error?.message === 'string' ? body.error.message : '';
  const type = classOf(body?.error?.type, message);
  if (!type) return byStatus;
  const errorType = String(body?.error?.type);
  return {
    ...byStatus,
    type,
    message: `upstream answered ${status} ${errorType}: ${redactSecrets(message).slice(0, 300) || 'no message'}`,
    body: {
      error: {
        message,
        type: status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error',
        code: errorType,
        param: null,
      },
    },
  };
}

/** An `error` event inside a stream (Anthropic sends one when it fails after answering 200). */
export function streamErrorFailure(data: AnthropicErrorBody): Failure {
  const message = typeof data.error?.message === 'string' ? data.error.message : '';
  const type = classOf(data.error?.type, message) ?? 'server_error';
  return failure(
    type,
    `upstream sent an error event (${String(data.error?.type ?? 'unknown')}): ${redactSecrets(message).slice(0, 300)}`,
  );
}

function parse(text: string): AnthropicErrorBody | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    return typeof json === 'object' && json !== null ? (json as AnthropicErrorBody) : undefined;
  } catch {
    return undefined;
  }
}
