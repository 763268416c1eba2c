import { describe, expect, it } from 'vitest';
import { classifyAnthropicResponse, streamErrorFailure } from './errors.ts';

const body = (type: string, message = 'something happened') =>
  JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });
const now = () => 0;

describe('Anthropic errors → failure classes', () => {
  it.each([
    [400, 'invalid_request_error', 'client_error'],
    [401, 'authentication_error', 'auth'],
    [402, 'billing_error', 'auth'],
    [403, 'permission_error', 'auth'],
    [404, 'not_found_error', 'client_error'],
    [413, 'request_too_large', 'client_error'],
    [429, 'rate_limit_error', 'rate_limited'],
    [500, 'api_error', 'server_error'],
    [504, 'timeout_error', 'timeout_first_token'],
    [529, 'overloaded_error', 'model_overloaded'],
  ])('%i %s → %s', (status, type, expected) => {
    const failed = classifyAnthropicResponse(status, {}, body(type), now);
    expect(failed.type).toBe(expected);
    expect(failed.status).toBe(status);
  });

  it('reads a prompt over the context window as context_length', () => {
    const failed = classifyAnthropicResponse(
      400,
      {},
      body('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'),
      now,
    );
    expect(failed.type).toBe('context_length');
  });

  it('rewrites the body in OpenAI shape so a passed-on client error reads as one', () => {
    const failed = classifyAnthropicResponse(
      400,
      {},
      body('invalid_request_error', 'messages: field required'),
      now,
    );
    expect(failed.body).toEqual({
      error: {
        message: 'messages: field required',
        type: 'invalid_request_error',
        code: 'invalid_request_error',
        param: null,
      },
    });
  });

  it('honours retry-after on a 429', () => {
    expect(
      classifyAnthropicResponse(429, { 'retry-after': '7' }, body('rate_limit_error'), now).retryAfterMs,
    ).toBe(7000);
  });

  it('classifies a body that is not Anthropic-shaped by its status', () => {
    expect(classifyAnthropicResponse(502, {}, '<html>bad gateway</html>', now).type).toBe('server_error');
    expect(classifyAnthropicResponse(529, {}, '', now).type).toBe('model_overloaded');
  });

  it('classifies a mid-stream error event by its type', () => {
    expect(
      streamErrorFailure({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }).type,
    ).toBe('model_overloaded');
    expect(streamErrorFailure({ type: 'error', error: { type: 'something_new', message: 'x' } }).type).toBe(
      'server_error',
    );
  });
});
