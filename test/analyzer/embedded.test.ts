import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { type Listening, listen } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createSimulator } from '../../src/simulator/simulator.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { startReceivers } from '../fakes/analyzer-receivers.ts';

// Two shared cores on CI: polls get 10 s, not vitest's default 1 s.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 20 } } });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('embedded: gateway + analyzer in one process, no Alertmanager', () => {
  it('explains a breaker opening on a real provider outage as degraded but served, then its recovery', async () => {
    let clock = Date.parse('2026-11-23T10:00:00Z');
    const simulator = createSimulator({ ttftMs: 0, tokensPerSecond: 0 });
    const upstream: Listening = await listen(simulator.app);
    cleanups.push(() => upstream.close(0));
    cleanups.push(() => simulator.close());
    const receivers = await startReceivers();
    cleanups.push(receivers.close);
    const runtime: Runtime = createRuntime({
      config: parseConfig({
        store: { path: ':memory:' },
        providers: [
          { name: 'sim-primary', baseURL: `${upstream.url}/primary/v1` },
          { name: 'sim-backup', baseURL: `${upstream.url}/backup/v1` },
        ],
        routes: [{ model: '*', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] }],
        retry: { maxAttempts: 1 },
        circuitBreaker: { failureThreshold: 3, recoverySeconds: 30, halfOpenMaxRequests: 1 },
        analyzer: { notify: [{ type: 'webhook', url: `${receivers.url}/hook` }], outbox: { pollMs: 20 } },
      }),
      role: 'start',
      only: ['gateway', 'analyzer'],
      logger: silentLogger,
      telemetry: createTestTelemetry(),
      now: () => clock,
    });
    const { url } = await runtime.listen({ port: 0 });
    cleanups.push(() => runtime.stop());

    simulator.setFaults('primary', { mode: 'outage' });
    const chat = () =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }),
      });
    for (let i = 0; i < 5; i += 1) expect((await chat()).status).toBe(200); // served by the backup
    await expect.poll(() => receivers.delivered('/hook').length).toBe(1);
    expect(receivers.delivered('/hook')[0]?.body).toMatchObject({
      kind: 'alert',
      alertname: 'CircuitOpen',
      category: 'degraded_but_served',
      source: 'rules',
    });

    // The provider comes back; after the recovery time a trial request closes the breaker.
    simulator.resetFaults('primary');
    clock += 31_000;
    await expect
      .poll(async () => {
        await chat();
        return receivers.delivered('/hook').length;
      })
      .toBe(2);
    expect(receivers.delivered('/hook')[1]?.body).toMatchObject({
      kind: 'resolved',
      alertname: 'CircuitOpen',
    });
  });
});
