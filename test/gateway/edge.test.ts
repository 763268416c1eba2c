import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { chatBody, fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

let upstream: SimulatedUpstream;
let gateway: GatewayUnderTest;
const key = { authorization: 'Bearer sk-gateway-1' };

beforeAll(async () => {
  upstream = await startSimulatedUpstream({ models: ['m'] });
  gateway = await startGateway({
    server: { apiKeys: ['sk-gateway-1', 'sk-gateway-2'], maxBodyBytes: 10_000 },
    analyzer: { enabled: false },
    providers: [fastProvider('primary', upstream.baseURL)],
    routes: [{ model: 'known', targets: [{ provider: 'primary', model: 'm' }] }],
    retry: fastRetry,
    rateLimit: { requests: 100, windowSeconds: 60 },
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; type: string; message: string } }).error;

describe('bad input gets a clear OpenAI-shaped error and the server stays up', () => {
  it.each([
    ['no key', {}, 401, 'invalid_api_key'],
    ['a wrong key', { authorization: 'Bearer sk-nope' }, 401, 'invalid_api_key'],
  ])('%s is refused', async (_name, headers, status, code) => {
    const response = await gateway.post('/v1/chat/completions', chatBody('known'), headers);
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toMatchObject({ code, type: 'authentication_error' });
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const response = await gateway.post('/v1/chat/completions', '{"model": "known", "messages": [', {
      ...key,
      'x-api-key': 'x',
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_json', type: 'invalid_request_error' });
  });

  it('missing model or messages → 400 naming the parameter', async () => {
    const noModel = await gateway.post('/v1/chat/completions', { messages: [] }, key);
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toMatchObject({ error: { param: 'model' } });
    const noMessages = await gateway.post('/v1/chat/completions', { model: 'known' }, key);
    expect(await noMessages.json()).toMatchObject({ error: { param: 'messages' } });
  });

  it.each([
    ['a string', 'true'],
    ['an object', {}],
    ['a number', 1],
  ])(
    'stream as %s → 400 invalid_type, never a JSON answer to a client waiting for SSE',
    async (_name, stream) => {
      const before = upstream.stats.requests;
      for (const path of ['/v1/chat/completions', '/api/chat']) {
        const response = await gateway.post(path, chatBody('known', { stream }), key);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: { code: 'invalid_type', param: 'stream' } });
      }
      expect(upstream.stats.requests).toBe(before);
    },
  );

  it('stream: null reads as false, as OpenAI reads it', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('known', { stream: null }), key);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('a body over server.maxBodyBytes → 413 body_too_large', async () => {
    const huge = chatBody('known', { padding: 'x'.repeat(20_000) });
    const response = await gateway.post('/v1/chat/completions', huge, key);
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ code: 'body_too_large' });
  });

  it('an unknown model → 404 model_not_found', async () => {
    const before = upstream.stats.requests;
    const response = await gateway.post('/v1/chat/completions', chatBody('nope'), {
      authorization: 'Bearer sk-gateway-2',
    });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: 'model_not_found' });
    expect(upstream.stats.requests).toBe(before);
  });

  it('still serves after all of the above', async () => {
    const response = await gateway.post('/v1/chat/completions', chatBody('known'), {
      authorization: 'Bearer sk-gateway-2',
    });
    expect(response.status).toBe(200);
  });
});

describe('rate limiting per API key', () => {
  it('refuses with 429 and Retry-After once a key used its window, counting the refusals', async () => {
    const limited = await startGateway({
      server: { apiKeys: ['sk-a', 'sk-b'] },
      analyzer: { enabled: false },
      providers: [fastProvider('primary', upstream.baseURL)],
      routes: [{ model: 'known', targets: [{ provider: 'primary', model: 'm' }] }],
      rateLimit: { requests: 2, windowSeconds: 60 },
    });
    try {
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      for (let i = 0; i < 2; i += 1) {
        expect((await limited.post('/v1/chat/completions', chatBody('known'), as('sk-a'))).status).toBe(200);
      }
      const refused = await limited.post('/v1/chat/completions', chatBody('known'), as('sk-a'));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await errorOf(refused)).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
      // Another key has its own window.
      expect((await limited.post('/v1/chat/completions', chatBody('known'), as('sk-b'))).status).toBe(200);
      const metrics = await limited.telemetry.collectMetrics();
      const refusals = metrics.find((metric) => metric.descriptor.name === 'inferwatch.gateway.rate_limited');
      expect(refusals?.dataPoints[0]?.value).toBe(1);
    } finally {
      await limited.stop();
    }
  });

  it('limits per client IP when no key is presented', async () => {
    const open = await startGateway({
      providers: [fastProvider('primary', upstream.baseURL)],
      routes: [{ model: 'known', targets: [{ provider: 'primary', model: 'm' }] }],
      rateLimit: { requests: 1, windowSeconds: 60 },
    });
    try {
      expect((await open.post('/v1/chat/completions', chatBody('known'))).status).toBe(200);
      expect((await open.post('/v1/chat/completions', chatBody('known'))).status).toBe(429);
    } finally {
      await open.stop();
    }
  });
});
