import { errorBody, HttpError } from '../http/index.ts';
import { type Logger, redactSecrets } from '../log/index.ts';
import type { Failure, FailureType } from '../providers/index.ts';
import type { ChainOutcome } from './chain.ts';

export interface ErrorReply {
  status: number;
  body: { error: { message: string; type: string; code: string | null; param: string | null } };
  headers: Record<string, string>;
  errorType: string;
}

/** Failure class → the status and stable code a client sees once the chain gave up. */
const exhausted: Partial<Record<FailureType, { status: number; type: string; code: string }>> = {
  rate_limited: { status: 429, type: 'rate_limit_error', code: 'upstream_rate_limited' },
  timeout_connect: { status: 504, type: 'api_error', code: 'upstream_timeout' },
  timeout_first_token: { status: 504, type: 'api_error', code: 'upstream_timeout' },
  timeout_idle: { status: 504, type: 'api_error', code: 'upstream_timeout' },
  timeout_total: { status: 504, type: 'api_error', code: 'upstream_timeout' },
  auth: { status: 502, type: 'api_error', code: 'upstream_auth_failed' },
  model_overloaded: { status: 503, type: 'api_error', code: 'upstream_overloaded' },
  empty_response: { status: 502, type: 'api_error', code: 'upstream_empty_response' },
  queue_timeout: { status: 504, type: 'api_error', code: 'queue_timeout' },
};
const passedThrough = new Set<FailureType>(['client_error', 'context_length', 'content_filter']);
/**
 * Failures whose text the client sees in full: client errors carry what the upstream objected to, and a
 * queue timeout's text is the gateway's own (the cap and the wait), with nothing from the upstream in it.
 */
const shownInFull = (type: FailureType) => passedThrough.has(type) || type === 'queue_timeout';

/**
 * What a client is told about a failure whose detail it does not get: an upstream's own error text carries
 * key fragments, account and project ids and internals, and a network error names hosts. The detail goes to
 * the log (by trace id) and the attempt span instead. Client errors are the exception: their body passes on.
 */
const withheldText = {
  rate_limited: 'the provider is rate limiting the gateway; retry after the Retry-After delay',
  server_error: 'the provider failed with a server error',
  model_overloaded: 'the model is overloaded at the provider; retry later',
  timeout_connect: 'the provider could not be reached in time',
  timeout_first_token: 'the provider did not start answering in time',
  timeout_idle: 'the provider went silent in the middle of the answer',
  timeout_total: 'the request ran out of time',
  dns: "the provider's host name did not resolve",
  connect: 'the provider refused the connection or could not be reached',
  tls: 'the TLS connection to the provider failed',
  connection_reset: 'the provider closed the connection',
  stream_cut: 'the provider ended the stream early',
  malformed_response: 'the provider answered with something that is not a valid chat completion',
  empty_response: 'the provider answered with no content',
  context_length: 'the prompt does not fit the model',
  content_filter: "the provider's content filter refused the request",
  auth: "the provider refused the gateway's credentials; an operator has to fix the provider key",
  client_error: 'the provider refused the request',
  assertion_failed: 'a check failed',
  canary_failed: 'a check failed',
  internal: 'the gateway failed on its own',
  queue_timeout: 'the request waited for a free slot to the provider until its deadline passed',
} as const satisfies Record<FailureType, string>;

const retryAfterHeader = (ms: number | undefined): Record<string, string> =>
  ms === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };

/** The OpenAI-shaped error for a chain that did not produce an answer. */
export function chainErrorReply(
  outcome: Exclude<ChainOutcome, { ok: true }>,
  clientModel: string,
): ErrorReply {
  if (outcome.reason === 'no_route') {
    const error = new HttpError(404, `The model '${clientModel}' does not exist or has no route.`, {
      code: 'model_not_found',
      param: 'model',
    });
    return { status: 404, body: errorBody(error), headers: {}, errorType: 'model_not_found' };
  }
  if (outcome.reason === 'all_targets_unavailable') {
    const error = new HttpError(
      503,
      `Every provider for '${clientModel}' is unavailable (circuit open); retry later.`,
      { type: 'api_error', code: 'all_targets_unavailable' },
    );
    return {
      status: 503,
      body: errorBody(error),
      headers: retryAfterHeader(outcome.retryAfterMs),
      errorType: 'all_targets_unavailable',
    };
  }
  if (outcome.reason === 'client_gone') {
    return {
      status: 499,
      body: {
        error: {
          message: 'Client closed the request.',
          type: 'api_error',
          code: 'client_closed',
          param: null,
        },
      },
      headers: {},
      errorType: 'cancelled',
    };
  }
  return failureReply(outcome.failure);
}

export function failureReply(failure: Failure): ErrorReply {
  if (failure.type === 'internal') {
    // Our own failure: the detail (an exception's text) stays on the span; the upstream is not to blame.
    const error = new HttpError(500, 'Internal error while preparing the request; it was not sent on.', {
      type: 'api_error',
      code: 'internal_error',
    });
    return { status: 500, body: errorBody(error), headers: {}, errorType: 'internal' };
  }
  if (passedThrough.has(failure.type) && failure.status && isOpenAIError(failure.body)) {
    return { status: failure.status, body: failure.body, headers: {}, errorType: failure.type };
  }
  const known = exhausted[failure.type];
  const status = known?.status ?? (passedThrough.has(failure.type) ? (failure.status ?? 400) : 502);
  const type = known?.type ?? (passedThrough.has(failure.type) ? 'invalid_request_error' : 'api_error');
  const code = known?.code ?? (passedThrough.has(failure.type) ? failure.type : 'upstream_error');
  const detail = shownInFull(failure.type) ? failure.message : withheldText[failure.type];
  return {
    status,
    body: {
      error: {
        // A queue timeout happened in the gateway: the upstream never saw the request.
        message: `${failure.type === 'queue_timeout' ? 'Gateway' : 'Upstream'} ${failure.type}: ${detail}.`,
        type,
        code,
        param: null,
      },
    },
    headers: failure.type === 'rate_limited' ? retryAfterHeader(failure.retryAfterMs ?? 1000) : {},
    errorType: failure.type,
  };
}

/**
 * Writes the detail of a failure the client only sees in general terms: the operator finds it by the
 * trace id the client got in `x-inferwatch-trace-id`.
 */
export function logWithheldDetail(
  logger: Logger,
  failure: Failure,
  context: { traceId: string; provider?: string | undefined },
): void {
  const fields = {
    ...context,
    errorType: failure.type,
    status: failure.status,
    detail: redactSecrets(failure.message),
  };
  if (failure.type === 'internal') logger.error(fields, 'internal error in the gateway');
  else if (!shownInFull(failure.type))
    logger.warn(fields, 'upstream failure (detail withheld from the client)');
}

/**
 * A stream's end as the client learns it: a failure may carry its own code (`stream_resume_diverged`),
 * otherwise its class is the code, and what became of resuming it, in the gateway's own words (never the
 * upstream's text, which stays withheld like any failure detail).
 */
export type ClientFailure = Failure & { code?: string | undefined; resumption?: string | undefined };

/** The in-band error event that ends a stream that failed after its first byte (never followed by [DONE]). */
export function streamErrorEvent(failure: ClientFailure): string {
  return JSON.stringify({
    error: {
      message: `The upstream stream failed after it started (${failure.type}): ${withheldText[failure.type]}.${failure.resumption ? ` ${failure.resumption}` : ''}`,
      type: 'api_error',
      code: failure.code ?? failure.type,
      param: null,
    },
  });
}

function isOpenAIError(body: unknown): body is ErrorReply['body'] {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error === 'object' && error !== null && typeof error.message === 'string';
}
