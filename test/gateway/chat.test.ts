import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  sseData,
  startGateway,
} from './harness.ts';

let upstream: SimulatedUpstream;
let gateway: GatewayUnderTest;

beforeAll(async () => {
  upstream = await startSimulatedUpstream({
    defaultReply: 'Hello from primary',
    models: ['fake-renamed', 'fake-small-v1', 'm', 'x'],
  });
  gateway = await startGateway({
    providers: [
      fastProvider('primary', upstream.baseURL, {
        apiKey: 'sk-upstream',
        headers: { 'x-team': 'core' },
        models: { 'gpt-small': 'fake-small-v1' },
      }),
    ],
    routes: [
      { model: 'renamed', targets: [{ provider: 'primary', model: 'fake-renamed' }] },
      { model: '*', targets: [{ provider: 'primary' }] },
    ],
    retry: fastRetry,
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

describe('POST /v1/chat/completions', () => {
  it('answers JSON with the model that answered and the routing headers', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('renamed'));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; choices: { message: { content: string } }[] };
    expect(body.model).toBe('fake-renamed');
    expect(body.choices[0]?.message.content).toBe('Hello from primary');
    expect(response.headers.get('x-inferwatch-provider')).toBe('primary');
    expect(response.headers.get('x-inferwatch-failover')).toBe('primary');
    expect(response.headers.get('x-inferwatch-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('passes unknown fields through, rewrites the model and sends key, extra headers and traceparent', async () => {
    // The upstream answers 401 to any other key, so a 200 proves the provider's key went out.
    upstream.setFaults({ apiKey: 'sk-upstream' });
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody('gpt-small', { seed: 7, custom_field: { a: 1 } }),
      {
        'x-request-id': 'req-123',
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-123');
    expect(upstream.last?.body).toMatchObject({ model: 'fake-small-v1', seed: 7, custom_field: { a: 1 } });
    upstream.setFaults(undefined);
    expect(upstream.last?.headers.authorization).toBe('[redacted]');
    expect(upstream.last?.headers['x-team']).toBe('core');
    const traceId = response.headers.get('x-inferwatch-trace-id');
    expect(upstream.last?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('accepts a slow answer as long as its body keeps arriving within idleMs', async () => {
    // Four pieces 150 ms apart: 600 ms in all, never 300 ms (idleMs) of silence.
    const response = await gateway.post('/v1/chat/completions', chatBody('m+fault-trickle-150'));
    expect(upstream.last?.body).toMatchObject({ model: 'm+fault-trickle-150' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe('m+fault-trickle-150');
  });

  it('continues an incoming W3C trace', async () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await gateway.post('/v1/chat/completions', chatBody('x'), { traceparent: parent });
    expect(response.headers.get('x-inferwatch-trace-id')).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('streams SSE chunks and ends with [DONE], forwarding usage when the upstream sends it', async () => {
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody('x', { stream: true, stream_options: { include_usage: true } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(response.headers.get('x-inferwatch-provider')).toBe('primary');
    const data = await sseData(response);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data
      .slice(0, -1)
      .map((item) => JSON.parse(item) as { choices: { delta?: { content?: string } }[]; usage?: unknown });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('Hello from primary');
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 });
  });
});

describe('GET /v1/models and POST /api/chat', () => {
  it('lists route and mapped models, and what the * route provider lists, in the OpenAI list shape', async () => {
    const body = (await (await fetch(`${gateway.url}/v1/models`)).json()) as {
      object: string;
      data: { id: string }[];
    };
    expect(body.object).toBe('list');
    // The upstream's own GET /models adds what it serves: the * route passes any name through to it.
    expect(body.data.map((model) => model.id).sort()).toEqual([
      'fake-renamed',
      'fake-small-v1',
      'gpt-small',
      'm',
      'renamed',
      'x',
    ]);
  });

  it('spells the outcome out for simple clients', async () => {
    const response = await gateway.post('/api/chat', { model: 'renamed', message: 'hello' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      provider_used: 'primary',
      model: 'fake-renamed',
      response_text: 'Hello from primary',
      status: 'success',
      failover_occurred: false,
      failover_chain: [],
      tokens_used: 4,
    });
    expect(body.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof body.latency_ms).toBe('number');
  });

  it('lists providers with breaker state, latency and success ratio', async () => {
    const body = (await (await fetch(`${gateway.url}/api/providers`)).json()) as {
      data: {
        name: string;
        state: string;
        successRatio: number;
        targets: { model: string; state: string; count: number }[];
      }[];
    };
    const primary = body.data.find((provider) => provider.name === 'primary');
    expect(primary?.state).toBe('closed');
    expect(primary?.successRatio).toBe(1);
    expect(primary?.targets.find((target) => target.model === 'fake-renamed')?.count).toBeGreaterThan(0);
  });

  it('probes a provider on demand', async () => {
    const response = await gateway.post('/api/providers/primary/probe', {});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ provider: 'primary', ok: true });
    expect((await gateway.post('/api/providers/nope/probe', {})).status).toBe(404);
  });
});

describe('with telemetry off (no SDK registered)', () => {
  it('still returns a real trace id and propagates it upstream', async () => {
    const { createTelemetry } = await import('../../src/telemetry/index.ts');
    const { parseConfig } = await import('../../src/config/index.ts');
    const { createRuntime } = await import('../../src/runtime/index.ts');
    const { silentLogger } = await import('../../src/log/index.ts');
    const runtime = createRuntime({
      config: parseConfig({
        store: { path: ':memory:' },
        providers: [fastProvider('primary', upstream.baseURL)],
        routes: [{ model: '*', targets: [{ provider: 'primary' }] }],
      }),
      role: 'gateway',
      only: ['gateway'],
      logger: silentLogger,
      telemetry: createTelemetry(),
    });
    const { url } = await runtime.listen({ port: 0 });
    try {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatBody('m')),
      });
      const traceId = response.headers.get('x-inferwatch-trace-id');
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(traceId).not.toBe('0'.repeat(32));
      expect(upstream.last?.headers.traceparent).toContain(String(traceId));
    } finally {
      await runtime.stop();
    }
  });
});
