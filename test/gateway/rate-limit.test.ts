import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import { captureLines } from '../security/capture.ts';
import { chatBody, fastProvider, type GatewayUnderTest, startGateway } from './harness.ts';

let upstream: SimulatedUpstream;
const running: GatewayUnderTest[] = [];

beforeAll(async () => {
  upstream = await startSimulatedUpstream();
});
afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.stop()));
  await upstream.close();
});

async function gatewayWith(extra: Record<string, unknown>, options: Parameters<typeof startGateway>[1] = {}) {
  const gateway = await startGateway(
    {
      providers: [fastProvider('primary', upstream.baseURL)],
      routes: [{ model: 'known', targets: [{ provider: 'primary', model: 'sim-small' }] }],
      ...extra,
    },
    options,
  );
  running.push(gateway);
  return gateway;
}

const statuses = async (gateway: GatewayUnderTest, headers: () => Record<string, string>, count: number) => {
  const out: number[] = [];
  for (let index = 0; index < count; index += 1) {
    out.push((await gateway.post('/v1/chat/completions', chatBody('known'), headers())).status);
  }
  return out;
};

const refusals = async (gateway: GatewayUnderTest) =>
  (await gateway.telemetry.collectMetrics()).find(
    (metric) => metric.descriptor.name === 'inferwatch.gateway.rate_limited',
  )?.dataPoints ?? [];

describe('rate limiting without apiKeys (open mode)', () => {
  it('keys on the client address: a new random bearer token per request does not escape the limit', async () => {
    const gateway = await gatewayWith({ rateLimit: { requests: 3, windowSeconds: 60 } });
    const random = () => ({ authorization: `Bearer ${randomBytes(32).toString('hex')}` });
    expect(await statuses(gateway, random, 6)).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('behind a trusted proxy, each forwarded client address has its own window', async () => {
    const gateway = await gatewayWith({
      server: { trustProxy: true },
      rateLimit: { requests: 1, windowSeconds: 60 },
    });
    const from = (ip: string) => () => ({ 'x-forwarded-for': ip });
    expect(await statuses(gateway, from('203.0.113.7'), 2)).toEqual([200, 429]);
    expect(await statuses(gateway, from('2001:db8::9'), 2)).toEqual([200, 429]);
  });

  it('forwarded values that are not addresses share one window (an 8 KB header cannot become a table key)', async () => {
    const gateway = await gatewayWith({
      server: { trustProxy: true },
      rateLimit: { requests: 2, windowSeconds: 60 },
    });
    const junk = () => ({ 'x-forwarded-for': randomBytes(4_000).toString('hex') });
    expect(await statuses(gateway, junk, 4)).toEqual([200, 200, 429, 429]);
  });
});

describe('rate limiting with apiKeys', () => {
  it('keys on the configured key, whatever address it comes from', async () => {
    const gateway = await gatewayWith({
      server: { apiKeys: ['sk-a', 'sk-b'], trustProxy: true },
      analyzer: { enabled: false },
      rateLimit: { requests: 2, windowSeconds: 60 },
    });
    const addresses = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
    const keyA = () => ({ authorization: 'Bearer sk-a', 'x-forwarded-for': addresses.shift() ?? '' });
    expect(await statuses(gateway, keyA, 3)).toEqual([200, 200, 429]);
    expect(await statuses(gateway, () => ({ 'x-api-key': 'sk-b' }), 1)).toEqual([200]);
  });
});

describe("the limiter's table is bounded", () => {
  it('past rateLimit.maxClients, new clients share one window; the metric and a warning say so', async () => {
    const log = captureLines();
    const gateway = await gatewayWith(
      { server: { trustProxy: true }, rateLimit: { requests: 2, windowSeconds: 60, maxClients: 3 } },
      { logger: createLogger({ level: 'info', destination: log.stream }) },
    );
    const from = (ip: string) => () => ({ 'x-forwarded-for': ip });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      expect(await statuses(gateway, from(ip), 1)).toEqual([200]);
    }
    // Three tracked clients: everyone new shares one window of 2 requests.
    const shared = [];
    for (let index = 10; index < 14; index += 1)
      shared.push(...(await statuses(gateway, from(`192.0.2.${index}`), 1)));
    expect(shared).toEqual([200, 200, 429, 429]);
    // Tracked clients keep their own windows.
    expect(await statuses(gateway, from('192.0.2.1'), 2)).toEqual([200, 429]);
    const points = await refusals(gateway);
    const byBucket = Object.fromEntries(
      points.map((point) => [String(point.attributes['inferwatch.rate_limit.bucket']), point.value]),
    );
    expect(byBucket).toEqual({ shared: 2, client: 1 });
    expect(log.text()).toContain('rate limiter is tracking rateLimit.maxClients');
  });
});
