import { describe, expect, it } from 'vitest';
import { classifyNetworkError, classifyResponse, classifyStatus } from './classify.ts';
import { parseRetryAfter } from './retry-after.ts';

const body = (code: string, message: string) =>
  JSON.stringify({ error: { code, message, type: 'invalid_request_error' } });

describe('upstream classification', () => {
  it.each([
    [429, '', 'rate_limited'],
    [500, '', 'server_error'],
    [502, '', 'server_error'],
    [503, '', 'model_overloaded'],
    [500, body('server_error', 'The engine is currently overloaded'), 'model_overloaded'],
    [401, '', 'auth'],
    [403, '', 'auth'],
    [
      400,
      body('context_length_exceeded', "This model's maximum context length is 8192 tokens"),
      'context_length',
    ],
    [
      400,
      body('content_filter', 'The response was filtered due to the content management policy'),
      'content_filter',
    ],
    [400, body('invalid_value', 'temperature must be <= 2'), 'client_error'],
    [404, body('model_not_found', 'no such model'), 'client_error'],
    [504, '', 'timeout_first_token'],
    [408, '', 'timeout_first_token'],
    [302, '', 'malformed_response'],
  ])('HTTP %i %s → %s', (status, text, type) => {
    expect(classifyResponse(status, {}, text).type).toBe(type);
  });

  it.each([
    [503, 'server_error'], // a health endpoint that is not ready: not a model's capacity
    [529, 'server_error'],
    [504, 'timeout_first_token'],
    [408, 'timeout_first_token'],
    [429, 'rate_limited'],
    [400, 'client_error'],
  ])('a plain HTTP callee: %i → %s, and its body is not read for model conventions', (status, type) => {
    expect(classifyStatus(status, 'http')).toBe(type);
    const overloaded = body('server_error', 'overloaded');
    expect(classifyResponse(status, {}, overloaded, Date.now, 'http').type).toBe(type);
  });

  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout_connect'],
    ['ECONNREFUSED', 'connect'],
    ['ECONNRESET', 'connection_reset'],
    ['UND_ERR_SOCKET', 'connection_reset'],
    ['ENOTFOUND', 'dns'],
    ['EAI_NONAME', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['HPE_INVALID_STATUS', 'malformed_response'],
  ])('network error %s → %s', (code, type) => {
    expect(classifyNetworkError(Object.assign(new Error('x'), { code })).type).toBe(type);
  });

  it.each([
    ['a RangeError (a body too deep to serialise)', new RangeError('Maximum call stack size exceeded')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    [
      'undici refusing our own arguments',
      Object.assign(new Error('invalid header'), { code: 'UND_ERR_INVALID_ARG' }),
    ],
    ['a pool already closed', Object.assign(new Error('The client is closed'), { code: 'UND_ERR_CLOSED' })],
    ['a thrown string', 'oops'],
  ])('%s is internal, never a network class', (_name, error) => {
    expect(classifyNetworkError(error).type).toBe('internal');
    expect(classifyNetworkError(error, { midStream: true }).type).toBe('internal');
  });

  it.each([
    ['ETIMEDOUT', 'connection_reset'],
    ['ERR_STREAM_PREMATURE_CLOSE', 'connection_reset'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'connection_reset'],
    ['HPE_INVALID_CONSTANT', 'malformed_response'],
    ['UND_ERR_HEADERS_OVERFLOW', 'malformed_response'],
    ['ERR_OSSL_WRONG_VERSION_NUMBER', 'tls'],
    ['ERR_HTTP2_STREAM_ERROR', 'connection_reset'],
    ['ERR_HTTP2_GOAWAY_SESSION', 'connection_reset'],
  ])('network error %s → %s (the peer or the network, not us)', (code, type) => {
    expect(classifyNetworkError(Object.assign(new Error('x'), { code })).type).toBe(type);
  });

  it("names undici's HTTPParserError (no code) and AbortSignal.timeout's TimeoutError", () => {
    const parser = Object.assign(new Error('Invalid status code'), { name: 'HTTPParserError' });
    expect(classifyNetworkError(new TypeError('fetch failed', { cause: parser })).type).toBe(
      'malformed_response',
    );
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyNetworkError(timeout).type).toBe('timeout_total');
  });

  it('reads the code of a wrapped cause', () => {
    const wrapped = Object.assign(new Error('fetch failed'), {
      cause: { code: 'ECONNREFUSED', message: 'x' },
    });
    expect(classifyNetworkError(wrapped).type).toBe('connect');
  });

  it('calls an HTTP/2 stream reset mid-stream a cut stream', () => {
    const reset = Object.assign(new Error('Stream closed with error code NGHTTP2_INTERNAL_ERROR'), {
      code: 'ERR_HTTP2_STREAM_ERROR',
    });
    expect(classifyNetworkError(reset, { midStream: true }).type).toBe('stream_cut');
  });

  it('calls a socket closed mid-stream a cut stream', () => {
    expect(
      classifyNetworkError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), {
        midStream: true,
      }).type,
    ).toBe('stream_cut');
  });

  it('reads Retry-After as seconds, HTTP date or retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after': '3' })).toBe(3_000);
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '3' })).toBe(250);
    expect(parseRetryAfter({ 'retry-after': new Date(10_000).toUTCString() }, () => 4_000)).toBe(6_000);
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parseRetryAfter({})).toBeUndefined();
    expect(classifyResponse(429, { 'retry-after': '2' }, '').retryAfterMs).toBe(2_000);
    // fetch's Headers, as the prober and the notifiers receive them.
    expect(parseRetryAfter(new Headers({ 'Retry-After': '7' }))).toBe(7_000);
  });
});
