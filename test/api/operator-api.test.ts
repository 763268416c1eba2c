import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '../../src/config/index.ts';
import type { IncidentKind } from '../../src/events/index.ts';
import type { Listening } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';

let runtime: Runtime | undefined;
let listening: Listening | undefined;

async function start(config: Record<string, unknown> = {}) {
  runtime = createRuntime({
    config: parseConfig({ store: { path: ':memory:' }, ...config }),
    role: 'start',
    only: ['api'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  listening = await runtime.listen({ port: 0 });
  return { runtime, url: listening.url };
}

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

describe('operator API', () => {
  it('answers liveness and readiness, and security headers on every response', async () => {
    const { url } = await start();
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
  });

  it('stores incidents published on the bus and lists them newest first, filtered by type', async () => {
    const { runtime, url } = await start();
    const publish = (id: string, kind: IncidentKind) =>
      runtime.context.bus.publish({
        type: 'incident',
        id,
        kind,
        severity: 'warning',
        title: id,
        subject: 'sim-a',
        detail: { n: 1 },
      });
    publish('one', 'circuit_open');
    publish('two', 'failover');
    publish('three', 'circuit_open');
    const all = (await (await fetch(`${url}/api/incidents?limit=2`)).json()) as { data: { id: string }[] };
    expect(all.data.map((incident) => incident.id)).toEqual(['three', 'two']);
    const open = (await (await fetch(`${url}/api/incidents?type=circuit_open`)).json()) as {
      data: { id: string }[];
    };
    expect(open.data.map((incident) => incident.id)).toEqual(['three', 'one']);
    // Sentinel-Ops names select the kinds they cover.
    publish('four', 'probe_down');
    const ids = async (type: string) =>
      (
        (await (await fetch(`${url}/api/incidents?type=${type}`)).json()) as { data: { id: string }[] }
      ).data.map((incident) => incident.id);
    expect(await ids('failover_triggered')).toEqual(['two']);
    expect(await ids('outage')).toEqual(['four', 'three', 'one']);
    expect(await ids('recovery')).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['type=%3Cscript%3E', 'type'],
  ])('rejects /api/incidents?%s with an OpenAI-shaped 400', async (query, param) => {
    const { url } = await start();
    const response = await fetch(`${url}/api/incidents?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param } });
  });

  it('requires an API key on the operator API when keys are configured, but not on /health', async () => {
    const { url } = await start({ server: { apiKeys: ['k-1'] }, analyzer: { enabled: false } });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const denied = await fetch(`${url}/api/incidents`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect((await fetch(`${url}/api/incidents`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await fetch(`${url}/api/incidents`, { headers: { authorization: 'Bearer k-1' } })).status).toBe(
      200,
    );
  });

  it('streams bus events over /ws/events, replaying recent ones to a new client', async () => {
    const { runtime, url } = await start();
    runtime.context.bus.publish({ type: 'heartbeat' });
    const socket = new WebSocket(`${url.replace('http', 'ws')}/ws/events`);
    const received: { type: string; seq: number }[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    runtime.context.bus.publish({
      type: 'failover',
      traceId: 't',
      requestedModel: 'm',
      from: 'a',
      to: 'b',
      reason: 'server_error',
      chain: ['a', 'b'],
      count: 1,
    });
    await expect.poll(() => received.map((event) => event.type)).toEqual(['heartbeat', 'failover']);
    expect(received[1]!.seq).toBeGreaterThan(received[0]!.seq);
    socket.close();
  });

  it('refuses the WebSocket without a key when keys are configured', async () => {
    const { url } = await start({ server: { apiKeys: ['k-1'] }, analyzer: { enabled: false } });
    const socket = new WebSocket(`${url.replace('http', 'ws')}/ws/events`);
    const status = await new Promise<number>((resolve) =>
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    const allowed = new WebSocket(`${url.replace('http', 'ws')}/ws/events?token=k-1`);
    await new Promise((resolve, reject) => {
      allowed.once('open', resolve);
      allowed.once('error', reject);
    });
    allowed.close();
  });
});

describe('unknown methods', () => {
  it('answers 405 with an Allow header when the path exists under another method', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/incidents`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    expect((await fetch(`${url}/no/such/path`, { method: 'DELETE' })).status).toBe(404);
  });
});
