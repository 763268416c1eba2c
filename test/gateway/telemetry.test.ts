import { SpanKind, type Tracer } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createEventBus } from '../../src/events/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import {
  chatBody,
  fastRetry,
  type GatewayUnderTest,
  primaryThenBackup,
  sseData,
  startGateway,
} from './harness.ts';

let upstreams: SimulatedUpstream[] = [];
let gateway: GatewayUnderTest | undefined;

async function setup(options: { captureContent?: boolean; breaker?: Record<string, unknown> } = {}) {
  const models = ['p-model', 'b-model'];
  const primary = await startSimulatedUpstream({ models, defaultReply: 'Hello from primary' });
  const backup = await startSimulatedUpstream({ models, defaultReply: 'Hello from backup' });
  upstreams = [primary, backup];
  gateway = await startGateway(
    {
      ...primaryThenBackup(primary, backup, {
        model: 'chat',
        primaryModel: 'p-model',
        backupModel: 'b-model',
      }),
      retry: { ...fastRetry, maxAttempts: 1 },
      ...(options.breaker ? { circuitBreaker: options.breaker } : {}),
    },
    { realClock: false, ...(options.captureContent ? { captureContent: true } : {}) },
  );
  return { primary, backup, gateway };
}

afterEach(async () => {
  await gateway?.stop();
  await Promise.all(upstreams.map((upstream) => upstream.close()));
  gateway = undefined;
  upstreams = [];
});

describe('gateway telemetry', () => {
  it('records a SERVER span with one CLIENT span per attempt, GenAI attributes and a failover event', async () => {
    const { primary, gateway } = await setup();
    primary.setFaults({ mode: 'server_error' });
    const response = await gateway.post('/v1/chat/completions', chatBody('chat'));
    expect(response.status).toBe(200);
    const spans = gateway.telemetry.spans();
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    expect(server?.name).toBe('POST /v1/chat/completions');
    expect(server?.spanContext().traceId).toBe(response.headers.get('x-inferwatch-trace-id'));
    expect(server?.events.map((event) => event.name)).toContain('inferwatch.failover');
    const clients = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(clients.map((span) => span.name)).toEqual(['chat p-model', 'chat b-model']);
    for (const span of clients) expect(span.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(clients[0]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'inferwatch.provider.name': 'primary',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(primary.baseURL).port),
      'gen_ai.request.model': 'p-model',
      'error.type': 'server_error',
      'inferwatch.attempt': 1,
    });
    expect(clients[1]?.attributes).toMatchObject({
      'inferwatch.provider.name': 'backup',
      'gen_ai.response.model': 'b-model',
      'gen_ai.usage.input_tokens': 1,
      'gen_ai.usage.output_tokens': 3,
    });
    expect(clients[1]?.attributes['error.type']).toBeUndefined();
    // Content is off by default.
    expect(Object.keys(clients[1]?.attributes ?? {}).some((key) => key.includes('messages'))).toBe(false);
  });

  it('puts a breaker transition on the span of the request that caused it', async () => {
    const { primary, gateway } = await setup({ breaker: { failureThreshold: 1, recoverySeconds: 30 } });
    primary.setFaults({ mode: 'server_error' });
    expect((await gateway.post('/v1/chat/completions', chatBody('chat'))).status).toBe(200);
    const transitions = (traceId: string | null) =>
      gateway.telemetry
        .spans()
        .filter((span) => span.kind === SpanKind.SERVER && span.spanContext().traceId === traceId)
        .flatMap((span) => span.events.filter((event) => event.name === 'inferwatch.circuit.transition'))
        .map((event) => event.attributes ?? {});
    const opening = await gateway.post('/v1/chat/completions', chatBody('chat'));
    // The first request opened the breaker (threshold 1): its span says so, with the target and reason.
    const [firstTrace] = gateway.telemetry
      .spans()
      .filter((span) => span.kind === SpanKind.SERVER)
      .map((span) => span.spanContext().traceId);
    expect(transitions(firstTrace ?? null)).toEqual([
      expect.objectContaining({
        'inferwatch.target': 'primary/p-model',
        'inferwatch.circuit.from_state': 'closed',
        'inferwatch.circuit.to_state': 'open',
        'inferwatch.reason': '1 consecutive failures',
      }),
    ]);
    // The next one found it open and moved on: no transition of its own.
    expect(transitions(opening.headers.get('x-inferwatch-trace-id'))).toEqual([]);
    // Once the recovery time has passed, the request that finds the breaker half-open carries that move.
    primary.setFaults();
    gateway.clock.now += 31_000;
    const trial = await gateway.post('/v1/chat/completions', chatBody('chat'));
    expect(trial.headers.get('x-inferwatch-provider')).toBe('primary');
    expect(
      transitions(trial.headers.get('x-inferwatch-trace-id')).map(
        (event) => `${event['inferwatch.circuit.from_state']}>${event['inferwatch.circuit.to_state']}`,
      ),
    ).toEqual(['open>half_open', 'half_open>closed']);
  });

  it("takes a stream's response model from the first chunk that names one (Azure's first does not)", async () => {
    const { primary, gateway } = await setup();
    primary.setFaults({ modelFaults: ['azure-preamble'] });
    const response = await gateway.post('/v1/chat/completions', chatBody('chat', { stream: true }));
    expect((await sseData(response)).at(-1)).toBe('[DONE]');
    const client = gateway.telemetry.spans().find((span) => span.kind === SpanKind.CLIENT);
    expect(client?.attributes['gen_ai.response.model']).toBe('p-model');
  });

  it('emits the GenAI and gateway metrics with bounded labels', async () => {
    const { primary, gateway } = await setup();
    primary.setFaults({ mode: 'server_error' });
    await gateway.post('/v1/chat/completions', chatBody('chat'));
    await sseData(await gateway.post('/v1/chat/completions', chatBody('chat', { stream: true })));
    const metrics = await gateway.telemetry.collectMetrics();
    const byName = (name: string) => metrics.find((metric) => metric.descriptor.name === name);
    const duration = byName('gen_ai.client.operation.duration');
    expect(duration?.dataPoints.map((point) => point.attributes)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ 'inferwatch.provider.name': 'primary', 'error.type': 'server_error' }),
        expect.objectContaining({ 'inferwatch.provider.name': 'backup', 'gen_ai.response.model': 'b-model' }),
      ]),
    );
    expect(byName('gen_ai.client.operation.time_to_first_chunk')?.dataPoints.length).toBeGreaterThan(0);
    const tokens = byName('gen_ai.client.token.usage')?.dataPoints.map(
      (point) => point.attributes['gen_ai.token.type'],
    );
    expect(tokens).toEqual(expect.arrayContaining(['input', 'output']));
    const failovers = byName('inferwatch.gateway.failovers');
    expect(failovers?.dataPoints[0]).toMatchObject({
      attributes: {
        'inferwatch.failover.from': 'primary',
        'inferwatch.failover.to': 'backup',
        'inferwatch.reason': 'server_error',
      },
      value: 2,
    });
    const requests = byName('inferwatch.gateway.requests');
    expect(requests?.dataPoints.map((point) => point.attributes)).toEqual(
      expect.arrayContaining([
        {
          'gen_ai.request.model': 'chat',
          'inferwatch.outcome': 'success',
          'inferwatch.stream': 'false',
          'inferwatch.client': 'anonymous',
        },
        {
          'gen_ai.request.model': 'chat',
          'inferwatch.outcome': 'success',
          'inferwatch.stream': 'true',
          'inferwatch.client': 'anonymous',
        },
      ]),
    );
    expect(byName('inferwatch.gateway.overhead')?.dataPoints.length).toBe(2);
    expect(byName('inferwatch.gateway.attempts')?.dataPoints.length).toBeGreaterThanOrEqual(2);
    const states = byName('inferwatch.gateway.circuit.state')?.dataPoints.map((point) => point.value);
    expect(states).toEqual([0, 0]);
  });

  it("puts the client's sampling parameters on the client span, and gen_ai.request.stream only when true", async () => {
    const { gateway } = await setup();
    await gateway.post(
      '/v1/chat/completions',
      chatBody('chat', { max_tokens: 50, temperature: 0.2, top_p: 0.9, seed: 7 }),
    );
    const [client] = gateway.telemetry.spans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(client?.attributes).toMatchObject({
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.seed': 7,
    });
    expect(client?.attributes).not.toHaveProperty('gen_ai.request.stream');
    gateway.telemetry.reset();
    await sseData(
      await gateway.post(
        '/v1/chat/completions',
        chatBody('chat', { stream: true, max_completion_tokens: 20, max_tokens: 99, seed: 'not a number' }),
      ),
    );
    const [streamed] = gateway.telemetry.spans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(streamed?.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.request.max_tokens': 20,
    });
    expect(streamed?.attributes).not.toHaveProperty('gen_ai.request.seed');
  });

  it('records prompts and completions only when captureContent is on', async () => {
    const { gateway } = await setup({ captureContent: true });
    await gateway.post('/v1/chat/completions', chatBody('chat'));
    const client = gateway.telemetry.spans().find((span) => span.kind === SpanKind.CLIENT);
    expect(client?.attributes['gen_ai.input.messages']).toBe(
      JSON.stringify([{ role: 'user', content: 'hi' }]),
    );
    expect(client?.attributes['gen_ai.output.messages']).toBe('Hello from primary');
  });

  it('keeps serving when the tracer itself throws', async () => {
    const { gateway } = await setup();
    const broken = gateway.runtime.context.telemetry as { tracer: Tracer };
    broken.tracer = {
      startSpan: () => {
        throw new Error('tracer exploded');
      },
      startActiveSpan: () => {
        throw new Error('tracer exploded');
      },
    } as Tracer;
    const response = await gateway.post('/v1/chat/completions', chatBody('chat'));
    expect(response.status).toBe(200);
  });
});

describe('status summary', () => {
  it('summarises requests, errors (a 404 counts), failovers and latency for /api/metrics', async () => {
    const { primary, gateway } = await setup();
    primary.setFaults({ mode: 'server_error' });
    await gateway.post('/v1/chat/completions', chatBody('chat'));
    await gateway.post('/v1/chat/completions', chatBody('nope'));
    const summary = (await (await fetch(`${gateway.url}/api/metrics`)).json()) as {
      gateway: Record<string, number>;
    };
    expect(summary.gateway).toMatchObject({ requests: 2, errors: 1, failovers: 1 });
    expect(summary.gateway.p50Ms).toBeGreaterThan(0);
  });

  it('publishes the summary as a metrics event on the bus', async () => {
    const bus = createEventBus();
    const seen: unknown[] = [];
    bus.subscribe('metrics', (event) => seen.push(event));
    const component = createGateway({
      config: parseConfig({ store: { path: ':memory:' } }),
      telemetry: createTestTelemetry(),
      bus,
      metricsIntervalMs: 10,
    });
    await component.start?.();
    await expect.poll(() => seen.length).toBeGreaterThan(0);
    await component.stop?.();
    expect(seen[0]).toMatchObject({
      type: 'metrics',
      requests: 0,
      errors: 0,
      failovers: 0,
      p50Ms: 0,
      p99Ms: 0,
    });
  });
});
