import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import type { Envelope, IncidentEvent, ProbeResultEvent } from '../../src/events/index.ts';
import type { Listening } from '../../src/http/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry, type TestTelemetry } from '../../src/telemetry/testing.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';

let fake: SimulatedUpstream;
let flaky: Server;
let flakyURL: string;
let healthy = true;
let runtime: Runtime;
let listening: Listening;
let telemetry: TestTelemetry;
const logLines: Record<string, unknown>[] = [];
const events: Envelope[] = [];

beforeAll(async () => {
  fake = await startSimulatedUpstream();
  flaky = createServer((_req, res) => res.writeHead(healthy ? 200 : 503).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
  flakyURL = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/health`;
  const config = parseConfig({
    server: { port: 0 },
    store: { path: ':memory:' },
    providers: [{ name: 'fake', baseURL: fake.baseURL, apiKey: 'sk-fake' }],
    prober: {
      region: 'eu-test-1',
      intervalSeconds: 3600, // the scheduler stays out of the way: these tests run probes through the API
      failureThreshold: 2,
      recoveryThreshold: 2,
      targets: [
        { name: 'flaky', http: { url: flakyURL, conditions: ['[BODY].status == ok'] } },
        {
          name: 'chat',
          ttftThresholdMs: 60_000,
          model: {
            provider: 'fake',
            model: 'sim-small',
            canary: { prompt: 'Reply with exactly: 42', expect: { exact: '42' } },
          },
        },
      ],
    },
  });
  const destination = new PassThrough();
  destination.on('data', (line: Buffer) => {
    for (const text of line.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(text));
  });
  telemetry = createTestTelemetry();
  runtime = createRuntime({ config, role: 'probe', logger: createLogger({ destination }), telemetry });
  runtime.context.bus.subscribe('*', (event) => events.push(event));
  listening = await runtime.listen({ port: 0 });
});

afterAll(async () => {
  await runtime.stop();
  flaky.closeAllConnections();
  await new Promise((resolve) => flaky.close(resolve));
  await fake.close();
});

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field below
const getJson = async (path: string): Promise<any> => (await fetch(`${listening.url}${path}`)).json();

const run = async (name: string) => {
  const res = await fetch(`${listening.url}/api/probes/${name}/run`, { method: 'POST' });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
};

describe('prober component', () => {
  it('runs a model probe through the API, marking it synthetic, with TTFT and a passing canary', async () => {
    const result = await run('chat');
    expect(result).toMatchObject({
      target: 'chat',
      kind: 'model',
      success: true,
      canaryPassed: true,
      state: 'up',
      region: 'eu-test-1',
      done: true,
    });
    expect(fake.last?.headers['x-inferwatch-synthetic']).toBe('1');
  });

  it('calls a target down after 2 failures and up after 2 successes, with probe_result and incident events', async () => {
    healthy = true;
    await run('flaky');
    healthy = false;
    expect((await run('flaky')).state).toBe('up');
    expect(await run('flaky')).toMatchObject({ state: 'down', errorType: 'server_error', statusCode: 503 });
    healthy = true;
    expect((await run('flaky')).state).toBe('down');
    expect((await run('flaky')).state).toBe('up');
    const results = events.filter(
      (e): e is Envelope<ProbeResultEvent> => e.type === 'probe_result' && e.target === 'flaky',
    );
    expect(results.map((e) => e.state)).toEqual(['up', 'up', 'down', 'down', 'up']);
    const incidents = events.filter(
      (e): e is Envelope<IncidentEvent> => e.type === 'incident' && e.subject === 'flaky',
    );
    expect(incidents.map((e) => [e.kind, e.severity])).toEqual([
      ['probe_down', 'critical'],
      ['probe_up', 'info'],
    ]);
    // Incidents land in the store through the bus, so /api/incidents serves them too.
    const stored = await getJson('/api/incidents?type=probe_down');
    expect(stored.data[0]).toMatchObject({ subject: 'flaky', severity: 'critical' });
  });

  it('serves state and newest-first history from SQLite', async () => {
    const list = await getJson('/api/probes');
    expect(list.region).toBe('eu-test-1');
    expect(list.data.map((t: { name: string; state: string }) => [t.name, t.state])).toEqual([
      ['flaky', 'up'],
      ['chat', 'up'],
    ]);
    const detail = await getJson('/api/probes/flaky?limit=3');
    expect(detail.history.map((r: { state: string }) => r.state)).toEqual(['up', 'down', 'down']);
    expect((await fetch(`${listening.url}/api/probes/nope`)).status).toBe(404);
    expect((await fetch(`${listening.url}/api/probes/flaky?limit=0`)).status).toBe(400);
  });

  it('writes one structured log line per result without prompt text', () => {
    const lines = logLines.filter((line) => line.msg === 'probe result');
    expect(lines.length).toBe(6);
    expect(lines.find((line) => line.target === 'chat')).toMatchObject({
      kind: 'model',
      region: 'eu-test-1',
      model: 'sim-small',
      success: true,
      statusCode: 200,
    });
    expect(typeof lines.find((line) => line.target === 'chat')?.ttftMs).toBe('number');
    expect(JSON.stringify(logLines)).not.toContain('Reply with exactly');
  });

  it('records blackbox-style and GenAI metrics with inferwatch.probe.target, inferwatch.probe.kind and error.type', async () => {
    const metrics = await telemetry.collectMetrics();
    const points = (name: string) => metrics.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
    const attrs = (name: string) => points(name).map((p) => p.attributes);
    expect(attrs('probe_success')).toEqual(
      expect.arrayContaining([
        { 'inferwatch.probe.target': 'flaky', 'inferwatch.probe.kind': 'http' },
        { 'inferwatch.probe.target': 'chat', 'inferwatch.probe.kind': 'model' },
      ]),
    );
    expect(attrs('probe_runs')).toEqual(
      expect.arrayContaining([
        {
          'inferwatch.probe.target': 'flaky',
          'inferwatch.probe.kind': 'http',
          'inferwatch.outcome': 'error',
          'error.type': 'server_error',
        },
        {
          'inferwatch.probe.target': 'flaky',
          'inferwatch.probe.kind': 'http',
          'inferwatch.outcome': 'success',
        },
      ]),
    );
    const errors = points('probe_runs').find((p) => p.attributes['error.type'] === 'server_error');
    expect(errors?.value).toBe(2);
    expect(attrs('probe_http_duration').map((a) => a['inferwatch.probe.phase'])).toEqual(
      expect.arrayContaining(['resolve', 'connect', 'processing', 'transfer']),
    );
    expect(
      points('probe_target_up').find((p) => p.attributes['inferwatch.probe.target'] === 'flaky')?.value,
    ).toBe(1);
    expect(
      points('probe_http_status_code').find((p) => p.attributes['inferwatch.probe.target'] === 'flaky')
        ?.value,
    ).toBe(200);
    for (const name of [
      'probe_duration',
      'probe_model_time_to_first_token',
      'probe_model_output_tokens',
      'probe_canary_success',
    ]) {
      expect(points(name).length, name).toBeGreaterThan(0);
    }
    expect(attrs('gen_ai.client.operation.duration')).toEqual([
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'inferwatch.provider.name': 'fake',
        'gen_ai.request.model': 'sim-small',
        'server.address': '127.0.0.1',
        'server.port': expect.any(Number),
        'inferwatch.synthetic': true,
      },
    ]);
    expect(points('gen_ai.client.operation.time_to_first_chunk')).toHaveLength(1);
    expect(
      attrs('gen_ai.client.token.usage')
        .map((a) => a['gen_ai.token.type'])
        .sort(),
    ).toEqual(['input', 'output']);
  });

  it('summarises states for /api/metrics', async () => {
    const summary = await getJson('/api/metrics');
    expect(summary.prober).toEqual({
      region: 'eu-test-1',
      targets: 2,
      up: 2,
      degraded: 0,
      down: 0,
      unknown: 0,
    });
  });
});

describe('POST /api/probes/:name/run while the process stops', () => {
  it('answers 503 prober_stopping and stores no failure for the cut-short check', async () => {
    const hanging = createServer(() => {}); // accepts, never answers: the check is in flight when stop() comes
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    const stopping = createRuntime({
      config: parseConfig({
        server: { port: 0 },
        store: { path: ':memory:' },
        prober: { intervalSeconds: 3600, targets: [{ name: 'slow', http: { url, timeoutMs: 30_000 } }] },
      }),
      role: 'probe',
      logger: createLogger({ destination: new PassThrough() }),
      telemetry: createTestTelemetry(),
    });
    const results: Envelope[] = [];
    stopping.context.bus.subscribe('probe_result', (event) => results.push(event));
    const { url: base } = await stopping.listen({ port: 0 });
    try {
      const answer = fetch(`${base}/api/probes/slow/run`, { method: 'POST' });
      await new Promise((resolve) => hanging.once('connection', resolve));
      await stopping.stop();
      const response = await answer;
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: 'prober_stopping' } });
      expect(results).toEqual([]);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});
