import type { ErrorRequestHandler } from 'express';

/**
 * The few error classes the HTTP edge knows. Every one renders as OpenAI's error body
 * `{ error: { message, type, code, param } }`, so SDK clients surface our errors like OpenAI's own.
 * `code` values are stable and documented (README "Errors").
 */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    message: string,
    {
      type = 'invalid_request_error',
      code = 'invalid_request',
      param = null as string | null,
      headers = {},
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.headers = headers;
  }
}

export const badRequest = (message: string, code = 'invalid_request', param: string | null = null) =>
  new HttpError(400, message, { code, param });
export const unauthorized = (message = 'Missing or invalid API key.') =>
  new HttpError(401, message, { type: 'authentication_error', code: 'invalid_api_key' });
export const notFound = (message: string, code = 'not_found') => new HttpError(404, message, { code });
export const payloadTooLarge = (limit: number) =>
  new HttpError(413, `Request body exceeds the ${limit}-byte limit.`, { code: 'body_too_large' });
export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpError(429, 'Rate limit exceeded for this API key or client.', {
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
export const serviceUnavailable = (
  message: string,
  code = 'service_unavailable',
  headers: Record<string, string> = {},
) => new HttpError(503, message, { type: 'api_error', code, headers });

export function errorBody(error: HttpError) {
  return { error: { message: error.message, type: error.type, code: error.code, param: error.param } };
}

/**
 * The one renderer. express 5 forwards async rejections here by itself. Unknown errors become a 500
 * without their message (it may hold internals); body-parser style errors keep their status.
 */
export function createErrorRenderer(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let httpError: HttpError;
    if (error instanceof HttpError) httpError = error;
    else if (isStatusError(error) && error.status >= 400 && error.status < 500) {
      httpError = new HttpError(error.status, error.expose ? error.message : 'Invalid request.', {
        code: error.type === 'entity.too.large' ? 'body_too_large' : 'invalid_request',
      });
    } else {
      onUnexpected(error);
      httpError = new HttpError(500, 'Internal error.', { type: 'api_error', code: 'internal_error' });
    }
    res.status(httpError.status).set(httpError.headers).json(errorBody(httpError));
  };
}

function isStatusError(
  error: unknown,
): error is { status: number; message: string; expose?: boolean; type?: string } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
  );
}
