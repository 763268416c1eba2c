import { afterEach, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  primaryThenBackup,
  startGateway,
} from './harness.ts';

let upstreams: SimulatedUpstream[] = [];
let gateway: GatewayUnderTest | undefined;

type Overrides =
  | Record<string, unknown>
  | ((primary: SimulatedUpstream, backup: SimulatedUpstream) => Record<string, unknown>);

async function setup(overrides: Overrides = {}, options = {}) {
  const primary = await startSimulatedUpstream();
  const backup = await startSimulatedUpstream();
  upstreams = [primary, backup];
  const config = typeof overrides === 'function' ? overrides(primary, backup) : overrides;
  gateway = await startGateway(
    {
      ...primaryThenBackup(primary, backup, { model: '*' }),
      retry: fastRetry,
      circuitBreaker: { failureThreshold: 2, recoverySeconds: 30 },
      ...config,
    },
    options,
  );
  return { primary, backup, gateway };
}

afterEach(async () => {
  await gateway?.stop();
  await Promise.all(upstreams.map((upstream) => upstream.close()));
  gateway = undefined;
});

describe('failovers while a breaker is open', () => {
  it('counts and marks every request, but publishes one coalesced event (and log record) a second per pair and reason', async () => {
    const { primary, backup, gateway } = await setup({ retry: { ...fastRetry, maxAttempts: 1 } });
    primary.setFaults({ mode: 'server_error' });
    for (let i = 0; i < 2; i += 1) await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    const failoverEvents = () =>
      gateway.events.flatMap((event) => (event.type === 'failover' ? [event] : []));
    // Both server_error failovers are out (the second one coalesced) before the breaker's skips start.
    await expect
      .poll(() => failoverEvents().reduce((total, event) => total + event.count, 0), { timeout: 3_000 })
      .toBe(2);
    gateway.telemetry.reset();
    const skipped = 25;
    for (let i = 0; i < skipped; i += 1) {
      const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
      expect(response.headers.get('x-inferwatch-failover')).toBe('primary,backup');
    }
    const skips = () => failoverEvents().filter((event) => event.reason === 'circuit_open');
    // The first skip at once, the rest held and published together with their count.
    await expect
      .poll(() => skips().reduce((total, event) => total + event.count, 0), { timeout: 3_000 })
      .toBe(skipped);
    expect(skips().length).toBeLessThan(skipped);
    expect(skips()[0]?.count).toBe(1);
    expect(skips().at(-1)?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(backup.stats.requests).toBe(skipped + 2);

    // One OTel log record per published event, not per request.
    const logged = gateway.telemetry
      .logRecords()
      .filter((record) => record.eventName === 'inferwatch.failover');
    expect(logged).toHaveLength(skips().length);
    // The counter and the request spans' events still have every request.
    const counted = (await gateway.telemetry.collectMetrics())
      .find((metric) => metric.descriptor.name === 'inferwatch.gateway.failovers')
      ?.dataPoints.find((point) => point.attributes['inferwatch.reason'] === 'circuit_open')?.value;
    expect(counted).toBe(skipped);
    const spanEvents = gateway.telemetry
      .spans()
      .flatMap((span) => span.events)
      .filter(
        (event) =>
          event.name === 'inferwatch.failover' && event.attributes?.['inferwatch.reason'] === 'circuit_open',
      );
    expect(spanEvents).toHaveLength(skipped);
  });
});

describe('circuit breaker in the request path (injected clock)', () => {
  it('opens after consecutive failures, skips the open target, then half-opens and closes on a good trial', async () => {
    const { primary, backup, gateway } = await setup(
      { retry: { ...fastRetry, maxAttempts: 1 } },
      { realClock: false },
    );
    primary.setFaults({ mode: 'server_error' });
    for (let i = 0; i < 2; i += 1) {
      const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
      expect(response.headers.get('x-inferwatch-failover')).toBe('primary,backup');
    }
    const transitions = () =>
      gateway.events
        .filter((event) => event.type === 'provider_status')
        .map((event) => `${event.provider}:${event.to}`);
    expect(transitions()).toEqual(['primary:open']);

    const primaryCalls = primary.stats.requests;
    const skipped = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    // Passed over without a call, and still a failover: listed, counted, published with its reason.
    expect(skipped.headers.get('x-inferwatch-failover')).toBe('primary,backup');
    expect(primary.stats.requests).toBe(primaryCalls);
    // Failover events are coalesced per pair and reason: the second server_error is held for up to a
    // second and then published with its count; the counter below has every one.
    await expect
      .poll(
        () =>
          gateway.events.flatMap((event) =>
            event.type === 'failover' ? [`${event.from}>${event.to}:${event.reason}x${event.count}`] : [],
          ),
        { timeout: 3_000 },
      )
      .toEqual([
        'primary>backup:server_errorx1',
        'primary>backup:circuit_openx1',
        'primary>backup:server_errorx1',
      ]);
    const failovers = (await gateway.telemetry.collectMetrics()).find(
      (metric) => metric.descriptor.name === 'inferwatch.gateway.failovers',
    );
    expect(
      failovers?.dataPoints.map((point) => [point.attributes['inferwatch.reason'], point.value]).sort(),
    ).toEqual([
      ['circuit_open', 1],
      ['server_error', 2],
    ]);

    primary.setFaults(undefined);
    gateway.clock.now += 30_000;
    const trial = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(trial.headers.get('x-inferwatch-provider')).toBe('primary');
    expect(transitions()).toEqual(['primary:open', 'primary:half_open', 'primary:closed']);
    expect(backup.stats.requests).toBe(3);
    await expect
      .poll(async () => (await gateway.runtime.context.incidents.list()).map((incident) => incident.kind))
      .toEqual(['circuit_closed', 'circuit_open', 'failover']);
    const metrics = await gateway.telemetry.collectMetrics();
    const state = metrics.find((metric) => metric.descriptor.name === 'inferwatch.gateway.circuit.state');
    expect(
      state?.dataPoints.find((point) => point.attributes['inferwatch.provider.name'] === 'primary')?.value,
    ).toBe(0);
    // One series per state, 1 on the current one.
    const status = metrics.find((metric) => metric.descriptor.name === 'inferwatch.gateway.circuit.status');
    expect(
      Object.fromEntries(
        (status?.dataPoints ?? [])
          .filter((point) => point.attributes['inferwatch.provider.name'] === 'primary')
          .map((point) => [point.attributes['inferwatch.circuit.state'], point.value]),
      ),
    ).toEqual({ closed: 1, half_open: 0, open: 0 });
    const changes = metrics.find(
      (metric) => metric.descriptor.name === 'inferwatch.gateway.circuit.transitions',
    );
    expect(
      changes?.dataPoints
        .map(
          (point) =>
            `${point.attributes['inferwatch.circuit.from_state']}>${point.attributes['inferwatch.circuit.to_state']}`,
        )
        .sort(),
    ).toEqual(['closed>open', 'half_open>closed', 'open>half_open']);
  });

  it('settles a half-open target with the provider health check instead of a client request', async () => {
    const { primary, gateway } = await setup(
      (primary, backup) => ({
        providers: [
          fastProvider('primary', primary.baseURL, { healthCheck: 'models' }),
          fastProvider('backup', backup.baseURL),
        ],
        retry: { ...fastRetry, maxAttempts: 1 },
      }),
      { realClock: false },
    );
    primary.setFaults({ mode: 'outage' });
    for (let i = 0; i < 2; i += 1) await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    primary.setFaults(undefined);
    gateway.clock.now += 30_000;
    const chatCalls = primary.stats.requests;
    const modelListsBefore = primary.stats.modelLists;
    // The request that finds the breaker half-open is served by the backup while the probe runs.
    const during = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(during.headers.get('x-inferwatch-provider')).toBe('backup');
    await expect
      .poll(() => gateway.events.filter((event) => event.type === 'provider_status').map((event) => event.to))
      .toEqual(['open', 'half_open', 'closed']);
    // One GET /models, no client chat request, decided it.
    expect(primary.stats.modelLists).toBe(modelListsBefore + 1);
    expect(primary.stats.requests).toBe(chatCalls);
  });

  it('answers 503 all_targets_unavailable at once, with Retry-After, when every breaker is open', async () => {
    const { primary, backup, gateway } = await setup(
      {
        retry: { ...fastRetry, maxAttempts: 1 },
        circuitBreaker: { failureThreshold: 1, recoverySeconds: 20 },
      },
      { realClock: false },
    );
    primary.setFaults({ mode: 'server_error' });
    backup.setFaults({ mode: 'server_error' });
    const failed = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(failed.status).toBe(502);
    const started = performance.now();
    const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(performance.now() - started).toBeLessThan(200);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('20');
    expect(await response.json()).toMatchObject({
      error: { code: 'all_targets_unavailable', type: 'api_error' },
    });
    await expect
      .poll(
        async () =>
          (await gateway.runtime.context.incidents.list({ kind: 'all_targets_unavailable' })).length,
      )
      .toBe(1);
  });
});

describe('retries, deadline and budget', () => {
  it('retries the same target with backoff before failing over, honouring Retry-After', async () => {
    const { primary, backup, gateway } = await setup({
      retry: { ...fastRetry, maxAttempts: 3 },
      circuitBreaker: { failureThreshold: 100 },
    });
    primary.setFaults({ mode: 'rate_limit', retryAfterSeconds: 0 });
    const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(response.headers.get('x-inferwatch-provider')).toBe('backup');
    expect(primary.stats.requests).toBe(3);
    expect(backup.stats.requests).toBe(1);
    const retries = (await gateway.telemetry.collectMetrics()).find(
      (metric) => metric.descriptor.name === 'inferwatch.gateway.retries',
    );
    expect(retries?.dataPoints[0]?.value).toBe(2);
    expect(retries?.dataPoints[0]?.attributes['inferwatch.reason']).toBe('rate_limited');
  });

  it('fails over at once when Retry-After is longer than maxDelayMs', async () => {
    const { primary, gateway } = await setup({
      retry: { ...fastRetry, maxAttempts: 3, maxDelayMs: 500 },
      circuitBreaker: { failureThreshold: 100 },
    });
    primary.setFaults({ mode: 'rate_limit', retryAfterSeconds: 30 });
    const started = performance.now();
    const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(response.headers.get('x-inferwatch-provider')).toBe('backup');
    expect(primary.stats.requests).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('returns 429 with the upstream Retry-After when every target is rate limited', async () => {
    const { primary, backup, gateway } = await setup({
      retry: { ...fastRetry, maxAttempts: 1 },
      circuitBreaker: { failureThreshold: 100 },
    });
    primary.setFaults({ mode: 'rate_limit', retryAfterSeconds: 3 });
    backup.setFaults({ mode: 'rate_limit', retryAfterSeconds: 4 });
    const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('4');
    expect(await response.json()).toMatchObject({
      error: { code: 'upstream_rate_limited', type: 'rate_limit_error' },
    });
  });

  it('bounds the whole chain by the deadline', async () => {
    const { primary, backup, gateway } = await setup((primary, backup) => ({
      providers: [
        fastProvider('primary', primary.baseURL, { timeouts: { firstTokenMs: 5_000 } }),
        fastProvider('backup', backup.baseURL, { timeouts: { firstTokenMs: 5_000 } }),
      ],
      retry: { ...fastRetry, deadlineMs: 300 },
    }));
    primary.setFaults({ mode: 'silence' });
    backup.setFaults({ mode: 'silence' });
    const started = performance.now();
    const response = await gateway.post('/v1/chat/completions', chatBody('sim-small'));
    const elapsed = performance.now() - started;
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: { code: 'upstream_timeout' } });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('stops retrying a failing provider once its retry budget is spent', async () => {
    const { primary, gateway } = await setup({
      routes: [{ model: '*', targets: [{ provider: 'primary' }] }],
      retry: { ...fastRetry, maxAttempts: 5, budgetRatio: 0 },
      circuitBreaker: { failureThreshold: 100, minimumRequests: 100 },
    });
    primary.setFaults({ mode: 'server_error' });
    // The floor allows 3 retries per window: the first request uses them all, later ones get none.
    for (let i = 0; i < 4; i += 1)
      expect((await gateway.post('/v1/chat/completions', chatBody('sim-small'))).status).toBe(502);
    expect(primary.stats.requests).toBe(4 + 3);
  });
});
