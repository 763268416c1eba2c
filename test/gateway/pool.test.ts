import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../src/http/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import {
  chatBody,
  fastProvider,
  type GatewayUnderTest,
  metricPoints,
  sseData,
  startGateway,
} from './harness.ts';

let simulator: Simulator;
let upstream: Listening;
const lines: Record<string, unknown>[] = [];
const gateways: GatewayUnderTest[] = [];

const patient = { timeouts: { connectMs: 1_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 30_000 } };

async function gatewayWithCap(maxConnections: number, extra: Record<string, unknown> = {}) {
  const logger = createLogger({
    level: 'warn',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  });
  const gateway = await startGateway(
    {
      providers: [fastProvider('capped', `${upstream.url}/capped/v1`, { ...patient, maxConnections })],
      routes: [{ model: '*', targets: [{ provider: 'capped' }] }],
      ...extra,
    },
    { logger },
  );
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
  upstream = await listen(simulator.app, { port: 0 });
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  simulator.close();
  await upstream.close();
});

interface ProviderRow {
  name: string;
  inFlight: number;
  queued: number;
  maxConnections: number | null;
  state: string;
}
const providerRow = async (gateway: GatewayUnderTest): Promise<ProviderRow | undefined> => {
  const body = (await (await fetch(`${gateway.url}/api/providers`)).json()) as { data: ProviderRow[] };
  return body.data.find((row) => row.name === 'capped');
};

describe('a configured request cap (maxConnections)', () => {
  it('has none by default: /api/providers says so and nothing waits', async () => {
    const gateway = await startGateway({
      providers: [fastProvider('capped', `${upstream.url}/capped/v1`, patient)],
      routes: [{ model: '*', targets: [{ provider: 'capped' }] }],
    });
    gateways.push(gateway);
    // Twelve tokens 400 ms apart: every stream is still in flight when the last one has started.
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        gateway.post('/v1/chat/completions', chatBody('sim-small+fault-slow-tokens-400', { stream: true })),
      ),
    );
    expect(await providerRow(gateway)).toMatchObject({ maxConnections: null, queued: 0, inFlight: 20 });
    await Promise.all(replies.map((reply) => sseData(reply)));
    expect(await metricPoints(gateway, 'inferwatch.gateway.pool.wait')).toEqual([]);
  });

  it('queues beyond the cap and shows the wait: /api/providers, histogram, span, one warning', async () => {
    const gateway = await gatewayWithCap(2);
    const stream = () =>
      gateway.post('/v1/chat/completions', chatBody('sim-small+fault-slow-tokens-50', { stream: true }));
    const replies = [stream(), stream(), stream(), stream()];
    await expect
      .poll(() => providerRow(gateway), { timeout: 5_000 })
      .toMatchObject({ maxConnections: 2, inFlight: 2, queued: 2 });
    const bodies = await Promise.all(replies.map(async (reply) => sseData(await reply)));
    for (const data of bodies) expect(data.at(-1)).toBe('[DONE]');
    expect(await providerRow(gateway)).toMatchObject({ inFlight: 0, queued: 0 });

    const [wait] = (await metricPoints(
      gateway,
      'inferwatch.gateway.pool.wait',
    )) as HistogramMetricData['dataPoints'];
    expect(wait?.attributes).toEqual({
      'inferwatch.provider.name': 'capped',
      'gen_ai.provider.name': 'openai',
    });
    expect(wait?.value.count).toBe(4);
    // Two waited for a whole answer (twelve tokens 50 ms apart) to free a slot.
    expect(wait?.value.sum).toBeGreaterThan(2 * 0.4);
    const waits = gateway.telemetry
      .spans()
      .filter((span) => span.kind === SpanKind.CLIENT)
      .map((span) => span.attributes['inferwatch.pool.wait_ms'] as number)
      .sort((a, b) => a - b);
    expect(waits).toHaveLength(4);
    expect(waits.slice(0, 2).every((ms) => ms < 50)).toBe(true);
    expect(waits.slice(2).every((ms) => ms > 400)).toBe(true);
    // The wait is the gateway's, not the provider's: the upstream durations stay one answer long.
    const durations = (await metricPoints(
      gateway,
      'gen_ai.client.operation.duration',
    )) as HistogramMetricData['dataPoints'];
    expect(durations[0]?.value.max).toBeLessThan(0.55 + 0.4);

    await Promise.all([stream(), stream(), stream()].map(async (reply) => sseData(await reply)));
    const warnings = lines.filter((line) => String(line.msg).includes("'capped' are waiting for a slot"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', provider: 'capped', maxConnections: 2 });
  });

  it('fails a request whose deadline passes while it waits, clearly, without blaming the provider', async () => {
    const gateway = await gatewayWithCap(1, {
      retry: { maxAttempts: 1, deadlineMs: 300 },
      circuitBreaker: { failureThreshold: 1 },
    });
    // A started stream holds the only slot for 1.2 s (its deadline no longer applies once it streams).
    const holder = await gateway.post(
      '/v1/chat/completions',
      chatBody('sim-small+fault-slow-tokens-100', { stream: true }),
    );
    const started = performance.now();
    const waiting = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    const waitedMs = performance.now() - started;
    expect(waiting.status).toBe(504);
    const error = ((await waiting.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('queue_timeout');
    expect(error.message).toMatch(/waited \d+ ms for one of the 1 request slots to provider 'capped'/);
    expect(waitedMs).toBeGreaterThanOrEqual(280);
    expect(waitedMs).toBeLessThan(1_100);
    expect((await sseData(holder)).at(-1)).toBe('[DONE]');
    // Our own cap was full: the breaker (one failure opens it here) stays closed.
    expect(await providerRow(gateway)).toMatchObject({ state: 'closed', queued: 0 });
    const attempts = await metricPoints(gateway, 'inferwatch.gateway.attempts');
    expect(attempts.map((point) => point.attributes['error.type'])).toContain('queue_timeout');
  });
});
