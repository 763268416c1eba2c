import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { executable, requireTools } from '../required-tools.ts';
import { fastProvider, fastRetry, type GatewayUnderTest, startGateway } from './harness.ts';

const python = '.build/venv/bin/python';
const hasVenv = requireTools([
  executable('the Python venv with the openai SDK', python, 'run scripts/setup.sh to create it'),
]);

let simulator: Simulator;
let upstream: Listening;
let gateway: GatewayUnderTest;

beforeAll(async () => {
  if (!hasVenv) return;
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
  gateway = await startGateway({
    server: { apiKeys: ['sk-test'] },
    analyzer: { enabled: false },
    providers: [
      fastProvider('sim', `${upstream.url}/primary/v1`),
      fastProvider('claude', `${upstream.url}/claude`, { type: 'anthropic', apiKey: 'k' }),
      fastProvider('azure', `${upstream.url}/azure`, {
        type: 'azure_openai',
        apiKey: 'k',
        azure: { apiVersion: '2024-10-21' },
      }),
    ],
    routes: [
      { model: 'claude', targets: [{ provider: 'claude', model: 'sim-small' }] },
      { model: 'azure', targets: [{ provider: 'azure', model: 'sim-small' }] },
      { model: 'embed', targets: [{ provider: 'sim', model: 'sim-small' }] },
    ],
    retry: fastRetry,
  });
});
afterAll(async () => {
  if (!hasVenv) return;
  await gateway.stop();
  simulator.close();
  await upstream.close();
});

describe.skipIf(!hasVenv)('the official Python openai SDK on the other endpoints and vendors', () => {
  it('chats with Anthropic and Azure OpenAI upstreams, embeds, completes text and uses the Responses API', async () => {
    const { stdout } = await promisify(execFile)(
      python,
      ['test/gateway/python/endpoints_client.py', `${gateway.url}/v1`],
      { timeout: 30_000 },
    );
    const seen = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    for (const vendor of ['claude', 'azure']) {
      expect(String(seen[vendor]?.text).length).toBeGreaterThan(0);
      expect(seen[vendor]?.finish).toBe('stop');
      expect(seen[vendor]?.stream_text).toBe(seen[vendor]?.text);
      expect(seen[vendor]?.stream_usage).toBeGreaterThan(0);
    }
    expect(seen.embeddings).toEqual({ count: 2, dimensions: 8, prompt_tokens: expect.any(Number) });
    expect(seen.embeddings_on_chat_only).toEqual({ status: 404, code: 'model_not_found' });
    expect(String(seen.completions?.text).length).toBeGreaterThan(0);
    expect(seen.completions?.stream_text).toBe(seen.completions?.text);
    expect(String(seen.responses?.text).length).toBeGreaterThan(0);
    expect(seen.responses).toMatchObject({
      first_event: 'response.created',
      last_event: 'response.completed',
      follow_up_previous: true,
    });
  });
});
