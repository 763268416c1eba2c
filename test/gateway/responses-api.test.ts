import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

/**
 * POST /v1/responses through the gateway: JSON and the typed event stream passed through, a stream that
 * breaks ending with an `error` event, and continuations pinned to the provider that stored the response.
 */

let simulator: Simulator;
let upstream: Listening;
let gateway: GatewayUnderTest;
let client: OpenAI;

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
  gateway = await startGateway(
    {
      providers: [
        fastProvider('ra', `${upstream.url}/ra/v1`),
        fastProvider('rb', `${upstream.url}/rb/v1`),
        fastProvider('claude', `${upstream.url}/claude`, { type: 'anthropic', apiKey: 'k' }),
      ],
      routes: [
        {
          model: 'conv',
          targets: [
            { provider: 'ra', model: 'sim-small' },
            { provider: 'rb', model: 'sim-small' },
          ],
        },
        {
          model: 'failing-first',
          targets: [
            { provider: 'ra', model: 'sim-small+fault-503' },
            { provider: 'rb', model: 'sim-small' },
          ],
        },
        { model: 'cut', targets: [{ provider: 'ra', model: 'sim-small+fault-cut-after-2' }] },
        { model: 'chat-only', targets: [{ provider: 'claude', model: 'sim-small' }] },
      ],
      retry: { ...fastRetry, maxAttempts: 1 },
      circuitBreaker: { failureThreshold: 1000, recoverySeconds: 5 },
    },
    { realClock: false },
  );
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await gateway.stop();
  simulator.close();
  await upstream.close();
});

const post = (body: Record<string, unknown>) => gateway.post('/v1/responses', body);

/** Reads an SSE body into its events: name and parsed data. */
async function events(
  response: Response,
): Promise<{ event: string | undefined; data: Record<string, unknown> }[]> {
  const text = await response.text();
  expect(text).not.toContain('[DONE]');
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe('POST /v1/responses', () => {
  it('answers the official SDK with a response object after failing over, with usage', async () => {
    const response = await client.responses.create({ model: 'failing-first', input: 'Say hello' });
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    const raw = await post({ model: 'failing-first', input: 'x' });
    expect(raw.headers.get('x-inferwatch-failover')).toBe('ra,rb');
    await raw.json();
  });

  it('passes the typed event stream through to the official SDK, ending at response.completed', async () => {
    const stream = await client.responses.create({
      model: 'failing-first',
      input: 'Say hello',
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text.length).toBeGreaterThan(0);
    const raw = await events(await post({ model: 'failing-first', input: 'x', stream: true }));
    expect(raw.every(({ event, data }) => event === data.type)).toBe(true);
  });

  it('ends a stream cut after it started with an error event, never response.completed', async () => {
    const raw = await events(await post({ model: 'cut', input: 'x', stream: true }));
    expect(raw.map(({ event }) => event)).not.toContain('response.completed');
    expect(raw.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', code: 'stream_cut' } });
  });

  it('sends a continuation to the provider that stored the response, and never fails it over', async () => {
    simulator.setFaults('ra', { mode: 'server_error' });
    const first = await post({ model: 'conv', input: 'remember this' });
    expect(first.headers.get('x-inferwatch-provider')).toBe('rb');
    const { id } = (await first.json()) as { id: string };

    // ra is healthy again and first in the chain, but does not hold the conversation.
    simulator.setFaults('ra', { mode: 'ok' });
    const next = await client.responses.create({
      model: 'conv',
      input: 'and now?',
      previous_response_id: id,
    });
    expect(next.previous_response_id).toBe(id);
    const raw = await post({ model: 'conv', input: 'again', previous_response_id: id, stream: true });
    expect(raw.headers.get('x-inferwatch-provider')).toBe('rb');
    await raw.text();

    simulator.setFaults('rb', { mode: 'server_error' });
    try {
      const failed = await post({ model: 'conv', input: 'and now?', previous_response_id: id });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(failed.headers.get('x-inferwatch-failover')).toBe('rb');
      const body = (await failed.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/stored at provider 'rb'.*never failed over/);
    } finally {
      simulator.setFaults('rb', { mode: 'ok' });
    }
  });

  it("sends a continuation of a response it does not know to the route's first target only", async () => {
    const response = await post({ model: 'conv', input: 'x', previous_response_id: 'resp_unknown' });
    // The first target does not hold it and says so; the gateway does not try the next one.
    expect(response.status).toBe(400);
    expect(response.headers.get('x-inferwatch-failover')).toBe('ra');
    expect(await response.json()).toMatchObject({ error: { code: 'previous_response_not_found' } });
  });

  it('answers 404 for a model routed only to targets that cannot serve the Responses API', async () => {
    const response = await post({ model: 'chat-only', input: 'x' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'model_not_found' } });
  });

  it.each([
    ['no input', { model: 'conv' }, 'input'],
    ['a numeric input', { model: 'conv', input: 5 }, 'input'],
    [
      'a malformed previous_response_id',
      { model: 'conv', input: 'x', previous_response_id: 'a b' },
      'previous_response_id',
    ],
    ['a string stream', { model: 'conv', input: 'x', stream: 'yes' }, 'stream'],
  ])('refuses %s with an OpenAI-shaped 400', async (_name, body, param) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param } });
  });
});
