import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';
import { type SimulatedUpstream, startSimulatedUpstream } from '../fakes/simulated-upstream.ts';

let upstream: SimulatedUpstream;
let receivers: Awaited<ReturnType<typeof startReceivers>>;
let runtime: Runtime;
let url: string;

// The gateway and the analyzer in one process, as `inferwatch start` runs them, with no Alertmanager:
// the internal alert source turns the gateway's incidents into notifications.
beforeAll(async () => {
  [upstream, receivers] = await Promise.all([startSimulatedUpstream(), startReceivers()]);
  runtime = createRuntime({
    config: parseConfig({
      store: { path: ':memory:' },
      providers: [{ name: 'sim', baseURL: upstream.baseURL, healthCheck: 'none' }],
      routes: [{ model: 'chat', targets: [{ provider: 'sim', model: 'sim-small' }] }],
      retry: { maxAttempts: 1 },
      // Opens after two failures; half-open again 200 ms later, when the next request is the trial.
      circuitBreaker: { failureThreshold: 2, minimumRequests: 1000, recoverySeconds: 0.2 },
      analyzer: {
        notify: [{ type: 'webhook', url: `${receivers.url}/hook` }],
        outbox: { pollMs: 20, baseDelayMs: 10, maxDelayMs: 50 },
      },
    }),
    role: 'start',
    only: ['gateway', 'analyzer'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  url = (await runtime.listen({ port: 0 })).url;
});
afterAll(async () => {
  await runtime?.stop();
  await Promise.all([upstream?.close(), receivers?.close()]);
});

const chat = () =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  }).then(async (response) => ({ status: response.status, body: await response.text() }));

const notifications = () =>
  receivers
    .delivered('/hook')
    .map((received) => received.body as { alertname: string; kind: string })
    .filter((body) => body.alertname === 'AllTargetsUnavailable')
    .map((body) => body.kind);

describe('a route whose every target is down, then back', () => {
  it('pages AllTargetsUnavailable during the outage and resolves it once the route serves again', async () => {
    upstream.setFaults({ mode: 'outage' });
    // Until the breaker is open and a request is refused without a call.
    await expect
      .poll(async () => (await chat()).body, { timeout: 10_000, interval: 20 })
      .toContain('all_targets_unavailable');
    await expect.poll(notifications, { timeout: 10_000 }).toEqual(['alert']);
    // Still refused: the outage is one incident, not one per request.
    await chat();
    expect(await runtime.context.incidents.list({ kind: 'all_targets_unavailable' })).toHaveLength(1);

    upstream.setFaults(undefined);
    await expect.poll(async () => (await chat()).status, { timeout: 10_000, interval: 50 }).toBe(200);
    expect(await runtime.context.incidents.list({ kind: 'all_targets_recovered' })).toHaveLength(1);
    await expect.poll(notifications, { timeout: 10_000 }).toEqual(['alert', 'resolved']);
  });
});
