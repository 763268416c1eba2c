import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { fastProvider, fastRetry, type GatewayUnderTest, sseData, startGateway } from './harness.ts';

/**
 * Embeddings and text completions through the gateway: the same chain as chat over the targets that
 * serve them, with failover, OpenAI-shaped refusals and telemetry per operation.
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
        fastProvider('oai', `${upstream.url}/oai/v1`),
        fastProvider('backup', `${upstream.url}/backup/v1`),
        fastProvider('azure', `${upstream.url}/azure`, {
          type: 'azure_openai',
          apiKey: 'az',
          azure: { apiVersion: '2024-10-21' },
        }),
        fastProvider('claude', `${upstream.url}/claude`, { type: 'anthropic', apiKey: 'k' }),
      ],
      routes: [
        { model: 'embed', targets: [{ provider: 'oai', model: 'sim-small' }] },
        {
          model: 'embed-failover',
          targets: [
            { provider: 'oai', model: 'sim-small+fault-500' },
            { provider: 'azure', model: 'sim-small' },
          ],
        },
        {
          // Chat goes to Claude, embeddings to the OpenAI-compatible target that is declared for them.
          model: 'mixed',
          targets: [
            { provider: 'claude', model: 'sim-small' },
            { provider: 'backup', model: 'sim-small', operations: ['embeddings'] },
          ],
        },
        { model: 'chat-only', targets: [{ provider: 'claude', model: 'sim-small' }] },
        {
          model: 'text',
          targets: [
            { provider: 'oai', model: 'sim-small+fault-503' },
            { provider: 'backup', model: 'sim-small' },
          ],
        },
        { model: 'text-cut', targets: [{ provider: 'oai', model: 'sim-small+fault-cut-after-2' }] },
      ],
      retry: { ...fastRetry, maxAttempts: 1 },
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

describe('POST /v1/embeddings', () => {
  it('embeds a batch with the official SDK (base64 on the wire, as it asks) and reports input tokens', async () => {
    const result = await client.embeddings.create({ model: 'embed', input: ['first text', 'second text'] });
    expect(result.data.map((item) => item.index)).toEqual([0, 1]);
    expect(result.data[0]?.embedding).toHaveLength(8);
    expect(Math.hypot(...(result.data[0]?.embedding ?? []))).toBeCloseTo(1, 5);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect(simulator.lastRequest('oai')?.body).toMatchObject({ encoding_format: 'base64' });
  });

  it('passes encoding_format float and dimensions through untouched', async () => {
    const response = await gateway.post('/v1/embeddings', {
      model: 'embed',
      input: 'one',
      encoding_format: 'float',
      dimensions: 4,
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { data: { embedding: number[] }[] };
    expect(json.data[0]?.embedding).toHaveLength(4);
    expect(simulator.lastRequest('oai')?.body).toEqual({
      model: 'sim-small',
      input: 'one',
      encoding_format: 'float',
      dimensions: 4,
    });
  });

  it('fails over to an Azure OpenAI deployment when the first target fails', async () => {
    const response = await gateway.post('/v1/embeddings', { model: 'embed-failover', input: 'x' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-failover')).toBe('oai,azure');
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(1);
  });

  it('sends embeddings only to the targets that serve them, and chat only to the others', async () => {
    const embedded = await gateway.post('/v1/embeddings', { model: 'mixed', input: 'x' });
    expect(embedded.headers.get('x-inferwatch-provider')).toBe('backup');
    await embedded.json();
    const chat = await client.chat.completions.create({
      model: 'mixed',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(chat.id).toMatch(/^msg_/);
  });

  it('answers 404 for a model routed only to chat targets, saying why', async () => {
    const response = await gateway.post('/v1/embeddings', { model: 'chat-only', input: 'x' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { code: 'model_not_found', param: 'model', message: expect.stringMatching(/\/v1\/embeddings/) },
    });
  });

  it.each([
    ['no input', { model: 'embed' }, 'input'],
    ['an empty list', { model: 'embed', input: [] }, 'input'],
    ['an empty string', { model: 'embed', input: '' }, 'input'],
    ['mixed items', { model: 'embed', input: ['a', 1] }, 'input'],
    ['an unknown encoding', { model: 'embed', input: 'a', encoding_format: 'hex' }, 'encoding_format'],
    ['stream', { model: 'embed', input: 'a', stream: true }, 'stream'],
    ['no model', { input: 'a' }, 'model'],
  ])('refuses %s with an OpenAI-shaped 400 naming the parameter', async (_name, body, param) => {
    const response = await gateway.post('/v1/embeddings', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param } });
  });

  it('records the attempt as gen_ai.operation.name embeddings, with its input tokens', async () => {
    await client.embeddings.create({ model: 'embed', input: 'count me' });
    const metrics = await gateway.telemetry.collectMetrics();
    const usage = metrics.find((metric) => metric.descriptor.name === 'gen_ai.client.token.usage');
    const points = usage?.dataPoints.filter(
      (point) => point.attributes['gen_ai.operation.name'] === 'embeddings',
    );
    expect(points?.some((point) => point.attributes['gen_ai.token.type'] === 'input')).toBe(true);
    const span = gateway.telemetry.spans().find((item) => item.name === 'embeddings sim-small');
    expect(span?.attributes['gen_ai.operation.name']).toBe('embeddings');
  });
});

describe('POST /v1/completions', () => {
  it('completes a prompt with the official SDK after failing over', async () => {
    const completion = await client.completions.create({ model: 'text', prompt: 'Say hello' });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams a completion with the official SDK, ending in [DONE]', async () => {
    const stream = await client.completions.create({ model: 'text', prompt: 'Say hello', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text.length).toBeGreaterThan(0);
    const raw = await gateway.post('/v1/completions', { model: 'text', prompt: 'x', stream: true });
    expect(raw.headers.get('x-inferwatch-failover')).toBe('oai,backup');
    expect((await sseData(raw)).at(-1)).toBe('[DONE]');
  });

  it('ends a stream cut after it started with an error event, never [DONE]', async () => {
    const response = await gateway.post('/v1/completions', { model: 'text-cut', prompt: 'x', stream: true });
    const data = await sseData(response);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1) ?? '{}')).toMatchObject({ error: { code: 'stream_cut' } });
  });

  it('refuses a missing prompt with an OpenAI-shaped 400', async () => {
    const response = await gateway.post('/v1/completions', { model: 'text' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'prompt' } });
  });

  it('records text_completion as the operation', async () => {
    await client.completions.create({ model: 'text', prompt: 'x' });
    const span = gateway.telemetry.spans().find((item) => item.name === 'text_completion sim-small');
    expect(span?.attributes['gen_ai.operation.name']).toBe('text_completion');
  });
});
