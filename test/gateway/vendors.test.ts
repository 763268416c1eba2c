import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  sseData,
  startGateway,
} from './harness.ts';

/**
 * The gateway in front of upstreams of three wire protocols, all played by the simulator: an
 * OpenAI-compatible one, Anthropic's Messages API and Azure OpenAI (by deployment and by its v1 API).
 * Clients speak OpenAI throughout and cannot tell which vendor answered.
 */

let simulator: Simulator;
let upstream: Listening;
let gateway: GatewayUnderTest;
let client: OpenAI;

/**
 * Faults an upstream may show before anything reached the client; each must fail over across vendors, in
 * both directions. (A malformed JSON answer is one; a malformed stream event comes after the first
 * content, when the stream is the client's already.)
 */
const failoverFaults = ['429', '500', '529', 'overloaded', 'reset', 'auth', 'cut-after-0'];

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
  simulator.setFaults('azdep', { apiKey: 'az-key' });
  simulator.setFaults('azv1', { apiKey: 'entra-token' });
  simulator.setFaults('claude', { apiKey: 'sk-ant' });
  gateway = await startGateway(
    {
      providers: [
        fastProvider('oai', `${upstream.url}/oai/v1`),
        fastProvider('claude', `${upstream.url}/claude`, {
          type: 'anthropic',
          apiKey: 'sk-ant',
          anthropic: { defaultMaxTokens: 333 },
        }),
        fastProvider('azure-dep', `${upstream.url}/azdep`, {
          type: 'azure_openai',
          apiKey: 'az-key',
          azure: { apiVersion: '2024-10-21' },
        }),
        fastProvider('azure-v1', `${upstream.url}/azv1`, {
          type: 'azure_openai',
          apiKey: 'entra-token',
          azure: { auth: 'bearer' },
        }),
      ],
      routes: [
        ...failoverFaults.flatMap((fault) => [
          {
            model: `to-claude-${fault}`,
            targets: [
              { provider: 'oai', model: `sim-small+fault-${fault}` },
              { provider: 'claude', model: 'sim-small' },
            ],
          },
          {
            model: `from-claude-${fault}`,
            targets: [
              { provider: 'claude', model: `sim-small+fault-${fault}` },
              { provider: 'oai', model: 'sim-small' },
            ],
          },
        ]),
        {
          model: 'mid-chain',
          targets: [
            { provider: 'oai', model: 'sim-small+fault-500' },
            { provider: 'claude', model: 'sim-small+fault-529' },
            { provider: 'azure-dep', model: 'sim-small' },
          ],
        },
        { model: 'claude', targets: [{ provider: 'claude', model: 'sim-small' }] },
        { model: 'claude-tools', targets: [{ provider: 'claude', model: 'sim-small+fault-tool-call' }] },
        {
          model: 'claude-broken-off',
          targets: [
            { provider: 'claude', model: 'sim-small+fault-error-event-after-2' },
            { provider: 'oai', model: 'sim-small' },
          ],
        },
        {
          model: 'claude-malformed',
          targets: [
            { provider: 'claude', model: 'sim-small+fault-malformed' },
            { provider: 'oai', model: 'sim-small' },
          ],
        },
        {
          model: 'claude-context',
          targets: [{ provider: 'claude', model: 'sim-small+fault-context-length' }],
        },
        { model: 'azure-dep', targets: [{ provider: 'azure-dep', model: 'sim-small' }] },
        { model: 'azure-v1', targets: [{ provider: 'azure-v1', model: 'sim-small' }] },
        { model: '*', targets: [{ provider: 'azure-dep' }] },
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

describe('an Anthropic upstream behind the OpenAI API', () => {
  it('answers the official openai SDK with a chat completion translated from a Messages answer', async () => {
    const completion = await client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      stop: ['never-in-the-answer'],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^msg_/);
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
    // What reached the upstream is a Messages request: system on top, max_tokens supplied, its headers.
    const sent = simulator.lastRequest('claude');
    expect(sent?.body).toMatchObject({
      model: 'sim-small',
      system: 'Be brief.',
      max_tokens: 333,
      stop_sequences: ['never-in-the-answer'],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    });
    expect(sent?.headers['anthropic-version']).toBe('2026-10-21');
  });

  it('streams chunks translated from the Messages event stream, with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: (string | null | undefined)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finishes).toEqual(['stop']);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it.each([false, true])('maps a tool call both ways (stream %s)', async (stream) => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
      },
    ];
    const response = await gateway.post('/v1/chat/completions', chatBody('claude-tools', { tools, stream }));
    expect(response.status).toBe(200);
    expect(simulator.lastRequest('claude')?.body).toMatchObject({
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} } }],
    });
    if (!stream) {
      expect(await response.json()).toMatchObject({
        choices: [
          {
            finish_reason: 'tool_calls',
            message: { tool_calls: [{ id: 'toolu_sim1', type: 'function', function: { name: 'lookup' } }] },
          },
        ],
      });
      return;
    }
    const chunks = (await sseData(response))
      .filter((data) => data !== '[DONE]')
      .map((data) => JSON.parse(data));
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? [])[0]).toMatchObject({
      index: 0,
      id: 'toolu_sim1',
      function: { name: 'lookup' },
    });
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  // Both streams break after content reached the client, so the default resumption continues them on the
  // route's OpenAI target; how each Anthropic failure is classified is covered by the provider's own tests.
  it('resumes a stream that Anthropic broke off with an error event on the next vendor: one finish, [DONE]', async () => {
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody('claude-broken-off', { stream: true }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-provider')).toBe('claude');
    const data = await sseData(response);
    expect(data.at(-1)).toBe('[DONE]');
    const finishes = data
      .slice(0, -1)
      .map((item) => JSON.parse(item).choices?.[0]?.finish_reason)
      .filter(Boolean);
    expect(finishes).toEqual(['stop']);
  });

  it('fails over from a malformed Messages answer, and resumes a stream whose event is malformed', async () => {
    const json = await gateway.post('/v1/chat/completions', chatBody('claude-malformed'));
    expect(json.headers.get('x-inferwatch-failover')).toBe('claude,oai');
    await json.json();
    const stream = await gateway.post('/v1/chat/completions', chatBody('claude-malformed', { stream: true }));
    expect(stream.headers.get('x-inferwatch-provider')).toBe('claude');
    const data = await sseData(stream);
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.some((item) => item.includes('"error"'))).toBe(false);
  });

  it('passes a client error back in OpenAI shape, worded as Anthropic worded it', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('claude-context'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringMatching(/prompt is too long/) },
    });
  });

  it('refuses a request the Messages API cannot answer faithfully, naming the field', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('claude', { n: 2 }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'unsupported_by_provider', param: 'n' },
    });
  });
});

describe.each([false, true])('failover across vendors (stream %s)', (stream) => {
  it.each(failoverFaults)('OpenAI-compatible → Anthropic on %s', async (fault) => {
    const response = await gateway.post('/v1/chat/completions', chatBody(`to-claude-${fault}`, { stream }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-failover')).toBe('oai,claude');
    if (stream) expect((await sseData(response)).at(-1)).toBe('[DONE]');
    else expect(await response.json()).toMatchObject({ id: expect.stringMatching(/^msg_/) });
  });

  it.each(failoverFaults)('Anthropic → OpenAI-compatible on %s', async (fault) => {
    const response = await gateway.post('/v1/chat/completions', chatBody(`from-claude-${fault}`, { stream }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-failover')).toBe('claude,oai');
    if (stream) expect((await sseData(response)).at(-1)).toBe('[DONE]');
    else expect(await response.json()).toMatchObject({ id: expect.stringMatching(/^chatcmpl-/) });
  });

  it('OpenAI-compatible → Anthropic → Azure OpenAI, mid-chain', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('mid-chain', { stream }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-failover')).toBe('oai,claude,azure-dep');
    if (stream) expect((await sseData(response)).at(-1)).toBe('[DONE]');
    else await response.json();
  });
});

describe('Azure OpenAI upstreams', () => {
  it.each([
    ['azure-dep', 'a deployment URL with api-version and the api-key header'],
    ['azure-v1', 'the v1 API with a bearer token'],
  ])('%s: %s', async (model) => {
    const completion = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });

  it('maps a filtered answer to finish_reason content_filter', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim-small+fault-content-filtered',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('content_filter');
  });

  it("sends the client's model as the deployment when the route target names none", async () => {
    const completion = await client.chat.completions.create({
      model: 'sim-small+fault-tool-call',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });
});
