import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { defaultReplyText } from '../../src/simulator/index.ts';
import { startSimulator } from './helpers.ts';

/** The official Anthropic SDK, unchanged, against the simulator's Messages API: a real client accepts it. */
const client = (baseURL: string, apiKey = 'sk-ant-sim') => new Anthropic({ baseURL, apiKey, maxRetries: 0 });
const ask = (content: string) => [{ role: 'user' as const, content }];

describe('the official Anthropic SDK against the simulator', () => {
  it('creates a message: text, end_turn, usage, ids', async () => {
    const { url } = await startSimulator();
    const message = await client(`${url}/claude`)
      .messages.create({ model: 'sim-small', max_tokens: 100, messages: ask('hello') })
      .withResponse();
    expect(message.data.content).toEqual([{ type: 'text', text: defaultReplyText }]);
    expect(message.data.stop_reason).toBe('end_turn');
    expect(message.data.stop_sequence).toBeNull();
    expect(message.data.usage.input_tokens).toBe(1);
    expect(message.data.usage.output_tokens).toBe(12);
    expect(message.data.id).toMatch(/^msg_/);
    expect(message.request_id).toMatch(/^req_/);
  });

  it('streams a message the SDK assembles, event by event', async () => {
    const { url } = await startSimulator();
    const stream = client(`${url}/claude`).messages.stream({
      model: 'sim-small',
      max_tokens: 100,
      system: 'Be brief.',
      messages: ask('Reply with exactly: one two three'),
    });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toMatchObject([{ type: 'text', text: 'one two three' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(3);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types.filter((type) => type === 'content_block_delta')).toHaveLength(3);
  });

  it('ends at a stop sequence and says which', async () => {
    const { url } = await startSimulator();
    const message = await client(url).messages.create({
      model: 'sim-small',
      max_tokens: 100,
      stop_sequences: ['STOP'],
      messages: ask('Reply with exactly: alpha beta STOP gamma'),
    });
    expect(message.content).toEqual([{ type: 'text', text: 'alpha beta' }]);
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe('STOP');
  });

  it('stops at max_tokens', async () => {
    const { url } = await startSimulator();
    const message = await client(url).messages.create({
      model: 'sim-small',
      max_tokens: 2,
      messages: ask('hello'),
    });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(2);
  });

  it('answers with a tool_use block, in JSON and in a stream', async () => {
    const { url } = await startSimulator();
    const request = { model: 'sim-small+fault-tool-call', max_tokens: 100, messages: ask('look it up') };
    const message = await client(url).messages.create(request);
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_sim1', name: 'lookup', input: {} }]);
    expect(message.stop_reason).toBe('tool_use');
    const streamed = await client(url).messages.stream(request).finalMessage();
    expect(streamed.content).toEqual([{ type: 'tool_use', id: 'toolu_sim1', name: 'lookup', input: {} }]);
    expect(streamed.stop_reason).toBe('tool_use');
  });

  it.each([
    ['sim-small+fault-context-length', Anthropic.BadRequestError, 400, 'invalid_request_error'],
    ['sim-small+fault-auth', Anthropic.AuthenticationError, 401, 'authentication_error'],
    ['sim-small+fault-402', Anthropic.PaymentRequiredError, 402, 'billing_error'],
    ['sim-small+fault-403', Anthropic.PermissionDeniedError, 403, 'permission_error'],
    ['no-such-model', Anthropic.NotFoundError, 404, 'not_found_error'],
    ['sim-small+fault-413', Anthropic.ContentTooLargeError, 413, 'request_too_large'],
    ['sim-small+fault-429', Anthropic.RateLimitError, 429, 'rate_limit_error'],
    ['sim-small+fault-500', Anthropic.InternalServerError, 500, 'api_error'],
    ['sim-small+fault-504', Anthropic.GatewayTimeoutError, 504, 'timeout_error'],
    ['sim-small+fault-overloaded', Anthropic.OverloadedError, 529, 'overloaded_error'],
    ['sim-small+fault-529', Anthropic.OverloadedError, 529, 'overloaded_error'],
  ])('%s surfaces as the SDK class for %i %s', async (model, errorClass, status, type) => {
    const { url } = await startSimulator();
    const failed = await client(url)
      .messages.create({ model, max_tokens: 10, messages: ask('hi') })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(errorClass);
    expect((failed as InstanceType<typeof Anthropic.APIError>).status).toBe(status);
    expect((failed as { error: { error: { type: string } } }).error.error.type).toBe(type);
  });

  it('words a prompt over the context window as Anthropic does', async () => {
    const { url } = await startSimulator();
    const failed = await client(url)
      .messages.create({ model: 'sim-small+fault-context-length', max_tokens: 10, messages: ask('hi') })
      .catch((error: unknown) => error as Error);
    expect(String((failed as Error).message)).toMatch(/prompt is too long/);
  });

  it('fails a stream that sends an error event after it started', async () => {
    const { url } = await startSimulator();
    const stream = client(url).messages.stream({
      model: 'sim-small+fault-error-event-after-2',
      max_tokens: 100,
      messages: ask('hello'),
    });
    const failed = await stream.finalMessage().catch((error: unknown) => error as Error);
    expect(failed).toBeInstanceOf(Anthropic.APIError);
    expect(String((failed as Error).message)).toMatch(/overloaded_error|Overloaded/);
  });

  it('takes the key as a bearer token (as the SDK sends it) or in x-api-key', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('claude', { apiKey: 'sk-right' });
    const viaHeader = await fetch(`${url}/claude/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'sk-wrong',
        'anthropic-version': '2026-10-21',
      },
      body: JSON.stringify({ model: 'sim-small', max_tokens: 5, messages: ask('hi') }),
    });
    expect(viaHeader.status).toBe(401);
    expect(simulator.lastRequest('claude')?.headers['x-api-key']).toBe('[redacted]');
  });

  it('checks the credential the SDK sends against the instance key', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('claude', { apiKey: 'sk-right' });
    const failed = await client(`${url}/claude`, 'sk-wrong')
      .messages.create({ model: 'sim-small', max_tokens: 10, messages: ask('hi') })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Anthropic.AuthenticationError);
    const ok = await client(`${url}/claude`, 'sk-right').messages.create({
      model: 'sim-small',
      max_tokens: 10,
      messages: ask('hi'),
    });
    expect(ok.type).toBe('message');
  });
});

describe("the simulator's Messages API refuses what Anthropic refuses", () => {
  const post = (
    url: string,
    body: unknown,
    headers: Record<string, string> = { 'anthropic-version': '2023-06-01' },
  ) =>
    fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', ...headers },
      body: JSON.stringify(body),
    });
  const valid = { model: 'sim-small', max_tokens: 10, messages: ask('hi') };

  it.each([
    ['no anthropic-version header', valid, {}, /anthropic-version/],
    ['an OpenAI field', { ...valid, frequency_penalty: 1 }, undefined, /frequency_penalty: Extra inputs/],
    ['no max_tokens', { model: 'sim-small', messages: ask('hi') }, undefined, /max_tokens/],
    [
      'a system role in messages',
      { ...valid, messages: [{ role: 'system', content: 'x' }] },
      undefined,
      /role/,
    ],
    [
      'an empty text block',
      { ...valid, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] },
      undefined,
      /non-empty/,
    ],
    [
      'an assistant turn first',
      { ...valid, messages: [{ role: 'assistant', content: 'x' }] },
      undefined,
      /first message/,
    ],
    ['an unknown API version', valid, { 'anthropic-version': '2024-01-01' }, /unknown version/],
    [
      'temperature under 2026-10-21',
      { ...valid, temperature: 0.5 },
      { 'anthropic-version': '2026-10-21' },
      /temperature: this parameter is not supported/,
    ],
    [
      'temperature above 1 under 2023-06-01',
      { ...valid, temperature: 1.5 },
      { 'anthropic-version': '2023-06-01' },
      /temperature/,
    ],
  ])('%s → 400 invalid_request_error', async (_name, body, headers, message) => {
    const { url } = await startSimulator();
    const response = await post(url, body, headers);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(json.type).toBe('error');
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.message).toMatch(message);
  });
});
