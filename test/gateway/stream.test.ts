import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';
import {
  chatBody,
  fastProvider,
  fastRetry,
  type GatewayUnderTest,
  sseData,
  startGateway,
} from './harness.ts';

let upstream: SimulatedUpstream;
let backup: SimulatedUpstream;
let keeper: SimulatedUpstream;
let gateway: GatewayUnderTest;

beforeAll(async () => {
  upstream = await startSimulatedUpstream();
  backup = await startSimulatedUpstream();
  keeper = await startSimulatedUpstream();
  gateway = await startGateway({
    providers: [
      fastProvider('primary', upstream.baseURL, {
        timeouts: { firstTokenMs: 2_000, idleMs: 200, totalMs: 10_000 },
      }),
      fastProvider('backup', backup.baseURL),
      fastProvider('keeper', keeper.baseURL),
      // Timeouts far beyond the test: only the client leaving can end its requests.
      fastProvider('patient', upstream.baseURL, {
        timeouts: { firstTokenMs: 30_000, idleMs: 30_000, totalMs: 60_000 },
      }),
    ],
    routes: [
      { model: 'keeper', targets: [{ provider: 'keeper', model: 'sim-small' }] },
      {
        model: 'patient-stall',
        targets: [{ provider: 'patient', model: 'sim-small+fault-stall-after-2' }],
      },
      {
        model: 'patient-slow',
        targets: [{ provider: 'patient', model: 'sim-small+fault-slow-first-token-5000' }],
      },
      { model: '*', targets: [{ provider: 'primary' }, { provider: 'backup', model: 'sim-small' }] },
    ],
    // Resumption off: a stream that breaks after its first byte ends as it always did.
    retry: { ...fastRetry, resumeStreams: 'off' },
    circuitBreaker: { failureThreshold: 1000, minimumRequests: 1000 },
  });
});
afterAll(async () => {
  await gateway.stop();
  await Promise.all([upstream.close(), backup.close(), keeper.close()]);
});

describe('stream integrity after the first byte, with retry.resumeStreams off', () => {
  it.each([
    // fault, how the stream ends
    ['cut-after-3', 'stream_cut'],
    ['no-done-cut', 'stream_cut'],
    ['stall-after-3', 'timeout_idle'],
    ['malformed-after-3', 'malformed_response'],
  ])('%s ends with an OpenAI-shaped error event (%s) and never [DONE]', async (fault, code) => {
    const backupBefore = backup.stats.requests;
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody(`sim-small+fault-${fault}`, { stream: true }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-inferwatch-provider')).toBe('primary');
    const data = await sseData(response);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1) ?? '{}')).toMatchObject({ error: { code, type: 'api_error' } });
    // Chunks already sent cannot be unsent: no silent failover mid-answer.
    expect(data.length).toBeGreaterThan(1);
    expect(backup.stats.requests).toBe(backupBefore);
    await expect
      .poll(() => gateway.events.some((event) => event.type === 'incident' && event.kind === 'stream_cut'))
      .toBe(true);
  });

  it('appends [DONE] promptly to a complete stream whose upstream forgot it', async () => {
    const started = performance.now();
    const response = await gateway.post(
      '/v1/chat/completions',
      chatBody('sim-small+fault-no-done', { stream: true }),
    );
    const data = await sseData(response);
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data.at(-2) ?? '{}')).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('records the failed stream as an error on the request metric', async () => {
    const metrics = await gateway.telemetry.collectMetrics();
    const requests = metrics.find((metric) => metric.descriptor.name === 'inferwatch.gateway.requests');
    const errorTypes = requests?.dataPoints.map((point) => point.attributes['error.type']).filter(Boolean);
    expect(errorTypes).toEqual(expect.arrayContaining(['stream_cut', 'timeout_idle', 'malformed_response']));
  });
});

describe('upstream connections after a complete stream', () => {
  it('reads the response out after [DONE] so the keep-alive connection is reused', async () => {
    keeper.setFaults({ modelFaults: ['done-then-linger-30'] });
    const before = keeper.connections;
    for (let request = 0; request < 5; request += 1) {
      const data = await sseData(
        await gateway.post('/v1/chat/completions', chatBody('keeper', { stream: true })),
      );
      expect(data.at(-1)).toBe('[DONE]');
      // Let the upstream's own end arrive, as it does between requests on a busy gateway.
      await expect.poll(() => keeper.stats.inFlight).toBe(0);
    }
    // Five streams, one connection: none was torn down because [DONE] came before the response's end.
    expect(keeper.connections - before).toBeLessThanOrEqual(1);
    expect(keeper.stats.aborted).toBe(0);
  });

  it('cuts off an upstream that keeps talking after [DONE], without holding up the client', async () => {
    keeper.setFaults({ modelFaults: ['done-then-chatter'] });
    const abortedBefore = keeper.stats.aborted;
    const started = performance.now();
    const data = await sseData(
      await gateway.post('/v1/chat/completions', chatBody('keeper', { stream: true })),
    );
    expect(data.at(-1)).toBe('[DONE]');
    expect(performance.now() - started).toBeLessThan(1_000);
    // The drain after [DONE] is bounded (1 s): the upstream connection is then closed.
    await expect.poll(() => keeper.stats.aborted, { timeout: 5_000 }).toBe(abortedBefore + 1);
    keeper.setFaults(undefined);
  });
});

describe('client disconnect', () => {
  it('aborts the upstream request when the client goes away mid-stream', async () => {
    const abortedBefore = upstream.stats.aborted;
    const controller = new AbortController();
    // A stream that stalls for longer than the client waits: the client leaves after the first chunk.
    const stalled = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatBody('patient-stall', { stream: true })),
      signal: controller.signal,
    });
    const reader = stalled.body?.getReader();
    await reader?.read();
    controller.abort();
    await expect.poll(() => upstream.stats.aborted).toBe(abortedBefore + 1);
    await expect.poll(() => upstream.stats.inFlight).toBe(0);
  });

  it('aborts the upstream request when the client goes away before the answer', async () => {
    const abortedBefore = upstream.stats.aborted;
    const controller = new AbortController();
    const pending = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatBody('patient-slow')),
      signal: controller.signal,
    }).catch(() => undefined);
    await expect.poll(() => upstream.stats.inFlight).toBe(1);
    controller.abort();
    await pending;
    await expect.poll(() => upstream.stats.aborted).toBe(abortedBefore + 1);
  });
});
