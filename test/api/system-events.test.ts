import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';

let runtime: Runtime | undefined;

async function start(config: Record<string, unknown> = {}) {
  runtime = createRuntime({
    config: parseConfig({ store: { path: ':memory:' }, ...config }),
    role: 'start',
    only: ['api'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  const listening = await runtime.listen({ port: 0 });
  return { runtime, ws: listening.url.replace('http', 'ws') };
}

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function connect(url: string) {
  const socket = new WebSocket(url);
  const received: { event_type: string; payload: Record<string, unknown> }[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  await expect.poll(() => received.length).toBeGreaterThan(0);
  return { socket, received };
}

describe('WS /ws/system-events (Sentinel-Ops shape)', () => {
  it('authenticates like /ws/events: 401 without the key, the token query parameter works', async () => {
    const { ws } = await start({ server: { apiKeys: ['k-1'] }, analyzer: { enabled: false } });
    const refused = new WebSocket(`${ws}/ws/system-events`);
    const status = await new Promise<number>((resolve) =>
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    const { socket, received } = await connect(`${ws}/ws/system-events?token=k-1`);
    expect(received[0]).toMatchObject({ event_type: 'system', payload: { status: 'connected' } });
    socket.close();
  });

  it('sends heartbeat, incident and metrics (with each provider) as {event_type, payload}, and nothing else', async () => {
    const { runtime, ws } = await start();
    const { socket, received } = await connect(`${ws}/ws/system-events`);
    const bus = runtime.context.bus;
    bus.publish({ type: 'heartbeat' });
    bus.publish({
      type: 'probe_result',
      target: 't',
      kind: 'http',
      region: 'r',
      success: true,
      state: 'up',
      latencyMs: 3,
    });
    bus.publish({
      type: 'incident',
      id: 'i-1',
      kind: 'probe_up',
      severity: 'info',
      title: 't is up',
      subject: 't',
      detail: {},
    });
    bus.publish({
      type: 'metrics',
      requests: 4,
      errors: 1,
      failovers: 1,
      p50Ms: 10,
      p99Ms: 20,
      successes: 3,
      avgLatencyMs: 12.5,
      activeProvider: 'backup',
      providers: {
        primary: { status: 'down', latencyMs: null, successRatePct: 0, breakerState: 'open' },
        backup: { status: 'healthy', latencyMs: 12, successRatePct: 100, breakerState: 'closed' },
      },
    });
    await expect.poll(() => received.length).toBe(6);
    const [, heartbeat, incident, metrics, primary, backup] = received;
    expect(heartbeat).toEqual({
      event_type: 'heartbeat',
      payload: { timestamp: expect.any(String), instance: runtime.context.instance },
    });
    expect(incident).toMatchObject({
      event_type: 'incident',
      payload: { id: 'i-1', incident_type: 'recovery', kind: 'probe_up', severity: 'info' },
    });
    expect(metrics).toMatchObject({
      event_type: 'metrics',
      payload: {
        total_requests: 4,
        total_successes: 3,
        total_failures: 1,
        total_failovers: 1,
        avg_latency_ms: 12.5,
        active_provider: 'backup',
      },
    });
    expect(primary).toMatchObject({
      event_type: 'provider_status',
      payload: { provider: 'primary', status: 'down', circuit_breaker: { state: 'open' } },
    });
    expect(backup).toMatchObject({
      event_type: 'provider_status',
      payload: { provider: 'backup', status: 'healthy', latency_ms: 12, success_rate_pct: 100 },
    });
    socket.close();
  });

  it('greets a new client with the latest summary after the system message', async () => {
    const { runtime, ws } = await start();
    runtime.context.bus.publish({
      type: 'metrics',
      requests: 1,
      errors: 0,
      failovers: 0,
      p50Ms: 1,
      p99Ms: 1,
      providers: { only: { status: 'healthy', latencyMs: 1, successRatePct: 100, breakerState: 'closed' } },
    });
    const { socket, received } = await connect(`${ws}/ws/system-events`);
    await expect
      .poll(() => received.map((message) => message.event_type))
      .toEqual(['system', 'metrics', 'provider_status']);
    socket.close();
  });
});
