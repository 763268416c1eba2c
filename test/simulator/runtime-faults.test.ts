import { describe, expect, it } from 'vitest';
import { json, postChat, readStream, startSimulator } from './helpers.ts';

const put = (url: string, instance: string, faults: unknown) =>
  fetch(`${url}/_sim/${instance}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });

describe('runtime faults per instance', () => {
  it('puts an instance into an outage over HTTP, chat and models alike, and resets it', async () => {
    const { url } = await startSimulator();
    const primary = `${url}/primary`;
    expect((await put(url, 'primary', { mode: 'outage' })).status).toBe(200);
    const failed = await postChat(primary, { model: 'sim-small' });
    // 502 from the provider's edge: an outage, never read as capacity (a 503 means overloaded).
    expect(failed.status).toBe(502);
    expect((await json(failed)).error).toMatchObject({ type: 'server_error', code: 'server_error' });
    expect((await fetch(`${primary}/v1/models`)).status).toBe(502);
    expect((await postChat(`${url}/backup`, { model: 'sim-small' })).status).toBe(200);
    const current = await json(await fetch(`${url}/_sim/primary/faults`));
    expect(current.faults).toEqual({ mode: 'outage' });
    expect((await fetch(`${url}/_sim/primary/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await postChat(primary, { model: 'sim-small' })).status).toBe(200);
    expect((await json(await fetch(`${url}/_sim`))).instances).toEqual(['primary', 'backup']);
  });

  it.each([
    [{ mode: 'rate_limit', retryAfterSeconds: 2 }, 429, '2'],
    [{ mode: 'rate_limit' }, 429, null],
    [{ mode: 'server_error' }, 500, null],
    [{ mode: 'server_error', status: 502 }, 502, null],
    [{ mode: 'outage', status: 504 }, 504, null],
  ])('%o answers %i', async (faults, status, retryAfter) => {
    const { url } = await startSimulator();
    await put(url, 'default', faults);
    const response = await postChat(url, { model: 'sim-small', stream: true });
    expect(response.status).toBe(status);
    expect(response.headers.get('retry-after')).toBe(retryAfter);
    expect((await json(response)).error.message).toEqual(expect.any(String));
  });

  it('reset and silence modes apply to every request', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('default', { mode: 'reset' });
    await expect(postChat(url, { model: 'sim-small' })).rejects.toThrow();
    simulator.setFaults('default', { mode: 'silence' });
    const controller = new AbortController();
    const pending = postChat(url, { model: 'sim-small' }, { signal: controller.signal });
    await expect.poll(() => simulator.stats('default').inFlight).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => simulator.stats('default')).toMatchObject({ cut: 1, aborted: 1, inFlight: 0 });
  });

  it('fails the fraction errorRate of requests, drawn from the injected random', async () => {
    const draws = [0.1, 0.9, 0.2, 0.7];
    const { url, simulator } = await startSimulator({ random: () => draws.shift() ?? 1 });
    simulator.setFaults('default', { errorRate: 0.5, status: 503 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postChat(url, { model: 'sim-small' })).status);
    expect(statuses).toEqual([503, 200, 503, 200]);
  });

  it('flaps between outage and healthy every flapPeriodMs on the injected clock', async () => {
    let now = 1_000_000;
    const { url, simulator } = await startSimulator({ now: () => now });
    simulator.setFaults('default', { flapPeriodMs: 10_000 });
    const statusAt = async (offset: number) => {
      now = 1_000_000 + offset;
      return (await postChat(url, { model: 'sim-small' })).status;
    };
    expect([
      await statusAt(0),
      await statusAt(9_999),
      await statusAt(10_000),
      await statusAt(20_000),
    ]).toEqual([502, 502, 200, 502]);
  });

  it('ends an outage after outageForMs on the injected clock', async () => {
    let now = 5_000;
    const { url, simulator } = await startSimulator({ now: () => now });
    simulator.setFaults('default', { mode: 'rate_limit', outageForMs: 30_000 });
    expect((await postChat(url, { model: 'sim-small' })).status).toBe(429);
    now += 30_000;
    expect((await postChat(url, { model: 'sim-small' })).status).toBe(200);
  });

  it('applies latency, first-token delay and token rate to healthy requests', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('default', { latencyMs: 100, ttftMs: 100, tokensPerSecond: 100 });
    const started = performance.now();
    const response = await postChat(url, { model: 'sim-small' });
    expect(response.status).toBe(200);
    // 100 ms latency + 100 ms first token + 12 tokens at 100/s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('slow mode delays the first token by the given ttftMs', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('default', { mode: 'slow', ttftMs: 150 });
    const started = performance.now();
    await json(await postChat(url, { model: 'sim-small' }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('rejects a wrong key only when the request carries one and the instance has apiKey set', async () => {
    const { url, simulator } = await startSimulator();
    simulator.setFaults('default', { apiKey: 'sk-right' });
    const withKey = (key: string) =>
      postChat(url, { model: 'sim-small' }, { headers: { authorization: `Bearer ${key}` } });
    const wrong = await withKey('sk-wrong');
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error.code).toBe('invalid_api_key');
    expect((await withKey('sk-right')).status).toBe(200);
    expect((await postChat(url, { model: 'sim-small' })).status).toBe(200);
  });

  it('rejects invalid faults with every problem as path: reason', async () => {
    const { url } = await startSimulator();
    const response = await put(url, 'default', { mode: 'broken', errorRate: 2, extra: true });
    expect(response.status).toBe(400);
    const { error } = await json(response);
    expect(error.code).toBe('invalid_faults');
    expect(error.message).toMatch(/mode: /);
    expect(error.message).toMatch(/errorRate: /);
    expect(error.message).toMatch(/extra/);
  });
});

describe('stats', () => {
  it('counts requests, model lists, streams, completed and statuses, and resets', async () => {
    const { url, simulator } = await startSimulator();
    await json(await fetch(`${url}/v1/models`));
    await json(await postChat(url, { model: 'sim-small' }));
    await readStream(await postChat(url, { model: 'sim-small', stream: true }));
    await json(await postChat(url, { model: 'sim-small+fault-429' }));
    const stats = await json(await fetch(`${url}/_sim/default/stats`));
    expect(stats).toEqual({
      requests: 3,
      modelLists: 1,
      streams: 1,
      completed: 3,
      aborted: 0,
      cut: 0,
      inFlight: 0,
      byStatus: { '200': 2, '429': 1 },
    });
    await fetch(`${url}/_sim/default/stats`, { method: 'DELETE' });
    expect(simulator.stats('default')).toMatchObject({ requests: 0, byStatus: {} });
  });

  it('counts a client that leaves mid-stream as aborted, not completed', async () => {
    const { url, simulator } = await startSimulator({ tokensPerSecond: 20 });
    const controller = new AbortController();
    const response = await postChat(url, { model: 'sim-small', stream: true }, { signal: controller.signal });
    let received = 0;
    const reading = readStream(response, (data) => {
      received = data.length;
    });
    await expect.poll(() => received).toBeGreaterThanOrEqual(2);
    controller.abort();
    await reading;
    await expect
      .poll(() => simulator.stats('default'))
      .toMatchObject({
        aborted: 1,
        completed: 0,
        inFlight: 0,
        byStatus: { '200': 1 },
      });
  });

  it('counts a client that leaves before the first token as aborted', async () => {
    const { url, simulator } = await startSimulator({ ttftMs: 5_000 });
    const controller = new AbortController();
    const pending = postChat(url, { model: 'sim-small' }, { signal: controller.signal });
    await expect.poll(() => simulator.stats('default').inFlight).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => simulator.stats('default')).toMatchObject({ aborted: 1, inFlight: 0 });
  });
});
