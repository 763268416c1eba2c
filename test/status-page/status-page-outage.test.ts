import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../bench/free-port.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Envelope } from '../../src/events/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime/index.ts';
import { createTestTelemetry } from '../../src/telemetry/testing.ts';
import { requireTools } from '../required-tools.ts';
import { axeViolations, type Browser, chromiumRequirement, launchChromium } from './chromium.ts';

const chromiumAvailable = requireTools([chromiumRequirement]);

// The whole path a user watches in the demo: embedded defaults (gateway → simulated primary and backup),
// light traffic, an outage injected into the primary at runtime, and the page in Chromium updating by itself.
let runtime: Runtime;
let url = '';
let browser: Browser;
const events: { event: Envelope; receivedAt: number }[] = [];

beforeAll(async () => {
  const port = await freePort();
  const { config } = loadConfig({
    env: { INFERWATCH_PORT: String(port), INFERWATCH_STORE_PATH: ':memory:' },
  });
  runtime = createRuntime({ config, role: 'start', logger: silentLogger, telemetry: createTestTelemetry() });
  url = (await runtime.listen({ port })).url;
  runtime.context.bus.subscribe('*', (event) => events.push({ event, receivedAt: Date.now() }));
  if (chromiumAvailable) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

const chat = () =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'ping' }] }),
  }).then(
    (response) => response.arrayBuffer(),
    () => undefined,
  );

describe.skipIf(!chromiumAvailable)('status page during a provider outage', () => {
  it('shows the open breaker and the failover within two seconds of the events, without reload', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 10_000 }).toBe('Live');
    // Before any event, the rows come from GET /api/providers.
    const firstPrimary = page.locator('#providers tr[data-key^="sim-primary/"]');
    await expect.poll(() => firstPrimary.getAttribute('data-state')).toBe('closed');
    await expect.poll(() => page.locator('#providers').textContent()).toContain('sim-backup');
    const primary = page.locator('#providers tr[data-key="sim-primary/sim-small"]');

    // Light traffic keeps flowing while the primary goes down.
    let flowing = true;
    const traffic = (async () => {
      while (flowing) {
        await chat();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const put = await fetch(`${url}/simulator/_sim/primary/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'outage' }),
    });
    expect(put.status).toBe(200);

    const opened = await vi.waitFor(
      () => {
        const found = events.find(
          ({ event }) =>
            event.type === 'provider_status' && event.provider === 'sim-primary' && event.to === 'open',
        );
        if (!found) throw new Error('breaker not open yet');
        return found;
      },
      { timeout: 10_000, interval: 20 },
    );
    const failover = events.find(({ event }) => event.type === 'failover' && event.from === 'sim-primary');
    expect(failover, 'a failover event was published').toBeDefined();

    await expect.poll(() => primary.getAttribute('data-state'), { timeout: 2000, interval: 50 }).toBe('open');
    const breakerShownAfterMs = Date.now() - opened.receivedAt;
    await expect
      .poll(() => page.locator('#failovers li').first().textContent(), { timeout: 2000, interval: 50 })
      .toContain('sim-primary → sim-backup');
    expect(breakerShownAfterMs).toBeLessThan(2000);
    await expect
      .poll(() => page.locator('#incidents').textContent(), { timeout: 2000 })
      .toContain('circuit opened');
    // The providers table re-reads /api/providers after events: the backup now serves sim-small.
    await expect
      .poll(() => page.locator('#providers tr[data-key="sim-backup/sim-small"]').count(), { timeout: 3000 })
      .toBe(1);
    flowing = false;
    await traffic;

    // A model no provider serves answers 404 and never becomes a row, not even for a moment.
    const unknown = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'made-up-model', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    await expect
      .poll(() =>
        page.locator('#providers tr[data-key]').evaluateAll((rows) => rows.map((row) => row.dataset.key)),
      )
      .toEqual(['sim-primary/sim-small', 'sim-backup/sim-small']);

    // The history: the primary's uptime fell below 100 %, its bar has failed minutes, latency has a line.
    const history = page.locator('#history tr[data-series="sim-primary"]');
    await expect
      .poll(() => history.locator('td').first().textContent(), { timeout: 35_000 })
      .not.toBe('100 %');
    await expect.poll(() => history.locator('rect.cell-down, rect.cell-partial').count()).toBeGreaterThan(0);
    expect(await history.locator('svg.bar').getAttribute('aria-label')).toMatch(/with failures/);
    expect(await page.locator('#history tr[data-series="sim-backup-chat"]').count()).toBe(1);
    // Timestamps carry a date; the region of an unnamed prober reads "local".
    expect(await page.locator('#incidents time').first().textContent()).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    );
    expect(await page.locator('#probes h3').allTextContents()).toEqual(['local']);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/status-page.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/status-page-phone.png', fullPage: true });
    await page.close();
  });

  it('opened after the failovers, lists them and agrees with the traffic counter', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 10_000 }).toBe('Live');
    const counter = async () =>
      Number(
        (await page.locator('#traffic div').filter({ hasText: 'Failovers' }).locator('dd').textContent()) ??
          Number.NaN,
      );
    await expect.poll(counter, { timeout: 5_000 }).toBeGreaterThan(0);
    const total = await counter();
    const listed = await page.locator('#failovers li').count();
    expect(listed).toBe(Math.min(total, 15));
    expect(await page.locator('#failover-count').textContent()).toContain(
      `${total} ${total === 1 ? 'request' : 'requests'} failed over since the gateway started`,
    );
    await page.close();
  });

  it('has no WCAG 2.1 A/AA violations with every section filled, light and dark, desktop and phone', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 10_000 }).toBe('Live');
    await expect.poll(() => page.locator('#failovers li').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#history svg.bar').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const viewport of [
        { width: 1100, height: 900 },
        { width: 390, height: 844 },
      ]) {
        await page.setViewportSize(viewport);
        const violations = await axeViolations(page);
        const summary = violations.map(
          (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
        );
        expect(summary, `${colorScheme} ${viewport.width}px`).toEqual([]);
      }
    }
    await page.close();
  });
});
