import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { chatBody, fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

let upstream: SimulatedUpstream;
/** The 40 distinct 256-character names of the /api/providers test. */
const distinctNames = Array.from(
  { length: 40 },
  (_, index) => `${String(index).padStart(3, '0')}${'x'.repeat(253)}`,
);
const servedNames = ['m', 'n'.repeat(256), '😀'.repeat(256), ...distinctNames];
let gateway: GatewayUnderTest;

// A `*` route passes any client model name through: every new name would become per-target state, a span
// name and a metric label, so the gateway bounds what it accepts.
beforeAll(async () => {
  // It serves exactly the names the gateway should let through; any other answers 404 model_not_found.
  upstream = await startSimulatedUpstream({ models: servedNames });
  gateway = await startGateway({
    providers: [fastProvider('primary', upstream.baseURL)],
    routes: [{ model: '*', targets: [{ provider: 'primary' }] }],
    retry: fastRetry,
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

const providersBody = async () => {
  const response = await fetch(`${gateway.url}/api/providers`);
  const text = await response.text();
  const body = JSON.parse(text) as { data: { targets: { model: string }[] }[] };
  return { bytes: text.length, targets: body.data.flatMap((provider) => provider.targets) };
};

describe('model names are bounded before they become keys or labels', () => {
  it.each(['/v1/chat/completions', '/api/chat'])(
    '%s: a name over 256 characters is a 400 naming the limit; nothing upstream, no new target',
    async (path) => {
      const before = { requests: upstream.stats.requests, targets: (await providersBody()).targets.length };
      for (const length of [257, 100_000]) {
        const response = await gateway.post(path, chatBody('m'.repeat(length)));
        expect(response.status).toBe(400);
        const { error } = (await response.json()) as {
          error: { code: string; param: string; message: string };
        };
        expect(error).toMatchObject({ code: 'invalid_value', param: 'model' });
        expect(error.message).toContain('256');
        // The refusal does not echo the name back.
        expect(error.message.length).toBeLessThan(200);
      }
      expect(upstream.stats.requests).toBe(before.requests);
      expect((await providersBody()).targets.length).toBe(before.targets);
    },
  );

  it('a name of exactly 256 characters is served, counted as characters (code points), not UTF-16 units', async () => {
    expect((await gateway.post('/v1/chat/completions', chatBody('n'.repeat(256)))).status).toBe(200);
    expect((await gateway.post('/v1/chat/completions', chatBody('😀'.repeat(256)))).status).toBe(200);
    expect((await gateway.post('/v1/chat/completions', chatBody('😀'.repeat(257)))).status).toBe(400);
  });

  it.each([
    ['a newline', 'gpt-4o\nlevel=error forged'],
    ['a NUL byte', 'gpt\u0000'],
    ['an escape sequence', 'gpt\u001b[31m'],
  ])('a name with %s is a 400', async (_name, model) => {
    const response = await gateway.post('/v1/chat/completions', chatBody(model));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_value', param: 'model' } });
  });

  it('/api/providers stays proportional to the bounded names: 40 distinct 256-character names add < 40 KB', async () => {
    const before = await providersBody();
    for (const model of distinctNames) {
      expect((await gateway.post('/v1/chat/completions', chatBody(model))).status).toBe(200);
    }
    const after = await providersBody();
    expect(after.targets.length).toBe(before.targets.length + 40);
    expect(after.bytes - before.bytes).toBeLessThan(40 * 1024);
  });
});
