import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { requireTools } from '../required-tools.ts';
import { type Browser, chromiumPath, chromiumRequirement, launchChromium } from './chromium.ts';

const chromiumAvailable = requireTools([chromiumRequirement]);

// Events published straight on the bus: proves the page follows /ws/events without the gateway.
// The end-to-end outage through the real gateway and simulator is in status-page-outage.test.ts.
let runtime: Runtime;
let url: string;
let browser: Browser;

beforeAll(async () => {
  runtime = createRuntime({
    config: parseConfig({
      store: { path: ':memory:' },
      // Never called: these tests publish events on the bus; the config says which rows exist.
      providers: [
        { name: 'sim-primary', baseURL: 'http://127.0.0.1:1/v1', healthCheck: 'none' },
        { name: 'sim-backup', baseURL: 'http://127.0.0.1:1/v1', healthCheck: 'none' },
      ],
      routes: [{ model: 'sim-small', targets: [{ provider: 'sim-primary' }, { provider: 'sim-backup' }] }],
      statusPage: {
        grafanaURL: 'http://127.0.0.1:3000/d/x',
        tracesURL: 'http://127.0.0.1:16686/trace/{traceId}',
      },
    }),
    role: 'start',
    only: ['api', 'gateway', 'statusPage'],
    logger: silentLogger,
    telemetry: createTestTelemetry(),
  });
  url = (await runtime.listen({ port: 0 })).url;
  if (chromiumAvailable) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

describe.skipIf(!chromiumAvailable)(`status page in Chromium (${chromiumPath})`, () => {
  it('shows empty states for features this process does not run, then live events without reload', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      // The browser logs every 404 itself; those are the not-running features the page handles.
      if (message.type() === 'error' && !message.text().includes('status of 404'))
        problems.push(message.text());
    });
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    await expect.poll(() => page.locator('#probes').textContent()).toContain('Not running in this process');
    expect(await page.locator('#links a').allTextContents()).toEqual(['Grafana', 'Traces']);

    const { bus } = runtime.context;
    // The configured targets have rows before any traffic.
    await expect
      .poll(() =>
        page.locator('#providers tr[data-key]').evaluateAll((rows) => rows.map((row) => row.dataset.key)),
      )
      .toEqual(['sim-primary/sim-small', 'sim-backup/sim-small']);
    bus.publish({
      type: 'provider_status',
      provider: 'sim-primary',
      model: 'made-up-by-a-client',
      from: 'closed',
      to: 'open',
      reason: '3 consecutive failures',
    });
    bus.publish({
      type: 'provider_status',
      provider: 'sim-primary',
      model: 'sim-small',
      from: 'closed',
      to: 'open',
      reason: '3 consecutive failures',
    });
    bus.publish({
      type: 'failover',
      traceId: 'abc123',
      requestedModel: 'sim-small',
      from: 'sim-primary',
      to: 'sim-backup',
      reason: 'server_error',
      chain: ['sim-primary', 'sim-backup'],
      count: 1,
    });
    bus.publish({
      type: 'probe_result',
      target: 'sim-primary-chat',
      kind: 'model',
      region: 'eu-west-1',
      success: false,
      state: 'down',
      errorType: 'server_error',
      latencyMs: 12,
    });

    const row = page.locator('#providers tr[data-key="sim-primary/sim-small"]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 2000 }).toBe('open');
    // A model no config names never gets a row, whatever its breaker does.
    expect(await page.locator('#providers tr[data-key="sim-primary/made-up-by-a-client"]').count()).toBe(0);
    expect(await page.locator('#providers tr[data-key]').count()).toBe(2);
    await expect
      .poll(() => page.locator('#failovers li').first().textContent(), { timeout: 2000 })
      .toContain('sim-primary → sim-backup');
    expect(await page.locator('#failovers a').getAttribute('href')).toBe(
      'http://127.0.0.1:16686/trace/abc123',
    );
    await expect.poll(() => page.locator('#probes').textContent()).toContain('failed: server_error');
    await expect
      .poll(() => page.locator('#announcer').textContent())
      .toContain('Failover from sim-primary to sim-backup');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders markup in event data as text, never as HTML', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    const title = '<img src=x onerror="document.title=\'pwned\'">';
    runtime.context.bus.publish({
      type: 'incident',
      id: 'xss-1',
      kind: 'circuit_open',
      severity: 'warning',
      title,
      subject: 'p',
      detail: {},
    });
    await expect.poll(() => page.locator('#incidents li').first().textContent()).toContain(title);
    expect(await page.locator('#incidents img').count()).toBe(0);
    expect(await page.title()).toBe('inferwatch status');
    await page.close();
  });

  it('reconnects after the WebSocket drops and keeps following events', async () => {
    const page = await browser.context.newPage();
    // Keep a handle on every socket the page opens so the test can drop one as a network blip would.
    await page.addInitScript(`{
      const Native = window.WebSocket;
      window.__sockets = [];
      window.WebSocket = class extends Native {
        constructor(...args) { super(...args); window.__sockets.push(this); }
      };
    }`);
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    await page.evaluate('window.__sockets.at(-1).close()');
    await expect.poll(() => page.evaluate('window.__sockets.length')).toBe(2);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    // The page re-reads the APIs after a reconnect and a second after a metrics event, and those answers
    // (no real traffic) replace the synthetic numbers; publishing on every poll proves the new socket
    // delivers events whenever the check runs, rather than racing one event against those reloads.
    await expect
      .poll(() => {
        runtime.context.bus.publish({
          type: 'metrics',
          requests: 42,
          errors: 1,
          failovers: 3,
          p50Ms: 5,
          p99Ms: 20,
        });
        return page.locator('#traffic').textContent();
      })
      .toContain('Requests42');
    await page.close();
  });
});

describe.skipIf(!chromiumAvailable)('status page behind API keys', () => {
  it('asks for a key, then loads the data and follows events with it', async () => {
    const locked = createRuntime({
      config: parseConfig({
        store: { path: ':memory:' },
        server: { apiKeys: ['page-key'] },
        analyzer: { enabled: false },
      }),
      role: 'start',
      only: ['api', 'statusPage'],
      logger: silentLogger,
      telemetry: createTestTelemetry(),
    });
    const lockedURL = (await locked.listen({ port: 0 })).url;
    const page = await browser.context.newPage();
    try {
      await page.goto(`${lockedURL}/`);
      const form = page.locator('#key-form');
      await expect.poll(() => form.isVisible()).toBe(true);
      await expect.poll(() => page.locator('#incidents').textContent()).toContain('Needs an API key');
      locked.context.bus.publish({
        type: 'incident',
        id: 'before-key',
        kind: 'circuit_open',
        severity: 'warning',
        title: 'stored before the key',
        subject: 'p',
        detail: {},
      });
      // Keyboard only: focus the field, type, press Enter.
      await page.locator('#key-input').focus();
      await page.keyboard.type('page-key');
      await page.keyboard.press('Enter');
      await expect.poll(() => form.isVisible()).toBe(false);
      await expect.poll(() => page.locator('#incidents').textContent()).toContain('stored before the key');
      await expect.poll(() => page.locator('#connection').textContent(), { timeout: 5000 }).toBe('Live');
      locked.context.bus.publish({
        type: 'failover',
        traceId: 't',
        requestedModel: 'm',
        from: 'a',
        to: 'b',
        reason: 'timeout',
        chain: ['a', 'b'],
        count: 1,
      });
      await expect.poll(() => page.locator('#failovers').textContent()).toContain('a → b');
    } finally {
      await page.close();
      await locked.stop();
    }
  });
});
