import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createEventBus } from '../../src/events/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { listen } from '../../src/http/index.ts';
import { createProvider } from '../../src/providers/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { chatBody, fastRetry, type GatewayUnderTest, primaryThenBackup, startGateway } from './harness.ts';

let primary: SimulatedUpstream;
let backup: SimulatedUpstream;
let strict: GatewayUnderTest;
let lenient: GatewayUnderTest;

/** `{"n":{"n":…{}…}}` nested `depth` objects deep, built as text (building the value would recurse). */
const nestedObject = (depth: number) => `${'{"n":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
/** A chat body `depth` levels deep: body, messages, a message, then an extra field nested the rest. */
const bodyWithDepth = (depth: number) =>
  `{"model":"m","messages":[{"role":"user","content":"hi","extra":${nestedObject(depth - 3)}}]}`;

const breakerStates = async (gateway: GatewayUnderTest) => {
  const body = (await (await fetch(`${gateway.url}/api/providers`)).json()) as {
    data: { name: string; state: string; targets: { state: string }[] }[];
  };
  return body.data.flatMap((provider) => [provider.state, ...provider.targets.map((target) => target.state)]);
};

beforeAll(async () => {
  primary = await startSimulatedUpstream();
  backup = await startSimulatedUpstream();
  const common = {
    ...primaryThenBackup(primary, backup, {
      model: 'm',
      primaryModel: 'sim-small',
      backupModel: 'sim-large',
    }),
    retry: fastRetry,
    // One counted failure would open a breaker: nothing below may count.
    circuitBreaker: { failureThreshold: 1, minimumRequests: 1, recoverySeconds: 60 },
  };
  strict = await startGateway(common);
  // A depth limit far above what the call stack survives, so a body reaches serialisation and fails there:
  // a real local failure (RangeError), not a simulated one.
  lenient = await startGateway({ ...common, server: { maxJsonDepth: 100_000 } });
});
afterAll(async () => {
  await Promise.all([strict.stop(), lenient.stop()]);
  await Promise.all([primary.close(), backup.close()]);
});

describe('JSON nesting depth', () => {
  it.each(['/v1/chat/completions', '/api/chat'])(
    '%s: a body nested ~6,000 levels is a 400 json_too_deep; no upstream is called',
    async (path) => {
      const before = primary.stats.requests + backup.stats.requests;
      const response = await strict.post(path, bodyWithDepth(6_000));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'json_too_deep', type: 'invalid_request_error' },
      });
      expect(primary.stats.requests + backup.stats.requests).toBe(before);
      expect(await breakerStates(strict)).not.toContain('open');
    },
  );

  it('the default limit (64) lets 64 levels through and refuses 65', async () => {
    expect((await strict.post('/v1/chat/completions', bodyWithDepth(64))).status).toBe(200);
    const deeper = await strict.post('/v1/chat/completions', bodyWithDepth(65));
    expect(deeper.status).toBe(400);
    expect(((await deeper.json()) as { error: { message: string } }).error.message).toMatch(/64/);
  });

  it('brackets inside strings do not count as nesting', async () => {
    const text = '[['.repeat(200);
    const response = await strict.post('/v1/chat/completions', chatBody('m', { metadata: { text } }));
    expect(response.status).toBe(200);
  });
});

describe('a local failure never counts against a provider', () => {
  it('a RangeError while serialising the request → 500 internal_error; no retry, no failover, breakers closed', async () => {
    const before = { primary: primary.stats.requests, backup: backup.stats.requests };
    for (const path of ['/v1/chat/completions', '/api/chat']) {
      for (let round = 0; round < 3; round += 1) {
        const response = await lenient.post(path, bodyWithDepth(20_000));
        expect(response.status).toBe(500);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('internal_error');
        // Our own failure: the text must not blame an upstream nor leak the exception.
        expect(body.error.message).not.toMatch(/upstream|RangeError|stack/i);
        expect(response.headers.get('x-inferwatch-failover') ?? '').not.toContain('backup');
      }
    }
    expect(primary.stats.requests).toBe(before.primary);
    expect(backup.stats.requests).toBe(before.backup);
    expect(await breakerStates(lenient)).toEqual(['closed', 'closed', 'closed', 'closed']);
    // The attempts are recorded as internal, never as a network class.
    const attempts = (await lenient.telemetry.collectMetrics()).find(
      (metric) => metric.descriptor.name === 'inferwatch.gateway.attempts',
    );
    const classes = attempts?.dataPoints.map((point) => point.attributes['error.type']) ?? [];
    expect(classes).toContain('internal');
    expect(classes).not.toContain('connection_reset');

    const next = await lenient.post('/v1/chat/completions', chatBody('m'));
    expect(next.status).toBe(200);
    expect(next.headers.get('x-inferwatch-provider')).toBe('primary');
  });

  it('the same body streamed → 500 internal_error before any byte, breakers closed', async () => {
    const response = await lenient.post(
      '/v1/chat/completions',
      bodyWithDepth(20_000).replace('"model":"m"', '"model":"m","stream":true'),
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'internal_error' } });
    expect(await breakerStates(lenient)).not.toContain('open');
  });
});

describe('a provider call that throws', () => {
  it('settles as internal: 500, no failover to the next target, breakers closed, the permit released', async () => {
    const config = parseConfig({
      store: { path: ':memory:' },
      ...primaryThenBackup(primary, backup, {
        model: 'm',
        primaryModel: 'sim-small',
        backupModel: 'sim-small',
      }),
      retry: fastRetry,
      circuitBreaker: { failureThreshold: 1, minimumRequests: 1, halfOpenMaxRequests: 1 },
    });
    let throwing = true;
    // The real provider, with its calls made to throw as a bug in our own code would (a rejected promise).
    const gateway = createGateway({
      config,
      telemetry: createTestTelemetry(),
      bus: createEventBus(),
      createProvider: (provider, options) => {
        const real = createProvider(provider, options);
        const bug = () => Promise.reject(new RangeError('Invalid array length'));
        return {
          ...real,
          complete: (call) => (throwing ? bug() : real.complete(call)),
          stream: (call) => (throwing ? bug() : real.stream(call)),
        };
      },
    });
    const app = express();
    if (gateway.router) app.use(gateway.router);
    const server = await listen(app);
    try {
      const before = backup.stats.requests;
      for (const stream of [false, true, false]) {
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(chatBody('m', { stream })),
        });
        expect(response.status).toBe(500);
        expect(await response.json()).toMatchObject({ error: { code: 'internal_error' } });
      }
      expect(backup.stats.requests).toBe(before);
      const providers = (await (await fetch(`${server.url}/api/providers`)).json()) as {
        data: { state: string; inFlight: number }[];
      };
      expect(providers.data.map((provider) => [provider.state, provider.inFlight])).toEqual([
        ['closed', 0],
        ['closed', 0],
      ]);
      throwing = false;
      const next = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatBody('m')),
      });
      expect(next.status).toBe(200);
      expect(next.headers.get('x-inferwatch-provider')).toBe('primary');
    } finally {
      await gateway.stop?.();
      await server.close();
    }
  });
});
