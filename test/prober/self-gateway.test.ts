import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { type Listening, listen } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';

// `baseURL: self`: the model probe goes through this process's own gateway (resolved once it listens).
let simulator: Simulator;
let upstream: Listening;
let runtime: Runtime;
let listening: Listening;

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 5, tokensPerSecond: 0 });
  upstream = await listen(simulator.app);
  const config = parseConfig({
    server: { port: 0, apiKeys: ['gateway-key'] },
    analyzer: { enabled: false },
    store: { path: ':memory:' },
    providers: [{ name: 'sim', baseURL: `${upstream.url}/v1` }],
    routes: [{ model: '*', targets: [{ provider: 'sim' }] }],
    prober: {
      intervalSeconds: 3600,
      targets: [{ name: 'via-gateway', model: { baseURL: 'self', model: 'sim-small', maxTokens: 20 } }],
    },
  });
  runtime = createRuntime({
    config,
    role: 'start',
    only: ['gateway', 'prober', 'api'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  listening = await runtime.listen({ port: 0 });
});

afterAll(async () => {
  await runtime.stop();
  simulator.close();
  await upstream.close();
});

describe('model probe of the gateway itself', () => {
  it('reaches the upstream through the gateway with the first server API key', async () => {
    const res = await fetch(`${listening.url}/api/probes/via-gateway/run`, {
      method: 'POST',
      headers: { authorization: 'Bearer gateway-key' },
    });
    const result = (await res.json()) as { ttftMs: number };
    expect(result).toMatchObject({
      target: 'via-gateway',
      kind: 'model',
      success: true,
      done: true,
      state: 'up',
    });
    expect(result.ttftMs).toBeGreaterThan(0);
    expect(simulator.stats('default')).toMatchObject({ requests: 1 });
  });
});
